import { clusterEnv } from '../support/cluster.js'
import { describeShardSpread } from './shard-spread.js'

// A Redis Cluster: each queue under its own hash tag, the outboxes read one slot at a time.
describeShardSpread('two worker sets on a Redis Cluster (three masters), over 8 shards', clusterEnv)
