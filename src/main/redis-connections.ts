import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis'
import type { Logger } from '../logger.js'
import type { ClusterSeeds } from '../redis/cluster-seeds.js'
import { FailFastCluster, FailFastRedis } from '../redis/fail-fast-redis.js'
import type { RedisAddress, RedisClient } from '../redis/redis-client.js'

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

/**
 * Connections of their own for REDIS_WAIT_REPLICAS' writes: a WAIT holds up every command behind it
 * on its connection, so these are kept apart from reads, and several, so that writes waiting on a
 * replica that does not answer do not queue behind each other.
 */
const ACKNOWLEDGED_WRITE_CONNECTIONS = 8

/**
 * REDIS_WAIT_REPLICAS' connections, ready (none when it is 0): `options` with its command timeout
 * stretched by the wait, which would otherwise time a slow confirmation out as a stalled Redis.
 */
export async function connectForAcknowledgedWrites(
  connections: RedisConnections,
  options: RedisOptions,
  wait: { replicas: number; timeoutMs: number },
): Promise<RedisClient[]> {
  if (wait.replicas <= 0) return []
  const { commandTimeout } = options
  const acknowledged: RedisOptions = {
    ...options,
    enableAutoPipelining: false,
    ...(commandTimeout === undefined ? {} : { commandTimeout: commandTimeout + wait.timeoutMs }),
  }
  const clients = Array.from({ length: ACKNOWLEDGED_WRITE_CONNECTIONS }, () =>
    connections.connect(acknowledged),
  )
  await Promise.all(clients.map((client) => waitUntilReady(client, 'Redis (REDIS_WAIT_REPLICAS writes)')))
  return clients
}

/** How long a cluster client waits for the slot map, and between two attempts to reach a seed again. */
const SLOTS_REFRESH_TIMEOUT_MS = 2_000
const CLUSTER_RETRY_MAX_MS = 2_000

export interface RedisConnections {
  /** A new connection, closed by `closeAll`. */
  connect(options?: RedisOptions): RedisClient
  /** The API's connection (API_REDIS_OPTIONS): fails at once while Redis does not answer. */
  connectFailFast(): RedisClient
  closeAll(): Promise<void>
}

/** Every connection a process opens to one Redis or one Redis Cluster, so that stopping closes them all. */
export function createRedisConnections(address: RedisAddress, logger: Logger): RedisConnections {
  const connections: RedisClient[] = []
  const keep = (client: RedisClient) => {
    client.on('error', (error) => logger.debug({ err: error }, 'redis connection error'))
    connections.push(client)
    return client
  }
  const open = (options: RedisOptions, failFast: boolean): RedisClient => {
    if (typeof address === 'string') {
      return failFast ? new FailFastRedis(address, options) : new Redis(address, options)
    }
    const nodes = address.nodes
    const clusterOptions = clusterOptionsOf(address, options)
    return failFast ? new FailFastCluster(nodes, clusterOptions) : new Cluster(nodes, clusterOptions)
  }
  return {
    connect: (options = WORKER_REDIS_OPTIONS) => keep(open(options, false)),
    connectFailFast: () => keep(open(API_REDIS_OPTIONS, true)),
    async closeAll() {
      await Promise.all(connections.splice(0).map((client) => client.quit().catch(() => client.disconnect())))
    },
  }
}

/**
 * The options of a connection to one Redis, as a cluster client takes them: the offline queue and
 * pipelining are the cluster's, the rest (timeouts, retries per request) each node connection's.
 */
export function clusterOptionsOf(seeds: ClusterSeeds, options: RedisOptions): ClusterOptions {
  // A node connection of a cluster does not reconnect by itself (`retryStrategy` left out): the
  // cluster client finds the slot's master again, retrying as `clusterRetryStrategy` says.
  const { enableOfflineQueue, enableAutoPipelining, lazyConnect, retryStrategy, ...nodeOptions } = options
  return {
    // Replicas lag behind their master: colis reads what it has just written.
    scaleReads: 'master',
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: enableAutoPipelining ?? false,
    lazyConnect: lazyConnect ?? false,
    slotsRefreshTimeout: SLOTS_REFRESH_TIMEOUT_MS,
    // Whatever happens, keep trying to reach the cluster again, as a single-Redis connection does.
    clusterRetryStrategy: (times) => Math.min(100 * times, CLUSTER_RETRY_MAX_MS),
    // A TLS certificate names the host, not the address it resolves to.
    ...(seeds.tls ? { dnsLookup: (host, callback) => callback(null, host) } : {}),
    redisOptions: {
      ...nodeOptions,
      ...(seeds.username ? { username: seeds.username } : {}),
      ...(seeds.password ? { password: seeds.password } : {}),
      ...(seeds.tls ? { tls: {} } : {}),
    },
  }
}

/** Resolves once `client` is connected; rejects if it gives up first. `where` names the Redis, no secret. */
export function waitUntilReady(client: RedisClient, where: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.once('ready', resolve)
    client.once('end', () => reject(new Error(`cannot connect to Redis at ${where}`)))
  })
}
