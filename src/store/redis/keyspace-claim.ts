import type { RedisClient } from '../../redis/redis-client.js'
import { createRedisKeys } from './redis-keys.js'

export class KeyspaceMismatchError extends Error {
  override readonly name = 'KeyspaceMismatchError'
}

/**
 * Fixes the keyspace's shard count at the first start and refuses any other later: a tracking's keys
 * are found from its id and the count, so another count would lose every tracking already stored.
 * Data written before the count was stored (one shard, the only layout then) counts as one shard.
 */
export async function claimKeyspace(redis: RedisClient, prefix: string, shards: number): Promise<void> {
  const keys = createRedisKeys(prefix, shards)
  const key = keys.keyspace()
  let stored = await redis.hget(key, 'shards')
  if (stored === null) {
    const unsharded = createRedisKeys(prefix, 1)
    const earlier = shards > 1 && (await redis.exists(unsharded.allApiKeys())) === 1
    await redis.hsetnx(key, 'shards', earlier ? '1' : String(shards))
    stored = await redis.hget(key, 'shards')
  }
  if (stored !== String(shards)) {
    throw new KeyspaceMismatchError(
      `COLIS_SHARDS is ${shards} but the data under prefix ${prefix} was laid out for ${stored} shard(s): set COLIS_SHARDS=${stored} (the count is fixed at the first start; moving data between counts is not supported)`,
    )
  }
}
