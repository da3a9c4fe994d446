import type { EmailContextSources } from '../src/email/email-context.js'
import { buildEmailContext } from '../src/email/email-context.js'
import { renderMilestoneEmail } from '../src/email/milestone-email.js'
import type { SmtpSender } from '../src/email/smtp-sender.js'
import type { Logger } from '../src/logger.js'
import type {
  EmailAttempt,
  EmailDelivery,
  EmailSubscriptionStore,
} from '../src/store/email-subscription-store.js'
import type { EmailJobData } from './jobs.js'

/** Waits before each retry of an e-mail the server refused for now (4xx) or could not take. */
export const EMAIL_RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000]

/** BullMQ's backoff for e-mail jobs: the schedule above, scaled (SMTP_RETRY_FACTOR). */
export function emailBackoff(factor: number) {
  return (attemptsMade: number): number => {
    const delay = EMAIL_RETRY_DELAYS_MS[attemptsMade - 1]
    return delay === undefined ? -1 : Math.max(1, Math.round(delay * factor))
  }
}

/** An attempt the server may accept later: BullMQ tries again on the schedule. */
export class RetryableEmailError extends Error {
  override readonly name = 'RetryableEmailError'
}

export interface EmailDeps {
  emails: EmailSubscriptionStore
  sender: SmtpSender
  /** PUBLIC_BASE_URL: the unsubscribe links start with it. */
  publicBaseUrl: string
  sources?: EmailContextSources
  /** Attempts in all, the first included. */
  attempts: number
  logger: Logger
  now?: () => Date
}

/**
 * Sends one milestone e-mail and records the attempt. Only a delivery still pending is sent: a job
 * replayed or queued again after it was settled sends nothing. The address is read here, from the
 * store, and appears in no log line and no job.
 */
export async function processEmailJob(
  job: { data: EmailJobData; attemptsMade: number },
  deps: EmailDeps,
): Promise<EmailDelivery['state'] | 'gone'> {
  const { trackingId, subscriptionId, milestone } = job.data
  const loaded = await deps.emails.loadDelivery(trackingId, subscriptionId, milestone)
  if (!loaded) return 'gone'
  const { subscription, delivery } = loaded
  if (delivery.state !== 'pending') return delivery.state
  if (subscription.unsubscribedAt) {
    await deps.emails.saveDelivery({ ...delivery, state: 'skipped' })
    return 'skipped'
  }
  const context = await buildEmailContext(
    { subscription, delivery, publicBaseUrl: deps.publicBaseUrl },
    deps.sources,
  )
  const email = renderMilestoneEmail(context)
  const at = (deps.now ?? (() => new Date()))().toISOString()
  const result = await deps.sender.send({
    to: subscription.to,
    ...email,
    messageId: `<${subscription.id}-${milestone}@${new URL(deps.publicBaseUrl).hostname}>`,
    headers: {
      'List-Unsubscribe': `<${context.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  })
  const { outcome, ...reply } = result
  const attempt: EmailAttempt = { at, ...reply }
  const last = job.attemptsMade + 1 >= deps.attempts
  const state: EmailDelivery['state'] =
    outcome === 'accepted' ? 'sent' : outcome === 'refused' || last ? 'failed' : 'pending'
  await deps.emails.saveDelivery({ ...delivery, attempts: [...delivery.attempts, attempt], state })
  deps.logger.info(
    { trackingId, subscriptionId, milestone, outcome, smtpCode: reply.smtpCode, state },
    'shopper e-mail attempted',
  )
  if (state === 'pending') throw new RetryableEmailError(`SMTP ${reply.smtpCode ?? 'connection failed'}`)
  return state
}
