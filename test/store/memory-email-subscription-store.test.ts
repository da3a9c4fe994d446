import { describe, expect, it } from 'vitest'
import { createMemoryStores } from '../../src/main/stores.js'
import { createMemoryEmailSubscriptionStore } from '../../src/store/memory/memory-email-subscription-store.js'
import type { PollView } from '../../src/store/tracking-store.js'
import { runEmailSubscriptionStoreContract, subscription } from './email-subscription-store-contract.js'

runEmailSubscriptionStoreContract('memory', async (existing) =>
  createMemoryEmailSubscriptionStore({ trackingExists: async (id) => existing.includes(id) }),
)

describe('memory stores: e-mail subscriptions follow their tracking', () => {
  it('expire NOTIFY_RETENTION after the save that ends the parcel, and go with a deleted tracking', async () => {
    let nowMs = Date.parse('2026-03-27T10:00:00.000Z')
    const stores = createMemoryStores({ now: () => nowMs, notifyRetentionMs: 60_000 })
    const at = new Date(nowMs)
    const ended = await stores.trackings.register(
      { merchantId: 'shop-a', carrier: 'sandbox', trackingNumber: 'SBXDELIVERED001' },
      at,
    )
    const deleted = await stores.trackings.register(
      { merchantId: 'shop-a', carrier: 'sandbox', trackingNumber: 'SBXDELIVERED002' },
      at,
    )
    await stores.emails.add(subscription('ntf_1', ended.record.id), { max: 3 })
    await stores.emails.add(subscription('ntf_2', deleted.record.id), { max: 3 })
    const [view] = (await stores.trackings.loadForPoll([ended.record.id])) as [PollView]
    await stores.trackings.save([{ before: view, record: { ...view.record, status: 'delivered' } }])

    nowMs += 59_000
    expect(await stores.emails.get(ended.record.id, 'ntf_1')).toBeDefined()
    nowMs += 1_000
    expect(await stores.emails.get(ended.record.id, 'ntf_1')).toBeUndefined()

    await stores.trackings.delete('shop-a', deleted.record.id)
    expect(await stores.emails.list(deleted.record.id)).toEqual([])
  })
})
