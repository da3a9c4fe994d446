import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { Queue } from 'bullmq'
import type { Config } from '../src/config.js'
import type { QueueDepth } from '../src/metrics.js'
import { QUEUE_STATES } from '../src/metrics.js'
import type { RedisClient } from '../src/redis/redis-client.js'
import {
  carrierLanes,
  DELIVERY_QUEUE,
  EMAIL_QUEUE,
  MAINTENANCE_QUEUE,
  pollQueueNames,
  queuePrefix,
} from './jobs.js'

export interface QueueMonitorOptions {
  /**
   * A fail-fast connection (`enableOfflineQueue: false`), shared by every monitored queue: reading
   * counts must answer at once while Redis is down, not wait for it.
   */
  connection: RedisClient
  /** Where the queues are: each queue's prefix comes from these (see `queuePrefix`). */
  config: Pick<Config, 'COLIS_REDIS_PREFIX' | 'COLIS_SHARDS' | 'POLL_QUEUE_LANES' | 'SMTP_URL'>
  /** The carriers whose poll queues exist now (a definition reload may change them), with their rates. */
  carriers(): Array<{ id: string; rateLimit: { max: number } }>
}

/**
 * Read-side handles on every colis queue, for an API process: job counts for the metrics and
 * adapters for the queue dashboard. It never runs a job; the queues are opened lazily, once each.
 */
export function createQueueMonitor(options: QueueMonitorOptions) {
  const queues = new Map<string, { queue: Queue; board: BullMQAdapter }>()

  function open(name: string) {
    let entry = queues.get(name)
    if (!entry) {
      const queue = new Queue(name, {
        connection: options.connection,
        prefix: queuePrefix(options.config, name),
      })
      // Errors surface on the calls that hit them (a failed scrape, a 503 on the board).
      queue.on('error', () => undefined)
      entry = { queue, board: new BullMQAdapter(queue) }
      queues.set(name, entry)
    }
    return entry
  }

  // With leased shards the sweep runs on each process's clock: the maintenance queue stays empty.
  const maintenance = options.config.COLIS_SHARDS > 1 ? [] : [MAINTENANCE_QUEUE]
  const emails = options.config.SMTP_URL ? [EMAIL_QUEUE] : []
  const names = () => [
    ...options
      .carriers()
      .flatMap((carrier) =>
        pollQueueNames(carrier.id, carrierLanes(carrier.rateLimit, options.config.POLL_QUEUE_LANES)),
      ),
    DELIVERY_QUEUE,
    ...emails,
    ...maintenance,
  ]

  return {
    names,
    /** Jobs per state of every queue. */
    async depths(): Promise<QueueDepth[]> {
      return Promise.all(
        names().map(async (name) => ({
          queue: name,
          counts: await open(name).queue.getJobCounts(...QUEUE_STATES),
        })),
      )
    },
    /** The dashboard's adapters, one per queue as the carriers are now. */
    boardQueues(): BullMQAdapter[] {
      return names().map((name) => open(name).board)
    },
    async close() {
      await Promise.all([...queues.values()].map(({ queue }) => queue.close()))
      queues.clear()
    },
  }
}

export type QueueMonitor = ReturnType<typeof createQueueMonitor>
