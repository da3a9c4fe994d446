import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmailSubscriptionStore } from '../../../src/store/email-subscription-store.js'
import { createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import type { PollView } from '../../../src/store/tracking-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { runEmailSubscriptionStoreContract, subscription } from '../email-subscription-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

for (const shards of [1, 8]) {
  runEmailSubscriptionStoreContract(`redis, ${shards} shard(s)`, async (existing) => {
    const prefix = uniquePrefix('emails-contract')
    const keys = createRedisKeys(prefix, shards)
    for (const id of existing) await redis.hset(keys.tracking(id), 'doc', '{}', 'v', '1')
    return createEmailSubscriptionStore(redis, prefix, shards)
  })
}

describe('redis: e-mail subscriptions follow their tracking', () => {
  const register = async (prefix: string, number: string) => {
    const store = createRedisTrackingStore(redis, prefix, { notifyRetentionMs: 3_600_000 })
    const { record } = await store.register(
      { merchantId: 'shop-a', carrier: 'sandbox', trackingNumber: number },
      new Date(),
    )
    return { store, record }
  }

  it('expire NOTIFY_RETENTION after the save that ends the parcel, in that same write', async () => {
    const prefix = uniquePrefix('emails-expiry')
    const keys = createRedisKeys(prefix)
    const emails = createEmailSubscriptionStore(redis, prefix)
    const { store, record } = await register(prefix, 'SBXDELIVERED001')
    await emails.add(subscription('ntf_1', record.id), { max: 3 })
    const [view] = (await store.loadForPoll([record.id])) as [PollView]
    expect(await store.save([{ before: view, record: { ...view.record, status: 'in_transit' } }])).toEqual([
      'saved',
    ])
    expect(await redis.pttl(keys.trackingEmails(record.id))).toBe(-1)
    const [moved] = (await store.loadForPoll([record.id])) as [PollView]
    await store.save([{ before: moved, record: { ...moved.record, status: 'delivered' } }])
    const ttl = await redis.pttl(keys.trackingEmails(record.id))
    expect(ttl).toBeGreaterThan(3_500_000)
    expect(ttl).toBeLessThanOrEqual(3_600_000)
    // A subscription added once the parcel's life is over gets the same end.
    expect(await emails.add(subscription('ntf_2', record.id), { max: 3, expireAfterMs: 1_000 })).toBe('added')
    expect(await redis.pttl(keys.trackingEmails(record.id))).toBeLessThanOrEqual(1_000)
  })

  it('go with a deleted tracking', async () => {
    const prefix = uniquePrefix('emails-delete')
    const keys = createRedisKeys(prefix)
    const emails = createEmailSubscriptionStore(redis, prefix)
    const { store, record } = await register(prefix, 'SBXDELIVERED002')
    await emails.add(subscription('ntf_1', record.id), { max: 3 })
    expect(await store.delete('shop-a', record.id)).toBe(true)
    expect(await redis.exists(keys.trackingEmails(record.id))).toBe(0)
  })
})
