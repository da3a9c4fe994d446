import { createMemoryShardLeaseStore } from '../../src/store/memory/memory-shard-lease-store.js'
import { runShardLeaseStoreContract } from './shard-lease-store-contract.js'

runShardLeaseStoreContract('memory shard lease store', (shards, now) =>
  createMemoryShardLeaseStore(shards, now),
)
