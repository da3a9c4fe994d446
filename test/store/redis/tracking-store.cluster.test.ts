import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { shardOfText } from '../../../src/store/shards.js'
import { testClusterConnections } from '../../support/cluster.js'
import { uniquePrefix } from '../../support/redis.js'
import { parcel, T0 } from '../store-helpers.js'
import { runTrackingStoreContract } from '../tracking-store-contract.js'

const connections = testClusterConnections()
let redis: Cluster

beforeAll(() => {
  redis = connections.connect()
})

afterAll(() => connections.closeAll())

// One shard under a hash-tagged prefix runs as on one Redis (the redis project's contract run).
runTrackingStoreContract('redis cluster store, 64 shards', () =>
  createRedisTrackingStore(redis, uniquePrefix('cluster-sharded'), { shards: 64 }),
)

describe('REDIS_WAIT_REPLICAS=1 on the cluster (a replica per master)', () => {
  it('acknowledges registrations in every shard once their replica has them', async () => {
    const store = createRedisTrackingStore(redis, uniquePrefix('cluster-wait'), {
      shards: 64,
      waitReplicas: { replicas: 1, timeoutMs: 5_000 },
    })
    const registered = await store.registerMany(
      Array.from({ length: 40 }, (_, index) => ({ input: parcel({ trackingNumber: `WAIT${index}` }) })),
      new Date(T0),
    )
    expect(registered.every(({ created }) => created)).toBe(true)
    const shards = new Set(registered.map(({ record }) => shardOfText(record.id, 64)))
    expect(shards.size).toBeGreaterThan(20)
  })
})
