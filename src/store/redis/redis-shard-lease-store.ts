import type { RedisClient } from '../../redis/redis-client.js'
import type { ShardLeaseStore } from '../shard-lease-store.js'
import { defineScripts } from './lua-scripts.js'

/**
 * The keys of the shard leases: data of no tracking, so under the prefix's own hash tag with several
 * shards (as createRedisKeys puts such data), which keeps both in one slot for the script.
 */
export function shardLeaseKeys(prefix: string, shards: number) {
  const shared = shards > 1 ? `{${prefix}}` : prefix
  return {
    /** Live worker processes, scored by when their heartbeat runs out (ms). */
    liveWorkers: `${shared}:workers:live`,
    /** Each leased shard's `<when it runs out, ms>:<owner>`. */
    shardLeases: `${shared}:workers:shards`,
  }
}

/**
 * Shard leases in Redis, one script per round. Lease times come from the Redis server's clock unless
 * `now` is given (tests), so processes on hosts whose clocks drift still agree on what ran out.
 */
export function createRedisShardLeaseStore(
  client: RedisClient,
  prefix: string,
  shards: number,
  now?: () => number,
): ShardLeaseStore {
  const redis = defineScripts(client)
  const keys = shardLeaseKeys(prefix, shards)
  const run = (owner: string, leaseMs: number, mode: 'balance' | 'leave') =>
    redis.balanceShardLeases(
      keys.liveWorkers,
      keys.shardLeases,
      owner,
      now ? String(now()) : '',
      String(leaseMs),
      String(shards),
      mode,
    )
  return {
    async balance(owner, leaseMs) {
      const [live = 1, ...held] = (await run(owner, leaseMs, 'balance')).map(Number)
      return { held, live }
    },
    async leave(owner) {
      await run(owner, 1, 'leave')
    },
  }
}
