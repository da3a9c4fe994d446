import type { Queue } from 'bullmq'
import { type MilestoneSource, milestonesOf } from '../src/domain/shopper-milestones.js'
import type { TrackingNotification } from '../src/domain/tracking-notifications.js'
import type { EmailDelivery, EmailSubscriptionStore } from '../src/store/email-subscription-store.js'
import { type EmailJobData, emailJobId } from './jobs.js'

export interface EmailRelayDeps {
  emails: EmailSubscriptionStore
  queue: Queue<EmailJobData>
  /** The carrier's pickup hold, for the last collection day before `pickup_expiring` opens. */
  pickupHoldDays(tracking: { carrier: string; service?: string }): number
}

type NotificationData = {
  tracking: MilestoneSource['tracking'] & { carrier: string; trackingNumber: string; service?: string }
} & Pick<MilestoneSource, 'newEvents' | 'alert'>

/**
 * The e-mail side of the outbox relay: the milestones each entry announces, one delivery per
 * (subscription, milestone) recorded once whatever replays or repeats ask for it again, and a job of
 * the same identity. The relay acknowledges an entry only after this, so a relay that dies before
 * loses nothing, and the next one's replay creates nothing twice.
 */
export function createEmailRelay(deps: EmailRelayDeps) {
  return {
    async relay(messages: readonly TrackingNotification[]): Promise<void> {
      if (messages.length === 0) return
      const subscriptions = await deps.emails.subscriptionsOf([
        ...new Set(messages.map((message) => message.trackingId)),
      ])
      const deliveries: EmailDelivery[] = []
      for (const message of messages) {
        const active = (subscriptions.get(message.trackingId) ?? []).filter((one) => !one.unsubscribedAt)
        if (active.length === 0) continue
        const data = JSON.parse(message.data) as NotificationData
        const found = milestonesOf({ type: message.type, ...data }, message.timestamp, {
          pickupHoldDays: deps.pickupHoldDays(data.tracking),
        })
        for (const { milestone, facts } of found) {
          for (const subscription of active) {
            if (!subscription.events.includes(milestone)) continue
            deliveries.push({
              trackingId: message.trackingId,
              subscriptionId: subscription.id,
              milestone,
              createdAt: message.timestamp,
              state: 'pending',
              attempts: [],
              facts,
              carrier: data.tracking.carrier,
              trackingNumber: data.tracking.trackingNumber,
            })
          }
        }
      }
      if (deliveries.length === 0) return
      await deps.emails.claimDeliveries(deliveries)
      // Every delivery gets its job, the ones recorded before too: one recorded by a relay that died
      // before queuing it needs it, and for the others the same job id makes this a no-op (the job
      // sends only a delivery still pending, should it have been removed since).
      await deps.queue.addBulk(
        deliveries.map(({ trackingId, subscriptionId, milestone }) => ({
          name: 'send',
          data: { trackingId, subscriptionId, milestone },
          opts: { jobId: emailJobId(subscriptionId, milestone) },
        })),
      )
    },
  }
}

export type EmailRelay = ReturnType<typeof createEmailRelay>
