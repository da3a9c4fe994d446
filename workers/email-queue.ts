import type { Queue } from 'bullmq'
import { EMAIL_QUEUE, type EmailJobData } from './jobs.js'
import { createRetriedQueue, type RetriedQueueOptions, startRetriedWorker } from './retried-queue.js'
import { type EmailDeps, emailBackoff, processEmailJob } from './send-email.js'
import type { SupervisedWorker } from './supervised-worker.js'

export type EmailQueueOptions = RetriedQueueOptions

/** The queue of milestone e-mails, one job per (subscription, milestone). */
export function createEmailQueue(options: EmailQueueOptions & { attempts: number }): Queue<EmailJobData> {
  return createRetriedQueue(EMAIL_QUEUE, 'e-mail', options)
}

/** Sends e-mails, retrying on the e-mail schedule (`retryFactor` scales it; 1 in production). */
export function startEmailWorker(
  options: EmailQueueOptions & {
    queue: Queue<EmailJobData>
    concurrency: number
    retryFactor: number
    deps: EmailDeps
  },
): SupervisedWorker<EmailJobData> {
  return startRetriedWorker<EmailJobData>(
    options.queue,
    'e-mail',
    (job) => processEmailJob(job, options.deps),
    emailBackoff(options.retryFactor),
    options,
  )
}
