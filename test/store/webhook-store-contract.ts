import { describe, expect, it } from 'vitest'
import { createTrackingId } from '../../src/store/record-ids.js'
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from '../../src/store/webhook-store.js'

export const AT = '2026-03-27T10:00:00.000Z'

export function endpoint(id: string): WebhookEndpoint {
  return {
    id,
    merchantId: 'shop-a',
    url: 'https://example.com/hooks',
    events: ['tracking.updated'],
    secrets: [{ secret: 'whsec_dGVzdA==', createdAt: AT }],
    createdAt: AT,
  }
}

export function delivery(id: string, endpointId: string): WebhookDelivery {
  return {
    id,
    endpointId,
    messageId: `msg_${id}`,
    type: 'tracking.updated',
    trackingId: 'trk_a',
    createdAt: AT,
    state: 'pending',
    attempts: [],
    body: '{"type":"tracking.updated"}',
  }
}

/** Records an attempt on `dlv_1` from a copy read before another attempt was recorded (503, then 200). */
export async function recordAttemptsInConflict(webhooks: WebhookStore): Promise<void> {
  const loaded = await webhooks.loadDelivery('dlv_1', 'whk_a')
  await webhooks.recordAttempt('dlv_1', { at: AT, statusCode: 503, durationMs: 5 }, 'pending')
  await webhooks.recordAttempt(
    'dlv_1',
    { at: AT, statusCode: 200, durationMs: 7 },
    'delivered',
    loaded?.stored,
  )
}

/** Trackings of shards 0, 1 and 2 of 64 (and so of any count of shards dividing 64). */
export const TRACKINGS_OF_SHARDS = [0, 1, 2].map((shard) => createTrackingId(shard, 64)) as [
  string,
  string,
  string,
]

export function subscriptionTo(id: string, trackingId: string): WebhookEndpoint {
  return { ...endpoint(id), trackingId }
}

/**
 * What every `WebhookStore` does, whatever keeps its documents: run against the memory store and the
 * Redis store alike. `createStore(existing)` gives an empty store each time, where the trackings named
 * in `existing` exist (the others are gone).
 */
export function runWebhookStoreContract(
  name: string,
  createStore: (existing: readonly string[]) => WebhookStore | Promise<WebhookStore>,
) {
  async function fresh(existing: readonly string[] = []) {
    const webhooks = await createStore(existing)
    await webhooks.createEndpoint(endpoint('whk_a'))
    await webhooks.createEndpoint(endpoint('whk_b'))
    await webhooks.createDeliveries([delivery('dlv_1', 'whk_a')])
    return webhooks
  }

  describe(`${name}: endpoints`, () => {
    it("lists a merchant's endpoints by id, and forgets a deleted one", async () => {
      const webhooks = await fresh()
      expect((await webhooks.listEndpoints({ merchantId: 'shop-a' })).map((found) => found.id)).toEqual([
        'whk_a',
        'whk_b',
      ])
      await webhooks.deleteEndpoint(endpoint('whk_a'))
      expect(await webhooks.getEndpoint('whk_a')).toBeUndefined()
      expect(await webhooks.listEndpoints({ merchantId: 'shop-a' })).toEqual([endpoint('whk_b')])
      expect(await webhooks.listEndpoints({ merchantId: 'shop-b' })).toEqual([])
    })

    it('updates an endpoint as it is now, and leaves it alone when the change has nothing to do', async () => {
      const webhooks = await fresh()
      const disabled = await webhooks.updateEndpoint('whk_a', (current) => ({ ...current, disabledAt: AT }))
      expect(disabled).toEqual({ ...endpoint('whk_a'), disabledAt: AT })
      expect(await webhooks.updateEndpoint('whk_a', () => undefined)).toEqual(disabled)
      expect(await webhooks.getEndpoint('whk_a')).toEqual(disabled)
      expect(await webhooks.updateEndpoint('whk_gone', (current) => current)).toBeUndefined()
    })
  })

  describe(`${name}: shopper subscriptions`, () => {
    const [first, second, gone] = TRACKINGS_OF_SHARDS

    it('subscribes to trackings of different shards, each listing its own, never among the merchant ones', async () => {
      const webhooks = await fresh([first, second])
      expect(await webhooks.createEndpoint(subscriptionTo('whk_s1', first))).toBe(true)
      expect(await webhooks.createEndpoint(subscriptionTo('whk_s3', second))).toBe(true)
      expect(await webhooks.createEndpoint(subscriptionTo('whk_s2', second))).toBe(true)
      expect(await webhooks.listEndpoints({ trackingId: first })).toEqual([subscriptionTo('whk_s1', first)])
      expect((await webhooks.listEndpoints({ trackingId: second })).map((found) => found.id)).toEqual([
        'whk_s2',
        'whk_s3',
      ])
      expect((await webhooks.listEndpoints({ merchantId: 'shop-a' })).map((found) => found.id)).toEqual([
        'whk_a',
        'whk_b',
      ])
      expect(await webhooks.getEndpoint('whk_s2')).toEqual(subscriptionTo('whk_s2', second))
    })

    it('refuses a subscription to a tracking that is gone, and keeps nothing of it', async () => {
      const webhooks = await fresh([first])
      expect(await webhooks.createEndpoint(subscriptionTo('whk_s1', gone))).toBe(false)
      expect(await webhooks.getEndpoint('whk_s1')).toBeUndefined()
      expect(await webhooks.listEndpoints({ trackingId: gone })).toEqual([])
    })

    it("gives several merchants' and trackings' endpoints at once (the relay's batch)", async () => {
      const webhooks = await fresh([first, second, gone])
      await webhooks.createEndpoint(subscriptionTo('whk_s1', first))
      await webhooks.createEndpoint(subscriptionTo('whk_s2', second))
      await webhooks.createEndpoint(subscriptionTo('whk_s3', second))
      const found = await webhooks.endpointsOf({
        merchantIds: ['shop-a', 'shop-b'],
        trackingIds: [second, gone, first],
      })
      const ids = (map: Map<string, WebhookEndpoint[]>) =>
        Object.fromEntries([...map].map(([key, endpoints]) => [key, endpoints.map(({ id }) => id).sort()]))
      expect(ids(found.ofMerchant)).toEqual({ 'shop-a': ['whk_a', 'whk_b'], 'shop-b': [] })
      expect(ids(found.ofTracking)).toEqual({
        [first]: ['whk_s1'],
        [second]: ['whk_s2', 'whk_s3'],
        [gone]: [],
      })
      expect(await webhooks.endpointsOf({ merchantIds: [], trackingIds: [] })).toEqual({
        ofMerchant: new Map(),
        ofTracking: new Map(),
      })
    })

    it('deletes a subscription: its tracking forgets it, the others stay', async () => {
      const webhooks = await fresh([first, second])
      await webhooks.createEndpoint(subscriptionTo('whk_s1', first))
      await webhooks.createEndpoint(subscriptionTo('whk_s2', first))
      await webhooks.createEndpoint(subscriptionTo('whk_s3', second))
      await webhooks.deleteEndpoint(subscriptionTo('whk_s1', first))
      expect(await webhooks.getEndpoint('whk_s1')).toBeUndefined()
      expect((await webhooks.listEndpoints({ trackingId: first })).map((found) => found.id)).toEqual([
        'whk_s2',
      ])
      expect(
        (await webhooks.endpointsOf({ merchantIds: [], trackingIds: [first, second] })).ofTracking,
      ).toEqual(
        new Map([
          [first, [subscriptionTo('whk_s2', first)]],
          [second, [subscriptionTo('whk_s3', second)]],
        ]),
      )
    })
  })

  describe(`${name}: deliveries`, () => {
    it('loads a delivery with its own endpoint, whichever endpoint it is told', async () => {
      const webhooks = await fresh()
      const told = await webhooks.loadDelivery('dlv_1', 'whk_a')
      expect(told?.delivery).toEqual(delivery('dlv_1', 'whk_a'))
      expect(told?.endpoint?.id).toBe('whk_a')
      expect(JSON.parse(told?.stored ?? '')).toEqual(delivery('dlv_1', 'whk_a'))
      expect((await webhooks.loadDelivery('dlv_1'))?.endpoint?.id).toBe('whk_a')
      expect((await webhooks.loadDelivery('dlv_1', 'whk_b'))?.endpoint?.id).toBe('whk_a')
      expect(await webhooks.loadDelivery('dlv_missing', 'whk_a')).toBeUndefined()
    })

    it('creates a delivery once: gives the document it wrote, then undefined for one that exists', async () => {
      const webhooks = await fresh()
      const created = await webhooks.createDeliveries([
        delivery('dlv_2', 'whk_a'),
        delivery('dlv_1', 'whk_a'),
      ])
      expect(JSON.parse(created[0] ?? '')).toEqual(delivery('dlv_2', 'whk_a'))
      expect(created[1]).toBeUndefined()
      expect(await webhooks.createDeliveries([delivery('dlv_2', 'whk_a')])).toEqual([undefined])
      expect((await webhooks.listDeliveries('whk_a', 10)).map((found) => found.id)).toEqual([
        'dlv_2',
        'dlv_1',
      ])
      expect(await webhooks.listDeliveries('whk_b', 10)).toEqual([])
    })

    it('lists deliveries newest first, before a time when asked', async () => {
      const webhooks = await fresh()
      const later = { ...delivery('dlv_2', 'whk_a'), createdAt: '2026-03-27T11:00:00.000Z' }
      await webhooks.createDeliveries([later])
      expect((await webhooks.listDeliveries('whk_a', 10)).map((found) => found.id)).toEqual([
        'dlv_2',
        'dlv_1',
      ])
      expect((await webhooks.listDeliveries('whk_a', 1)).map((found) => found.id)).toEqual(['dlv_2'])
      const before = Date.parse(later.createdAt)
      expect((await webhooks.listDeliveries('whk_a', 10, before)).map((found) => found.id)).toEqual(['dlv_1'])
    })

    it('records an attempt on the delivery as it was read', async () => {
      const webhooks = await fresh()
      const loaded = await webhooks.loadDelivery('dlv_1', 'whk_a')
      await webhooks.recordAttempt(
        'dlv_1',
        { at: AT, statusCode: 200, durationMs: 12 },
        'delivered',
        loaded?.stored,
      )
      expect(await webhooks.getDelivery('dlv_1')).toMatchObject({
        state: 'delivered',
        attempts: [{ at: AT, statusCode: 200, durationMs: 12 }],
      })
    })

    it('keeps an attempt recorded meanwhile by someone else', async () => {
      const webhooks = await fresh()
      await recordAttemptsInConflict(webhooks)
      expect((await webhooks.getDelivery('dlv_1'))?.attempts.map((attempt) => attempt.statusCode)).toEqual([
        503, 200,
      ])
    })
  })
}
