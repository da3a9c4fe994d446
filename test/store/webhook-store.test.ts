import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'
import {
  AT,
  delivery,
  endpoint,
  recordAttemptsInConflict,
  runWebhookStoreContract,
} from './webhook-store-contract.js'

runWebhookStoreContract('redis webhook store', () =>
  createWebhookStore(redis, uniquePrefix('webhooks-contract')),
)

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
