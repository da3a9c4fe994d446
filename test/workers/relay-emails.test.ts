import type { Queue } from 'bullmq'
import { describe, expect, it } from 'vitest'
import type { TrackingNotification } from '../../src/domain/tracking-notifications.js'
import { createMemoryEmailSubscriptionStore } from '../../src/store/memory/memory-email-subscription-store.js'
import type { EmailJobData } from '../../workers/jobs.js'
import { createEmailRelay } from '../../workers/relay-emails.js'
import { subscription } from '../store/email-subscription-store-contract.js'

const DELIVERED_SCAN = {
  id: 'evt_d',
  occurredAt: '2026-12-08T10:30:00+01:00',
  status: 'delivered',
  code: 'D',
  description: 'Livré',
}

function statusChange(status: string, sequence: number): TrackingNotification {
  return {
    type: 'tracking.status_changed',
    merchantId: 'shop-a',
    trackingId: 'trk_a',
    sequence,
    timestamp: `2026-12-08T10:3${sequence}:00.000Z`,
    data: JSON.stringify({
      tracking: { carrier: 'sandbox', trackingNumber: 'SBX1', status, events: [DELIVERED_SCAN] },
      sequence,
    }),
  }
}

describe('the e-mail relay', () => {
  it('records a milestone once and always queues it under the same job id: replays, repeats and flapping statuses add nothing', async () => {
    const emails = createMemoryEmailSubscriptionStore({ trackingExists: async () => true })
    await emails.add(subscription('ntf_1', 'trk_a'), { max: 3 })
    await emails.add({ ...subscription('ntf_2', 'trk_a'), events: ['shipped'] }, { max: 3 })
    const jobs: Array<{ data: EmailJobData; opts: { jobId: string } }> = []
    const queue = {
      addBulk: async (added: typeof jobs) => jobs.push(...added),
    } as unknown as Queue<EmailJobData>
    const relay = createEmailRelay({ emails, queue, pickupHoldDays: () => 10 })

    const delivered = statusChange('delivered', 1)
    await relay.relay([delivered])
    await relay.relay([delivered])
    await relay.relay([statusChange('in_transit', 2), statusChange('delivered', 3)])

    const [listed] = await emails.list('trk_a')
    expect(listed?.deliveries.map((delivery) => [delivery.milestone, delivery.createdAt])).toEqual([
      ['delivered', delivered.timestamp],
    ])
    expect(new Set(jobs.map((job) => job.opts.jobId))).toEqual(new Set(['ntf_1-delivered']))
    expect(jobs[0]?.data).toEqual({ trackingId: 'trk_a', subscriptionId: 'ntf_1', milestone: 'delivered' })
  })

  it('derives nothing for an unsubscribed shopper', async () => {
    const emails = createMemoryEmailSubscriptionStore({ trackingExists: async () => true })
    await emails.add(subscription('ntf_1', 'trk_a'), { max: 3 })
    await emails.unsubscribe('trk_a', 'ntf_1', '2026-12-08T00:00:00.000Z')
    const jobs: unknown[] = []
    const queue = {
      addBulk: async (added: unknown[]) => jobs.push(...added),
    } as unknown as Queue<EmailJobData>
    await createEmailRelay({ emails, queue, pickupHoldDays: () => 10 }).relay([statusChange('delivered', 1)])
    expect(jobs).toEqual([])
    expect((await emails.list('trk_a'))[0]?.deliveries).toEqual([])
  })
})
