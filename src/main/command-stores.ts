import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import { describeRedisTarget, resolveRedis } from '../redis/resolve-redis.js'
import { claimKeyspace } from '../store/redis/keyspace-claim.js'
import { storeOptionsFrom } from './policies.js'
import { COMMAND_REDIS_OPTIONS, createRedisConnections } from './redis-connections.js'
import { createStores, type Stores } from './stores.js'

export interface CommandStores {
  stores: Stores
  /** Which Redis the stores are on (host:port and where it was found), to tell the user. */
  redis: string
  /** Closes the connection, and the private redis-server if this command started it. */
  close(): Promise<void>
}

/** The stores a CLI command reads and writes, on the Redis `colis serve` uses (or would use). */
export async function openCommandStores(config: Config, logger: Logger): Promise<CommandStores> {
  const target = await resolveRedis(config, logger)
  const connections = createRedisConnections(target.address, logger)
  const redis = connections.connect(COMMAND_REDIS_OPTIONS)
  try {
    await claimKeyspace(redis, config.COLIS_REDIS_PREFIX, config.COLIS_SHARDS)
  } catch (error) {
    await connections.closeAll()
    await target.stop()
    throw error
  }
  return {
    stores: createStores(redis, config.COLIS_REDIS_PREFIX, storeOptionsFrom(config)),
    redis: describeRedisTarget(target),
    async close() {
      await connections.closeAll()
      await target.stop()
    },
  }
}
