import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import { EMAIL_QUEUE, type EmailJobData } from './jobs.js'
import { type EmailDeps, emailBackoff, processEmailJob } from './send-email.js'

export interface EmailQueueOptions {
  connect(): Redis
  bullPrefix: string
  logger: Logger
}

/** The queue of milestone e-mails, one job per (subscription, milestone). */
export function createEmailQueue(options: EmailQueueOptions & { attempts: number }): Queue<EmailJobData> {
  const queue = new Queue<EmailJobData>(EMAIL_QUEUE, {
    connection: options.connect(),
    prefix: options.bullPrefix,
    // Kept a week: their ids are what makes a replayed outbox entry queue nothing.
    defaultJobOptions: {
      attempts: options.attempts,
      backoff: { type: 'custom' },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  })
  queue.on('error', throttleErrorLog(options.logger, 'e-mail queue error'))
  return queue
}

/** Sends e-mails, retrying on the e-mail schedule (`retryFactor` scales it; 1 in production). */
export function startEmailWorker(
  options: EmailQueueOptions & { concurrency: number; retryFactor: number; deps: EmailDeps },
): Worker<EmailJobData> {
  const worker = new Worker<EmailJobData>(EMAIL_QUEUE, (job) => processEmailJob(job, options.deps), {
    connection: options.connect(),
    prefix: options.bullPrefix,
    concurrency: options.concurrency,
    settings: { backoffStrategy: emailBackoff(options.retryFactor) },
  })
  worker.on('error', throttleErrorLog(options.logger, 'e-mail worker error'))
  return worker
}
