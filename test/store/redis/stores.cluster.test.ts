import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeyStore, watchApiKeyRevocations } from '../../../src/store/api-key-store.js'
import { createCarrierHealthStore } from '../../../src/store/carrier-health-store.js'
import { createEmailSubscriptionStore } from '../../../src/store/email-subscription-store.js'
import { createRedisDashboardSessionStore } from '../../../src/store/redis/redis-dashboard-session-store.js'
import { createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisMerchantSettingsStore } from '../../../src/store/redis/redis-merchant-settings-store.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { createUnknownCodeStore } from '../../../src/store/unknown-code-store.js'
import { createWebhookStore } from '../../../src/store/webhook-store.js'
import { keysByMaster, testClusterConnections } from '../../support/cluster.js'
import { eventually } from '../../support/harness.js'
import { uniquePrefix } from '../../support/redis.js'
import { runApiKeyStoreContract } from '../api-key-store-contract.js'
import { runCarrierHealthStoreContract } from '../carrier-health-store-contract.js'
import { runDashboardSessionStoreContract } from '../dashboard-session-store-contract.js'
import { runEmailSubscriptionStoreContract } from '../email-subscription-store-contract.js'
import { runMerchantSettingsStoreContract } from '../merchant-settings-store-contract.js'
import { runUnknownCodeStoreContract } from '../unknown-code-store-contract.js'
import { endpoint, runWebhookStoreContract, subscriptionTo } from '../webhook-store-contract.js'

const connections = testClusterConnections()
let redis: Cluster

beforeAll(() => {
  redis = connections.connect()
})

afterAll(() => connections.closeAll())

/**
 * The keyspace colis runs with on a cluster: 64 shards under a plain prefix, spread over the masters.
 * One shard under a hash-tagged prefix puts every key in one slot: the stores then run as on one
 * Redis, which the redis project covers, and the journeys on the cluster cover through the client.
 */
const shards = 64
const prefixOf = uniquePrefix
const name = (store: string) => `redis cluster ${store}, ${shards} shards`

/** A tracking as far as the stores of no tracking look: its key exists. */
const withTrackings = async (prefix: string, existing: readonly string[]) => {
  const keys = createRedisKeys(prefix, shards)
  for (const id of existing) await redis.hset(keys.tracking(id), 'doc', '{}', 'v', '1')
}

runApiKeyStoreContract(name('API-key store'), () =>
  createApiKeyStore(redis, prefixOf('cluster-apikeys'), shards),
)

runCarrierHealthStoreContract(name('carrier-health store'), () =>
  createCarrierHealthStore(redis, prefixOf('cluster-carrier-health'), shards),
)

runEmailSubscriptionStoreContract(name('e-mail subscription store'), async (existing) => {
  const prefix = prefixOf('cluster-emails')
  await withTrackings(prefix, existing)
  return createEmailSubscriptionStore(redis, prefix, shards)
})

runMerchantSettingsStoreContract(name('merchant-settings store'), () =>
  createRedisMerchantSettingsStore(redis, prefixOf('cluster-merchant-settings'), shards),
)

runUnknownCodeStoreContract(name('unknown-code store'), (limits) =>
  createUnknownCodeStore(redis, prefixOf('cluster-unknown-codes'), limits, shards),
)

runWebhookStoreContract(name('webhook store'), async (existing) => {
  const prefix = prefixOf('cluster-webhooks')
  await withTrackings(prefix, existing)
  return createWebhookStore(redis, prefix, shards)
})

runDashboardSessionStoreContract(name('dashboard-session store'), () => {
  const prefix = prefixOf('cluster-dashboard-sessions')
  // Redis's own clock cannot be moved: every key of the prefix is brought nearer its expiry instead.
  const elapse = async (ms: number) => {
    for (const names of (await keysByMaster(redis, `*${prefix}*`)).values()) {
      for (const key of names) {
        const leftMs = await redis.pttl(key)
        if (leftMs < 0) continue
        if (leftMs <= ms) await redis.del(key)
        else await redis.pexpire(key, leftMs - ms)
      }
    }
  }
  return { store: createRedisDashboardSessionStore(redis, prefix, shards), elapse }
})

describe(name('stores'), () => {
  it('tells a subscribed process which API key was revoked', async () => {
    const prefix = prefixOf('cluster-apikeys-revoked')
    const apiKeys = createApiKeyStore(redis, prefix, shards)
    const created = await apiKeys.create('shop-a')
    const subscriber = connections.connect()
    const heard: Array<string | undefined> = []
    const watch = await watchApiKeyRevocations(subscriber, prefix, (keyId) => heard.push(keyId), shards)
    try {
      await apiKeys.revoke(created.keyId)
      await eventually(
        async () => heard,
        (keyIds) => keyIds.length > 0,
        5_000,
      )
      expect(heard).toEqual([created.keyId])
      expect(await apiKeys.verify(created.key)).toBeUndefined()
    } finally {
      await watch.stop()
    }
  })

  it("deletes a tracking's subscriptions with it, those of other trackings staying", async () => {
    const prefix = prefixOf('cluster-subscriptions-deleted')
    const trackings = createRedisTrackingStore(redis, prefix, { shards })
    const webhooks = createWebhookStore(redis, prefix, shards)
    const register = async (trackingNumber: string) =>
      (await trackings.register({ merchantId: 'shop-a', carrier: 'sandbox', trackingNumber }, new Date()))
        .record.id
    const [kept, deleted] = [await register('SBXDELIVERED001'), await register('SBXDELIVERED002')]
    await webhooks.createEndpoint(endpoint('whk_m'))
    await webhooks.createEndpoint(subscriptionTo('whk_kept', kept))
    await webhooks.createEndpoint(subscriptionTo('whk_deleted1', deleted))
    await webhooks.createEndpoint(subscriptionTo('whk_deleted2', deleted))
    expect(await trackings.delete('shop-a', deleted)).toBe(true)
    expect(await webhooks.getEndpoint('whk_deleted1')).toBeUndefined()
    expect(await webhooks.getEndpoint('whk_deleted2')).toBeUndefined()
    expect(await webhooks.createEndpoint(subscriptionTo('whk_late', deleted))).toBe(false)
    const found = await webhooks.endpointsOf({ merchantIds: ['shop-a'], trackingIds: [kept, deleted] })
    expect(found.ofMerchant.get('shop-a')?.map(({ id }) => id)).toEqual(['whk_m'])
    expect(found.ofTracking.get(kept)?.map(({ id }) => id)).toEqual(['whk_kept'])
    expect(found.ofTracking.get(deleted)).toEqual([])
  })
})

describe('redis cluster stores, 64 shards: the spread', () => {
  it("puts trackings' subscriptions, merchants' settings and endpoint copies on more than one master", async () => {
    const prefix = uniquePrefix('cluster-spread')
    const keys = createRedisKeys(prefix, shards)
    const webhooks = createWebhookStore(redis, prefix, shards)
    const settings = createRedisMerchantSettingsStore(redis, prefix, shards)
    const trackingIds = Array.from({ length: 16 }, (_, index) => `trk_spread${index}`)
    for (const id of trackingIds) {
      await redis.hset(keys.tracking(id), 'doc', '{}', 'v', '1')
      expect(await webhooks.createEndpoint(subscriptionTo(`whk_${id}`, id))).toBe(true)
    }
    for (let merchant = 0; merchant < 16; merchant++)
      await settings.putWithdrawalDays(`shop-${merchant}`, 14, new Date())
    await webhooks.createEndpoint(endpoint('whk_m'))
    for (let shard = 0; shard < shards; shard++)
      expect(await redis.smembers(keys.merchantWebhooksInShard(shard, 'shop-a'))).toEqual(['whk_m'])
    const holding = (pattern: string) =>
      keysByMaster(redis, pattern).then(
        (byMaster) => [...byMaster.values()].filter((names) => names.length > 0).length,
      )
    expect(await holding(`*${prefix}*:subs`)).toBeGreaterThan(1)
    expect(await holding(`*${prefix}*:settings`)).toBeGreaterThan(1)
    expect(await holding(`*${prefix}:*:m:shop-a:webhooks`)).toBe(3)
  })
})
