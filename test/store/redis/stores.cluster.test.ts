import type { Cluster } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { createApiKeyStore } from '../../../src/store/api-key-store.js'
import { createCarrierHealthStore } from '../../../src/store/carrier-health-store.js'
import { createEmailSubscriptionStore } from '../../../src/store/email-subscription-store.js'
import { createRedisAnalyticsStore } from '../../../src/store/redis/redis-analytics-store.js'
import { createRedisDashboardSessionStore } from '../../../src/store/redis/redis-dashboard-session-store.js'
import { createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisMerchantSettingsStore } from '../../../src/store/redis/redis-merchant-settings-store.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { createUnknownCodeStore } from '../../../src/store/unknown-code-store.js'
import { createWebhookStore } from '../../../src/store/webhook-store.js'
import { keysByMaster, testClusterConnections, uniqueTaggedPrefix } from '../../support/cluster.js'
import { runAnalyticsStoreContract } from '../analytics-store-contract.js'
import { runApiKeyStoreContract } from '../api-key-store-contract.js'
import { runCarrierHealthStoreContract } from '../carrier-health-store-contract.js'
import { runDashboardSessionStoreContract } from '../dashboard-session-store-contract.js'
import { runEmailSubscriptionStoreContract } from '../email-subscription-store-contract.js'
import { runMerchantSettingsStoreContract } from '../merchant-settings-store-contract.js'
import { runUnknownCodeStoreContract } from '../unknown-code-store-contract.js'
import { runWebhookStoreContract } from '../webhook-store-contract.js'

const connections = testClusterConnections()
let redis: Cluster

beforeAll(() => {
  redis = connections.connect()
})

afterAll(() => connections.closeAll())

runAnalyticsStoreContract('redis cluster analytics store', ({ retentionMs }) => {
  const prefix = uniqueTaggedPrefix('cluster-analytics')
  return {
    trackings: createRedisTrackingStore(redis, prefix, { analyticsRetentionMs: retentionMs }),
    analytics: createRedisAnalyticsStore(redis, prefix),
  }
})

runApiKeyStoreContract('redis cluster API-key store', () =>
  createApiKeyStore(redis, uniqueTaggedPrefix('cluster-apikeys')),
)

runCarrierHealthStoreContract('redis cluster carrier-health store', () =>
  createCarrierHealthStore(redis, uniqueTaggedPrefix('cluster-carrier-health')),
)

runEmailSubscriptionStoreContract('redis cluster', async (existing) => {
  const prefix = uniqueTaggedPrefix('cluster-emails')
  const keys = createRedisKeys(prefix)
  for (const id of existing) await redis.hset(keys.tracking(id), 'doc', '{}', 'v', '1')
  return createEmailSubscriptionStore(redis, prefix)
})

runMerchantSettingsStoreContract('redis cluster merchant-settings store', () =>
  createRedisMerchantSettingsStore(redis, uniqueTaggedPrefix('cluster-merchant-settings')),
)

runUnknownCodeStoreContract('redis cluster unknown-code store', (limits) =>
  createUnknownCodeStore(redis, uniqueTaggedPrefix('cluster-unknown-codes'), limits),
)

runWebhookStoreContract('redis cluster webhook store', () =>
  createWebhookStore(redis, uniqueTaggedPrefix('cluster-webhooks')),
)

runDashboardSessionStoreContract('redis cluster dashboard-session store', () => {
  const prefix = uniqueTaggedPrefix('cluster-dashboard-sessions')
  // Redis's own clock cannot be moved: every key of the prefix is brought nearer its expiry instead.
  const elapse = async (ms: number) => {
    for (const names of (await keysByMaster(redis, `${prefix}:*`)).values()) {
      for (const key of names) {
        const leftMs = await redis.pttl(key)
        if (leftMs < 0) continue
        if (leftMs <= ms) await redis.del(key)
        else await redis.pexpire(key, leftMs - ms)
      }
    }
  }
  return { store: createRedisDashboardSessionStore(redis, prefix), elapse }
})
