import { describe, expect, it } from 'vitest'
import type { ShopperMilestone } from '../../src/domain/shopper-milestones.js'
import type {
  EmailDelivery,
  EmailSubscription,
  EmailSubscriptionStore,
} from '../../src/store/email-subscription-store.js'
import { createTrackingId } from '../../src/store/record-ids.js'

export const AT = '2026-03-27T10:00:00.000Z'

export function subscription(id: string, trackingId: string, createdAt = AT): EmailSubscription {
  return {
    id,
    trackingId,
    merchantId: 'shop-a',
    channel: 'email',
    to: `${id}@example.com`,
    lang: 'fr',
    events: ['delivered', 'shipped'],
    createdAt,
    unsubscribeSecret: 'x'.repeat(32),
  }
}

export function emailDelivery(
  trackingId: string,
  subscriptionId: string,
  milestone: ShopperMilestone,
): EmailDelivery {
  return {
    trackingId,
    subscriptionId,
    milestone,
    createdAt: AT,
    state: 'pending',
    attempts: [],
    facts: { at: AT },
    carrier: 'sandbox',
    trackingNumber: 'SBXDELIVERED001',
  }
}

/**
 * What every e-mail subscription store does. `open(existing)` gives a store whose trackings named in
 * `existing` exist (the others are gone).
 */
export function runEmailSubscriptionStoreContract(
  name: string,
  open: (existing: readonly string[]) => Promise<EmailSubscriptionStore>,
) {
  describe(`${name}: e-mail subscription store contract`, () => {
    it('adds subscriptions to a tracking that exists, up to the maximum, and lists them oldest first', async () => {
      const store = await open(['trk_a'])
      const later = subscription('ntf_2', 'trk_a', '2026-03-27T11:00:00.000Z')
      expect(await store.add(later, { max: 2 })).toBe('added')
      expect(await store.add(subscription('ntf_1', 'trk_a'), { max: 2 })).toBe('added')
      expect(await store.add(subscription('ntf_3', 'trk_a'), { max: 2 })).toBe('too_many')
      const listed = await store.list('trk_a')
      expect(listed.map(({ subscription }) => subscription.id)).toEqual(['ntf_1', 'ntf_2'])
      expect(listed[1]).toEqual({ subscription: later, deliveries: [] })
      expect(await store.get('trk_a', 'ntf_2')).toEqual(later)
    })

    it('refuses a subscription to a tracking that is gone', async () => {
      const store = await open([])
      expect(await store.add(subscription('ntf_1', 'trk_gone'), { max: 3 })).toBe('gone')
      expect(await store.list('trk_gone')).toEqual([])
    })

    it('records a delivery once per subscription and milestone, whatever claims it again', async () => {
      const store = await open(['trk_a', 'trk_b'])
      await store.add(subscription('ntf_1', 'trk_a'), { max: 3 })
      await store.add(subscription('ntf_2', 'trk_b'), { max: 3 })
      const first = [
        emailDelivery('trk_a', 'ntf_1', 'shipped'),
        emailDelivery('trk_b', 'ntf_2', 'shipped'),
        emailDelivery('trk_a', 'ntf_1', 'delivered'),
      ]
      expect(await store.claimDeliveries(first)).toEqual([true, true, true])
      const again = { ...emailDelivery('trk_a', 'ntf_1', 'shipped'), createdAt: '2026-03-28T00:00:00.000Z' }
      expect(await store.claimDeliveries([again, emailDelivery('trk_a', 'ntf_1', 'delayed')])).toEqual([
        false,
        true,
      ])
      expect((await store.loadDelivery('trk_a', 'ntf_1', 'shipped'))?.delivery.createdAt).toBe(AT)
      expect((await store.list('trk_a'))[0]?.deliveries.map((delivery) => delivery.milestone).sort()).toEqual(
        ['delayed', 'delivered', 'shipped'],
      )
      expect(await store.claimDeliveries([])).toEqual([])
    })

    it('records no delivery for a subscription that is gone', async () => {
      const store = await open(['trk_a'])
      expect(await store.claimDeliveries([emailDelivery('trk_a', 'ntf_x', 'shipped')])).toEqual([false])
      expect(await store.loadDelivery('trk_a', 'ntf_x', 'shipped')).toBeUndefined()
    })

    it('saves attempts on a delivery, and never brings back one removed meanwhile', async () => {
      const store = await open(['trk_a'])
      await store.add(subscription('ntf_1', 'trk_a'), { max: 3 })
      await store.claimDeliveries([emailDelivery('trk_a', 'ntf_1', 'shipped')])
      const loaded = await store.loadDelivery('trk_a', 'ntf_1', 'shipped')
      expect(loaded?.subscription.id).toBe('ntf_1')
      const attempted = {
        ...(loaded?.delivery as EmailDelivery),
        state: 'sent' as const,
        attempts: [{ at: AT, smtpCode: 250, smtpResponse: '250 OK' }],
      }
      await store.saveDelivery(attempted)
      expect((await store.loadDelivery('trk_a', 'ntf_1', 'shipped'))?.delivery).toEqual(attempted)
      expect(await store.remove('trk_a', 'ntf_1')).toBe(true)
      await store.saveDelivery(attempted)
      expect(await store.loadDelivery('trk_a', 'ntf_1', 'shipped')).toBeUndefined()
      expect(await store.list('trk_a')).toEqual([])
      expect(await store.remove('trk_a', 'ntf_1')).toBe(false)
    })

    it('unsubscribes once: a second call keeps the first time, and a subscription that is gone stays gone', async () => {
      const store = await open(['trk_a'])
      await store.add(subscription('ntf_1', 'trk_a'), { max: 3 })
      const first = await store.unsubscribe('trk_a', 'ntf_1', '2026-03-28T00:00:00.000Z')
      expect(first?.unsubscribedAt).toBe('2026-03-28T00:00:00.000Z')
      const second = await store.unsubscribe('trk_a', 'ntf_1', '2026-03-29T00:00:00.000Z')
      expect(second?.unsubscribedAt).toBe('2026-03-28T00:00:00.000Z')
      expect(await store.unsubscribe('trk_a', 'ntf_2', AT)).toBeUndefined()
      expect(await store.get('trk_a', 'ntf_2')).toBeUndefined()
    })

    it("claims and reads the deliveries of trackings of different shards in one batch (the relay's)", async () => {
      const [first, second, third] = [0, 1, 2].map((shard) => createTrackingId(shard, 64)) as [
        string,
        string,
        string,
      ]
      const store = await open([first, second, third])
      await store.add(subscription('ntf_1', first), { max: 3 })
      await store.add(subscription('ntf_2', second), { max: 3 })
      await store.add(subscription('ntf_3', second, '2026-03-27T11:00:00.000Z'), { max: 3 })
      const found = await store.subscriptionsOf([third, second, first])
      expect([...found].map(([id, subscriptions]) => [id, subscriptions.map(({ id }) => id)])).toEqual([
        [third, []],
        [second, ['ntf_2', 'ntf_3']],
        [first, ['ntf_1']],
      ])
      const batch = [
        emailDelivery(second, 'ntf_3', 'shipped'),
        emailDelivery(first, 'ntf_1', 'shipped'),
        emailDelivery(third, 'ntf_9', 'shipped'),
        emailDelivery(second, 'ntf_2', 'shipped'),
      ]
      expect(await store.claimDeliveries(batch)).toEqual([true, true, false, true])
      expect(await store.claimDeliveries(batch)).toEqual([false, false, false, false])
      expect((await store.loadDelivery(first, 'ntf_1', 'shipped'))?.delivery).toEqual(batch[1])
    })

    it("gives several trackings' subscriptions at once, none for one without", async () => {
      const store = await open(['trk_a', 'trk_b'])
      await store.add(subscription('ntf_1', 'trk_a'), { max: 3 })
      const found = await store.subscriptionsOf(['trk_a', 'trk_b'])
      expect(found.get('trk_a')?.map(({ id }) => id)).toEqual(['ntf_1'])
      expect(found.get('trk_b')).toEqual([])
    })
  })
}
