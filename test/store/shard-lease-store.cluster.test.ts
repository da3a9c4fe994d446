import type { Cluster } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { createRedisShardLeaseStore } from '../../src/store/redis/redis-shard-lease-store.js'
import { testClusterConnections } from '../support/cluster.js'
import { uniquePrefix } from '../support/redis.js'
import { runShardLeaseStoreContract } from './shard-lease-store-contract.js'

const connections = testClusterConnections()
let redis: Cluster

beforeAll(() => {
  redis = connections.connect()
})

afterAll(() => connections.closeAll())

// An untagged prefix with several shards: the leases' keys take the prefix's own hash tag, one slot.
runShardLeaseStoreContract('redis cluster shard lease store', (shards, now) =>
  createRedisShardLeaseStore(redis, uniquePrefix('cluster-shard-leases'), shards, now),
)
