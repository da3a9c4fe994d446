import { z } from '@hono/zod-openapi'
import { SHOPPER_MILESTONES } from '../domain/shopper-milestones.js'
import type { TrackingRecord } from '../domain/tracking.js'
import { isTerminalStatus } from '../domain/tracking-status.js'
import { createUnsubscribeSecret } from '../email/unsubscribe-token.js'
import {
  EMAIL_LANGUAGES,
  type EmailDelivery,
  type EmailLanguage,
  type EmailSubscription,
} from '../store/email-subscription-store.js'
import { createId } from '../store/record-ids.js'
import type { AppDeps } from './app-deps.js'
import { ApiError } from './problem.js'

/** At most this many e-mail notifications per tracking: a parcel has one or two people waiting for it. */
export const MAX_EMAIL_SUBSCRIPTIONS_PER_TRACKING = 3

/** An address as SMTP carries it (RFC 5321 caps a path at 254 characters): no display name, one line. */
export const EmailAddress = z
  .email({ message: 'an e-mail address such as marie@example.com' })
  .max(254)
  .openapi({ example: 'marie.dupont@example.com' })

export const CreateEmailNotificationSchema = z
  .object({
    channel: z.literal('email'),
    to: EmailAddress,
    lang: z
      .enum(EMAIL_LANGUAGES)
      .optional()
      .describe('Language of the e-mails; French unless the parcel goes outside French-speaking countries'),
    events: z
      .array(z.enum(SHOPPER_MILESTONES))
      .min(1)
      .max(SHOPPER_MILESTONES.length)
      .refine((events) => new Set(events).size === events.length, 'each milestone once')
      .optional()
      .describe('The milestones to e-mail about; all of them by default'),
  })
  .strict()
  .openapi('CreateEmailNotification', {
    example: { channel: 'email', to: 'marie.dupont@example.com', lang: 'fr' },
  })

const EmailAttemptSchema = z
  .object({
    at: z.string(),
    smtpCode: z.number().int().optional().describe("The SMTP server's reply code"),
    smtpResponse: z.string().optional().describe('Its reply, trimmed, the address left out'),
    error: z.string().optional().describe('What failed before any reply (connection, timeout)'),
  })
  .openapi('EmailAttempt')

const EmailDeliverySchema = z
  .object({
    milestone: z.enum(SHOPPER_MILESTONES),
    createdAt: z.string(),
    state: z
      .enum(['pending', 'sent', 'failed', 'skipped'])
      .describe('`skipped`: the shopper had unsubscribed before it was sent'),
    attempts: z.array(EmailAttemptSchema),
  })
  .openapi('EmailDelivery')

export const EmailNotificationSchema = z
  .object({
    id: z.string().openapi({ example: 'ntf_3kQ9xLm2Pz7Rt0VbW4sY' }),
    channel: z.literal('email'),
    to: EmailAddress,
    lang: z.enum(EMAIL_LANGUAGES),
    events: z.array(z.enum(SHOPPER_MILESTONES)),
    createdAt: z.string(),
    state: z.enum(['active', 'unsubscribed']),
    unsubscribedAt: z.string().optional(),
    deliveries: z.array(EmailDeliverySchema).describe('One per milestone e-mailed, with every attempt'),
  })
  .openapi('EmailNotification')

export type EmailNotificationView = z.output<typeof EmailNotificationSchema>

export function toEmailNotificationView(
  subscription: EmailSubscription,
  deliveries: readonly EmailDelivery[],
): EmailNotificationView {
  return {
    id: subscription.id,
    channel: subscription.channel,
    to: subscription.to,
    lang: subscription.lang,
    events: subscription.events,
    createdAt: subscription.createdAt,
    state: subscription.unsubscribedAt ? 'unsubscribed' : 'active',
    ...(subscription.unsubscribedAt ? { unsubscribedAt: subscription.unsubscribedAt } : {}),
    deliveries: deliveries.map(({ milestone, createdAt, state, attempts }) => ({
      milestone,
      createdAt,
      state,
      attempts,
    })),
  }
}

const FRENCH_SPEAKING = new Set(['FR', 'BE', 'CH', 'LU', 'MC'])

function defaultLanguage(record: TrackingRecord): EmailLanguage {
  return FRENCH_SPEAKING.has((record.destinationCountry ?? 'FR').toUpperCase()) ? 'fr' : 'en'
}

export type EmailSubscriptionDeps = Pick<AppDeps, 'emails' | 'emailEnabled' | 'notifyRetentionMs'>

/** Refuses e-mail subscriptions on a deployment that cannot send e-mails. */
export function assertEmailEnabled(deps: Pick<AppDeps, 'emailEnabled'>): void {
  if (!deps.emailEnabled)
    throw new ApiError('email_not_configured', 'set SMTP_URL and SMTP_FROM to e-mail shoppers')
}

/**
 * Adds an e-mail subscription to a tracking. `reuse`: an active subscription to the same address is
 * kept instead (registering a parcel again, importing a file again).
 */
export async function subscribeByEmail(
  deps: EmailSubscriptionDeps,
  record: TrackingRecord,
  input: { to: string; lang?: EmailLanguage; events?: readonly (typeof SHOPPER_MILESTONES)[number][] },
  at: Date,
  options: { reuse?: boolean } = {},
): Promise<EmailSubscription> {
  assertEmailEnabled(deps)
  if (options.reuse) {
    const same = (await deps.emails.list(record.id)).find(
      ({ subscription }) =>
        !subscription.unsubscribedAt && subscription.to.toLowerCase() === input.to.toLowerCase(),
    )
    if (same) return same.subscription
  }
  const subscription: EmailSubscription = {
    id: createId('ntf'),
    trackingId: record.id,
    merchantId: record.merchantId,
    channel: 'email',
    to: input.to,
    lang: input.lang ?? defaultLanguage(record),
    events: [...(input.events ?? SHOPPER_MILESTONES)],
    createdAt: at.toISOString(),
    unsubscribeSecret: createUnsubscribeSecret(),
  }
  const over = isTerminalStatus(record.status, record.final ?? false)
  const outcome = await deps.emails.add(subscription, {
    max: MAX_EMAIL_SUBSCRIPTIONS_PER_TRACKING,
    expireAfterMs: over ? deps.notifyRetentionMs : undefined,
  })
  if (outcome === 'gone') throw new ApiError('not_found', 'no such tracking')
  if (outcome === 'too_many') {
    throw new ApiError(
      'too_many_notifications',
      `at most ${MAX_EMAIL_SUBSCRIPTIONS_PER_TRACKING} e-mail notifications per tracking`,
    )
  }
  return subscription
}
