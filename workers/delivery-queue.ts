import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import { type DeliveryDeps, deliveryBackoff, processDeliveryJob } from './deliver-webhook.js'
import { DELIVERY_QUEUE, type DeliveryJobData } from './jobs.js'

export interface DeliveryQueueOptions {
  connect(): Redis
  bullPrefix: string
  logger: Logger
}

/** The queue of webhook deliveries whose first attempt failed or found no free slot. */
export function createDeliveryQueue(
  options: DeliveryQueueOptions & { attempts: number },
): Queue<DeliveryJobData> {
  const queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
    connection: options.connect(),
    prefix: options.bullPrefix,
    // Completed jobs stay a week: their ids are what makes a replayed outbox entry enqueue nothing.
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'custom' },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  })
  queue.on('error', throttleErrorLog(options.logger, 'delivery queue error'))
  return queue
}

/** Retries deliveries on the webhook schedule (`retryFactor` scales it; 1 in production). */
export function startDeliveryWorker(
  options: DeliveryQueueOptions & { concurrency: number; retryFactor: number; deliver: DeliveryDeps },
): Worker<DeliveryJobData> {
  const worker = new Worker<DeliveryJobData>(
    DELIVERY_QUEUE,
    (job) => processDeliveryJob(job, options.deliver),
    {
      connection: options.connect(),
      prefix: options.bullPrefix,
      concurrency: options.concurrency,
      settings: { backoffStrategy: deliveryBackoff(options.retryFactor) },
    },
  )
  worker.on('error', throttleErrorLog(options.logger, 'delivery worker error'))
  return worker
}
