import type { Cluster } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { testClusterConnections, uniqueTaggedPrefix } from '../../support/cluster.js'
import { runTrackingStoreContract } from '../tracking-store-contract.js'

const connections = testClusterConnections()
let redis: Cluster

beforeAll(() => {
  redis = connections.connect()
})

afterAll(() => connections.closeAll())

runTrackingStoreContract('redis cluster store', () =>
  createRedisTrackingStore(redis, uniqueTaggedPrefix('cluster-store')),
)
