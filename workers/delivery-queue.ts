import type { Queue } from 'bullmq'
import { type DeliveryDeps, deliveryBackoff, processDeliveryJob } from './deliver-webhook.js'
import { DELIVERY_QUEUE, type DeliveryJobData } from './jobs.js'
import { createRetriedQueue, type RetriedQueueOptions, startRetriedWorker } from './retried-queue.js'
import type { SupervisedWorker } from './supervised-worker.js'

export type DeliveryQueueOptions = RetriedQueueOptions

/** The queue of webhook deliveries whose first attempt failed or found no free slot. */
export function createDeliveryQueue(
  options: DeliveryQueueOptions & { attempts: number },
): Queue<DeliveryJobData> {
  return createRetriedQueue(DELIVERY_QUEUE, 'delivery', options)
}

/** Retries deliveries on the webhook schedule (`retryFactor` scales it; 1 in production). */
export function startDeliveryWorker(
  options: DeliveryQueueOptions & {
    queue: Queue<DeliveryJobData>
    concurrency: number
    retryFactor: number
    deliver: DeliveryDeps
  },
): SupervisedWorker<DeliveryJobData> {
  return startRetriedWorker<DeliveryJobData>(
    options.queue,
    'delivery',
    (job) => processDeliveryJob(job, options.deliver),
    deliveryBackoff(options.retryFactor),
    options,
  )
}
