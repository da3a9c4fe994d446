import { testConnections } from '../support/redis.js'
import { describeRelayOverShards } from './relay-shards.js'

// One Redis: a blocking read spans every stream the relay holds.
describeRelayOverShards('the outbox relay over several shards, on one Redis', () => {
  const { connect, quitAll } = testConnections()
  return { connect, closeAll: quitAll }
})
