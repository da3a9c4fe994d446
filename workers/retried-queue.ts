import { type BackoffStrategy, type Job, Queue, Worker } from 'bullmq'
import { throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import type { RedisClient } from '../src/redis/redis-client.js'
import type { QueuePrefix } from './jobs.js'
import {
  DEFAULT_LOCK_MS,
  type SupervisedWorker,
  superviseWorker,
  type TrackJobs,
} from './supervised-worker.js'

export interface RetriedQueueOptions {
  connect(): RedisClient
  queuePrefix: QueuePrefix
  logger: Logger
}

/**
 * A queue of deliveries made from outbox entries (webhooks, e-mails), retried on a schedule of its own.
 * Finished jobs stay a week: their ids are what makes a replayed outbox entry queue nothing.
 */
export function createRetriedQueue<T>(
  name: string,
  label: string,
  options: RetriedQueueOptions & { attempts: number },
): Queue<T> {
  const queue = new Queue<T>(name, {
    connection: options.connect(),
    prefix: options.queuePrefix(name),
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'custom' },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  })
  queue.on('error', throttleErrorLog(options.logger, `${label} queue error`))
  return queue
}

/** The worker of such a queue (`queue`, made by `createRetriedQueue`), its retries spaced by `backoff`. */
export function startRetriedWorker<T>(
  queue: Queue<T>,
  label: string,
  process: (job: Job<T>) => Promise<unknown>,
  backoff: BackoffStrategy,
  options: RetriedQueueOptions & { concurrency: number },
): SupervisedWorker<T> {
  const open = (track: TrackJobs) => {
    const worker = new Worker<T>(queue.name, track(process), {
      connection: options.connect(),
      prefix: options.queuePrefix(queue.name),
      concurrency: options.concurrency,
      lockDuration: DEFAULT_LOCK_MS,
      settings: { backoffStrategy: backoff },
    })
    worker.on('error', throttleErrorLog(options.logger, `${label} worker error`))
    return worker
  }
  return superviseWorker(open, { queue, idleMs: DEFAULT_LOCK_MS, logger: options.logger })
}
