import type { Cluster } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { testClusterConnections, uniqueTaggedPrefix } from '../../support/cluster.js'
import { uniquePrefix } from '../../support/redis.js'
import { runTrackingStoreContract } from '../tracking-store-contract.js'

const connections = testClusterConnections()
let redis: Cluster

beforeAll(() => {
  redis = connections.connect()
})

afterAll(() => connections.closeAll())

runTrackingStoreContract('redis cluster store, one shard', () =>
  createRedisTrackingStore(redis, uniqueTaggedPrefix('cluster-store')),
)
runTrackingStoreContract('redis cluster store, 64 shards', () =>
  createRedisTrackingStore(redis, uniquePrefix('cluster-sharded'), { shards: 64 }),
)
