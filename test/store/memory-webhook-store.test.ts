import { describe, expect, it } from 'vitest'
import { createMemoryWebhookStore } from '../../src/store/memory/memory-webhook-store.js'
import { AT, endpoint, runWebhookStoreContract } from './webhook-store-contract.js'

runWebhookStoreContract('memory webhook store', (existing) =>
  createMemoryWebhookStore({ trackingExists: async (id) => existing.includes(id) }),
)

describe('memory webhook store: subscriptions', () => {
  it('refuses a subscription to a tracking that is gone, and drops those of a forgotten tracking', async () => {
    let exists = true
    const webhooks = createMemoryWebhookStore({ trackingExists: async () => exists })
    const subscription = { ...endpoint('whk_s'), trackingId: 'trk_a' }
    expect(await webhooks.createEndpoint(subscription)).toBe(true)
    expect(await webhooks.listEndpoints({ trackingId: 'trk_a' })).toEqual([subscription])
    expect(await webhooks.listEndpoints({ merchantId: 'shop-a' })).toEqual([])
    webhooks.forgetTracking('trk_a')
    expect(await webhooks.getEndpoint('whk_s')).toBeUndefined()
    exists = false
    expect(await webhooks.createEndpoint({ ...subscription, createdAt: AT })).toBe(false)
    expect(await webhooks.listEndpoints({ trackingId: 'trk_a' })).toEqual([])
  })
})
