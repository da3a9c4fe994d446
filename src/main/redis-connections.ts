import { Redis, type RedisOptions } from 'ioredis'
import type { Logger } from '../logger.js'
import { FailFastRedis } from '../redis/fail-fast-redis.js'

/** The API fails fast while Redis is down (503 at once), instead of queueing requests. */
export const API_REDIS_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  // A Redis that accepts connections but does not answer (paused, overloaded) also gets a 503 within
  // the second the README promises: one timeout per request at most (see FailFastRedis).
  commandTimeout: 800,
  // Requests that reach Redis while an earlier batch is out share one write: each socket write wakes
  // redis-server, the largest cost of a read (BENCHMARKS.md, "API read path"). Not for the workers:
  // their commands are few and large, and pipelines cost them more than they save.
  enableAutoPipelining: true,
}
/** Workers wait for Redis to come back, however long it takes (BullMQ needs `null`). */
export const WORKER_REDIS_OPTIONS: RedisOptions = { maxRetriesPerRequest: null }
/** A CLI command: one retry, then it says Redis is away. */
export const COMMAND_REDIS_OPTIONS: RedisOptions = { maxRetriesPerRequest: 1 }

export interface RedisConnections {
  /** A new connection, closed by `closeAll`. */
  connect(options?: RedisOptions): Redis
  /** The API's connection (API_REDIS_OPTIONS): fails at once while Redis does not answer. */
  connectFailFast(): Redis
  closeAll(): Promise<void>
}

/** Every connection a process opens to one Redis, so that stopping closes them all. */
export function createRedisConnections(url: string, logger: Logger): RedisConnections {
  const connections: Redis[] = []
  const keep = (client: Redis) => {
    client.on('error', (error) => logger.debug({ err: error }, 'redis connection error'))
    connections.push(client)
    return client
  }
  return {
    connect: (options = WORKER_REDIS_OPTIONS) => keep(new Redis(url, options)),
    connectFailFast: () => keep(new FailFastRedis(url, API_REDIS_OPTIONS)),
    async closeAll() {
      await Promise.all(connections.splice(0).map((client) => client.quit().catch(() => client.disconnect())))
    },
  }
}

/** Resolves once `client` is connected; rejects if it gives up first. */
export function waitUntilReady(client: Redis, url: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.once('ready', resolve)
    client.once('end', () => reject(new Error(`cannot connect to Redis at ${url}`)))
  })
}
