import { Queue, Worker } from 'bullmq'
import { createLoopFailures, throttleErrorLog } from '../src/log-throttle.js'
import type { RedisClient } from '../src/redis/redis-client.js'
import { MAINTENANCE_QUEUE, type QueuePrefix } from './jobs.js'
import type { ShardHolding } from './shard-leases.js'
import { DEFAULT_LOCK_MS, superviseWorker } from './supervised-worker.js'
import { type SweepDeps, sweepAlerts } from './sweep-alerts.js'

export interface AlertSweepOptions extends SweepDeps {
  connect(): RedisClient
  queuePrefix: QueuePrefix
  everyMs: number
  /** The shards this process holds: only those are swept here. */
  holding: Pick<ShardHolding, 'held' | 'leased'>
}

type AlertSweep = { stop(): Promise<void> }

/**
 * The periodic alert sweep of the shards this process holds. With one shard, which every process
 * works, a BullMQ job scheduler on the maintenance queue keeps one sweep at a time however many
 * processes run. With leased shards each process sweeps its own on its own clock: a scheduled job
 * runs in whichever process takes it, which holds only some of the shards.
 */
export async function startAlertSweep(options: AlertSweepOptions): Promise<AlertSweep> {
  return options.holding.leased ? startHeldShardsSweep(options) : startScheduledSweep(options)
}

async function sweepHeld(options: AlertSweepOptions) {
  const checked = await sweepAlerts(options, options.holding.held())
  if (checked > 0) options.logger.debug({ checked }, 'alert sweep')
}

async function startScheduledSweep(options: AlertSweepOptions): Promise<AlertSweep> {
  const { logger } = options
  const maintenance = new Queue(MAINTENANCE_QUEUE, {
    connection: options.connect(),
    prefix: options.queuePrefix(MAINTENANCE_QUEUE),
  })
  maintenance.on('error', throttleErrorLog(logger, 'maintenance queue error'))
  await maintenance.upsertJobScheduler('alerts-sweep', { every: options.everyMs }, { name: 'sweep-alerts' })
  const sweeper = superviseWorker(
    (track) => {
      const worker = new Worker(
        MAINTENANCE_QUEUE,
        track(() => sweepHeld(options)),
        {
          connection: options.connect(),
          prefix: options.queuePrefix(MAINTENANCE_QUEUE),
          concurrency: 1,
          lockDuration: DEFAULT_LOCK_MS,
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 100 },
        },
      )
      worker.on('error', throttleErrorLog(logger, 'alert sweep worker error'))
      return worker
    },
    { queue: maintenance, idleMs: DEFAULT_LOCK_MS, logger },
  )
  return {
    async stop() {
      await sweeper.close()
      await maintenance.close()
    },
  }
}

function startHeldShardsSweep(options: AlertSweepOptions): AlertSweep {
  const failures = createLoopFailures(options.logger, 'alert sweep', {
    baseMs: options.everyMs,
    maxMs: options.everyMs,
  })
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  async function tick() {
    try {
      await sweepHeld(options)
      failures.succeeded()
    } catch (error) {
      failures.failed(error)
    }
    if (!stopped) timer = setTimeout(() => (running = tick()), options.everyMs)
  }
  running = tick()
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
