import { testClusterConnections } from '../support/cluster.js'
import { describeRelayOverShards } from './relay-shards.js'

// A Redis Cluster: each stream is its own slot, read without blocking, the relay idling between rounds.
describeRelayOverShards('the outbox relay over several shards, on a Redis Cluster', testClusterConnections)
