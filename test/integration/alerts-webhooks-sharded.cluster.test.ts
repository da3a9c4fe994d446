import { expect } from 'vitest'
import { clusterEnv, keysByMaster, pollLanesByMaster } from '../support/cluster.js'
import { describeLateParcelWebhooks } from './late-parcel-webhooks.js'

describeLateParcelWebhooks(
  'on a Redis Cluster (three masters) with 64 shards, a late parcel then delivered: each webhook once',
  {
    // The late alert comes from the alert sweep, which each worker runs over the shards it holds.
    env: () => ({ ...clusterEnv(), COLIS_SHARDS: '64', SHARD_LEASE: '1500ms' }),
    // The queues, each under a hash tag of its own, the shards spread over the masters, and La
    // Poste's three poll lanes (the default on a cluster) each on a master of its own.
    async thenCheck(harness) {
      const byMaster = await keysByMaster(harness.redis, `*${harness.config.COLIS_REDIS_PREFIX}*`)
      expect([...byMaster.values()].filter((names) => names.length > 0).length).toBeGreaterThan(1)
      const laPosteLanes = (await pollLanesByMaster(harness.redis, harness.config.COLIS_REDIS_PREFIX))
        .filter(({ name }) => /^poll-laposte(\.\d+)?$/.test(name))
        .sort((a, b) => a.name.localeCompare(b.name))
      expect(laPosteLanes.map(({ name }) => name)).toEqual([
        'poll-laposte',
        'poll-laposte.1',
        'poll-laposte.2',
      ])
      expect(new Set(laPosteLanes.map(({ master }) => master)).size).toBe(3)
    },
  },
)
