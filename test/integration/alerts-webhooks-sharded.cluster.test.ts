import { expect } from 'vitest'
import { clusterEnv, keysByMaster } from '../support/cluster.js'
import { describeLateParcelWebhooks } from './late-parcel-webhooks.js'

describeLateParcelWebhooks(
  'on a Redis Cluster (three masters) with 64 shards, a late parcel then delivered: each webhook once',
  {
    // The late alert comes from the alert sweep, which each worker runs over the shards it holds.
    env: () => ({ ...clusterEnv(), COLIS_SHARDS: '64', SHARD_LEASE: '1500ms' }),
    // The queues, each under a hash tag of its own, and the shards spread over the masters.
    async thenCheck(harness) {
      const byMaster = await keysByMaster(harness.redis, `*${harness.config.COLIS_REDIS_PREFIX}*`)
      expect([...byMaster.values()].filter((names) => names.length > 0).length).toBeGreaterThan(1)
      const queues = [...byMaster.values()].flat().filter((name) => name.includes(':bull:'))
      expect(queues).toEqual(
        expect.arrayContaining([expect.stringMatching(/:bull:poll-laposte\}:poll-laposte:/)]),
      )
    },
  },
)
