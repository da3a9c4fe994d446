import { Queue, Worker } from 'bullmq'
import { throttleErrorLog } from '../src/log-throttle.js'
import type { RedisClient } from '../src/redis/redis-client.js'
import { MAINTENANCE_QUEUE } from './jobs.js'
import { type SweepDeps, sweepAlerts } from './sweep-alerts.js'

export interface AlertSweepOptions extends SweepDeps {
  connect(): RedisClient
  bullPrefix: string
  everyMs: number
}

/**
 * The periodic alert sweep, as a BullMQ job scheduler on the maintenance queue: however many worker
 * processes run, one sweep runs at a time.
 */
export async function startAlertSweep(options: AlertSweepOptions): Promise<{ stop(): Promise<void> }> {
  const { logger } = options
  const maintenance = new Queue(MAINTENANCE_QUEUE, {
    connection: options.connect(),
    prefix: options.bullPrefix,
  })
  maintenance.on('error', throttleErrorLog(logger, 'maintenance queue error'))
  await maintenance.upsertJobScheduler('alerts-sweep', { every: options.everyMs }, { name: 'sweep-alerts' })
  const sweeper = new Worker(
    MAINTENANCE_QUEUE,
    async () => {
      const checked = await sweepAlerts(options)
      if (checked > 0) logger.debug({ checked }, 'alert sweep')
    },
    {
      connection: options.connect(),
      prefix: options.bullPrefix,
      concurrency: 1,
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    },
  )
  sweeper.on('error', throttleErrorLog(logger, 'alert sweep worker error'))
  return {
    async stop() {
      await sweeper.close()
      await maintenance.close()
    },
  }
}
