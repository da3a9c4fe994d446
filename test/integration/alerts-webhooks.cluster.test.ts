import { expect } from 'vitest'
import { hashTagOf } from '../../src/redis/cluster-seeds.js'
import { clusterEnv, keysByMaster } from '../support/cluster.js'
import { describeLateParcelWebhooks } from './late-parcel-webhooks.js'

describeLateParcelWebhooks(
  'on a Redis Cluster (three masters) with one shard, a late parcel then delivered: each webhook once',
  {
    env: () => ({ ...clusterEnv(), COLIS_SHARDS: '1' }),
    // Every key of this colis (store, BullMQ, rate limits) carries its prefix's hash tag: one slot, one master.
    async thenCheck(harness) {
      const tag = hashTagOf(harness.config.COLIS_REDIS_PREFIX)
      const byMaster = await keysByMaster(harness.redis, `*{${tag}}*`)
      const holding = [...byMaster].filter(([, names]) => names.length > 0)
      expect(holding).toHaveLength(1)
      expect(holding[0]?.[1]).toEqual(
        expect.arrayContaining([expect.stringContaining(':bull:'), expect.stringContaining(':trk:')]),
      )
    },
  },
)
