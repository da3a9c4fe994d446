import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { allShards } from '../../src/store/shards.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'
import {
  AT,
  delivery,
  endpoint,
  recordAttemptsInConflict,
  runWebhookStoreContract,
  subscriptionTo,
  TRACKINGS_OF_SHARDS,
} from './webhook-store-contract.js'

for (const shards of [1, 8]) {
  runWebhookStoreContract(`redis webhook store, ${shards} shard(s)`, async (existing) => {
    const prefix = uniquePrefix('webhooks-contract')
    const keys = createRedisKeys(prefix, shards)
    for (const id of existing) await redis.hset(keys.tracking(id), 'doc', '{}', 'v', '1')
    return createWebhookStore(redis, prefix, shards)
  })
}

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  vi.restoreAllMocks()
  await redis.quit()
})

describe('redis webhook store: round trips, keys and expiry', () => {
  async function fresh(name: string) {
    const prefix = uniquePrefix(name)
    const webhooks = createWebhookStore(redis, prefix)
    await webhooks.createEndpoint(endpoint('whk_a'))
    await webhooks.createEndpoint(endpoint('whk_b'))
    await webhooks.createDeliveries([delivery('dlv_1', 'whk_a')])
    return { webhooks, keys: createRedisKeys(prefix) }
  }

  it('loads a delivery with its endpoint in one round trip when told the endpoint, in two otherwise', async () => {
    const { webhooks } = await fresh('load-delivery')
    const mget = vi.spyOn(redis, 'mget')
    const get = vi.spyOn(redis, 'get')
    const told = await webhooks.loadDelivery('dlv_1', 'whk_a')
    expect(told?.delivery).toEqual(delivery('dlv_1', 'whk_a'))
    expect(told?.endpoint?.id).toBe('whk_a')
    expect(JSON.parse(told?.stored ?? '')).toEqual(delivery('dlv_1', 'whk_a'))
    expect(mget).toHaveBeenCalledTimes(1)
    expect(get).not.toHaveBeenCalled()
    // Not told, or told wrong: the delivery's own endpoint, read after it.
    expect((await webhooks.loadDelivery('dlv_1'))?.endpoint?.id).toBe('whk_a')
    expect((await webhooks.loadDelivery('dlv_1', 'whk_b'))?.endpoint?.id).toBe('whk_a')
    expect(await webhooks.loadDelivery('dlv_missing', 'whk_a')).toBeUndefined()
    mget.mockRestore()
    get.mockRestore()
  })

  it('creates a delivery once: gives the document it wrote, then undefined for one that exists', async () => {
    const { webhooks, keys } = await fresh('create-once')
    const created = await webhooks.createDeliveries([delivery('dlv_2', 'whk_a'), delivery('dlv_1', 'whk_a')])
    expect(created[0]).toBe(await redis.get(keys.delivery('dlv_2')))
    expect(JSON.parse(created[0] ?? '')).toEqual(delivery('dlv_2', 'whk_a'))
    expect(created[1]).toBeUndefined()
    expect(await webhooks.createDeliveries([delivery('dlv_2', 'whk_a')])).toEqual([undefined])
    expect(await redis.zrange(keys.webhookDeliveries('whk_a'), 0, -1)).toEqual(['dlv_1', 'dlv_2'])
  })

  it('records an attempt in one write when the delivery did not change since it was read', async () => {
    const { webhooks } = await fresh('attempt-cas')
    const loaded = await webhooks.loadDelivery('dlv_1', 'whk_a')
    const get = vi.spyOn(redis, 'get')
    await webhooks.recordAttempt(
      'dlv_1',
      { at: AT, statusCode: 200, durationMs: 12 },
      'delivered',
      loaded?.stored,
    )
    expect(get).not.toHaveBeenCalled()
    get.mockRestore()
    expect(await webhooks.getDelivery('dlv_1')).toMatchObject({
      state: 'delivered',
      attempts: [{ at: AT, statusCode: 200, durationMs: 12 }],
    })
  })

  it('keeps an attempt recorded meanwhile by someone else: reads again and appends', async () => {
    const { webhooks, keys } = await fresh('attempt-conflict')
    await recordAttemptsInConflict(webhooks)
    expect((await webhooks.getDelivery('dlv_1'))?.attempts.map((attempt) => attempt.statusCode)).toEqual([
      503, 200,
    ])
    // The delivery keeps its expiry.
    expect(await redis.ttl(keys.delivery('dlv_1'))).toBeGreaterThan(29 * 86_400)
  })
})

describe('redis webhook store, 8 shards: where saves look for listeners', () => {
  it("copies a merchant's endpoints into every shard while they exist, never a tracking's subscriptions", async () => {
    const prefix = uniquePrefix('webhooks-shard-copies')
    const keys = createRedisKeys(prefix, 8)
    const webhooks = createWebhookStore(redis, prefix, 8)
    const copies = () =>
      Promise.all(allShards(8).map((shard) => redis.smembers(keys.merchantWebhooksInShard(shard, 'shop-a'))))
    const [trackingId] = TRACKINGS_OF_SHARDS
    await redis.hset(keys.tracking(trackingId), 'doc', '{}', 'v', '1')
    await webhooks.createEndpoint(endpoint('whk_a'))
    await webhooks.createEndpoint(subscriptionTo('whk_s', trackingId))
    expect(await copies()).toEqual(allShards(8).map(() => ['whk_a']))
    await webhooks.deleteEndpoint(endpoint('whk_a'))
    expect(await copies()).toEqual(allShards(8).map(() => []))
  })

  it('skips a subscription its tracking still names after its document went (a deletion cut short)', async () => {
    const prefix = uniquePrefix('webhooks-dangling')
    const keys = createRedisKeys(prefix, 8)
    const webhooks = createWebhookStore(redis, prefix, 8)
    const [trackingId] = TRACKINGS_OF_SHARDS
    await redis.hset(keys.tracking(trackingId), 'doc', '{}', 'v', '1')
    await webhooks.createEndpoint(subscriptionTo('whk_s1', trackingId))
    await webhooks.createEndpoint(subscriptionTo('whk_s2', trackingId))
    await redis.del(keys.webhook('whk_s1'))
    expect(await webhooks.listEndpoints({ trackingId })).toEqual([subscriptionTo('whk_s2', trackingId)])
    const found = await webhooks.endpointsOf({ merchantIds: [], trackingIds: [trackingId] })
    expect(found.ofTracking.get(trackingId)).toEqual([subscriptionTo('whk_s2', trackingId)])
  })

  it("is the merchant's set itself with one shard", () => {
    const keys = createRedisKeys('colis')
    expect(keys.merchantWebhooksInShard(0, 'shop-a')).toBe(keys.merchantWebhooks('shop-a'))
  })
})
