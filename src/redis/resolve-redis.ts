import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { type Config, ConfigError } from '../config.js'
import type { Logger } from '../logger.js'
import { describeClusterSeeds } from './cluster-seeds.js'
import { startLocalRedis } from './local-redis.js'
import { dataServers, isCluster, type RedisAddress, type RedisClient } from './redis-client.js'

export interface RedisTarget {
  address: RedisAddress
  /** Where it came from, for the startup log. */
  source: 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'probe' | 'private'
  /** Whether this process started the private redis-server (and stops it). */
  started: boolean
  /** Stops the private redis-server colis started, if it did. */
  stop(): Promise<void>
}

async function answers(url: string, timeoutMs = 500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

function privateRedisDir(config: Pick<Config, 'COLIS_DATA_DIR'>): string {
  return join(config.COLIS_DATA_DIR, 'redis')
}

/**
 * `api` and `worker` processes only work together when they share one Redis, so they need REDIS_URL:
 * a probed or private Redis belongs to one machine, and a worker polling its own would never see the
 * parcels an API process registered elsewhere. Only `all` (one process does everything) may fall back.
 */
export function assertSharedRedis(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
  role: Config['COLIS_ROLE'],
): void {
  if (role === 'all' || config.REDIS_URL || config.REDIS_CLUSTER_NODES) return
  throw new ConfigError(
    `role "${role}" needs REDIS_URL (e.g. redis://redis:6379) or REDIS_CLUSTER_NODES: API and worker processes must share one Redis; a private redis-server is only started for role "all"`,
  )
}

/**
 * REDIS_URL or REDIS_CLUSTER_NODES when set; otherwise the private redis-server a running `colis serve`
 * started (its address is in COLIS_DATA_DIR/redis/url), so that CLI commands reach the server's data
 * even when another Redis answers at the probe address; otherwise a Redis answering at
 * COLIS_PROBE_REDIS (127.0.0.1:6379); otherwise a private redis-server started from PATH with its data
 * (append-only file) in COLIS_DATA_DIR/redis.
 */
export async function resolveRedis(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES' | 'COLIS_PROBE_REDIS' | 'COLIS_DATA_DIR'>,
  logger: Logger,
): Promise<RedisTarget> {
  const none = async () => {}
  if (config.REDIS_URL) return { address: config.REDIS_URL, source: 'REDIS_URL', started: false, stop: none }
  if (config.REDIS_CLUSTER_NODES) {
    return { address: config.REDIS_CLUSTER_NODES, source: 'REDIS_CLUSTER_NODES', started: false, stop: none }
  }
  const running = runningPrivateRedis(config)
  if (running && (await answers(running)))
    return { address: running, source: 'private', started: false, stop: none }
  if (config.COLIS_PROBE_REDIS !== 'none' && (await answers(config.COLIS_PROBE_REDIS))) {
    return { address: config.COLIS_PROBE_REDIS, source: 'probe', started: false, stop: none }
  }
  const dir = privateRedisDir(config)
  const redis = await startLocalRedis({ dir, persistent: true })
  const urlFile = join(dir, 'url')
  writeFileSync(urlFile, redis.url)
  logger.info({ url: redis.url, dir, pid: redis.pid }, 'started a private redis-server (append-only file on)')
  return {
    address: redis.url,
    source: 'private',
    started: true,
    async stop() {
      // Removed first: a command started meanwhile must not pick a Redis about to go away.
      if (runningPrivateRedis(config) === redis.url) rmSync(urlFile, { force: true })
      await redis.stop()
    },
  }
}

/** The URL of the private redis-server a running `colis serve` started, so CLI commands reach the same data. */
function runningPrivateRedis(config: Pick<Config, 'COLIS_DATA_DIR'>): string | undefined {
  try {
    return readFileSync(join(privateRedisDir(config), 'url'), 'utf8').trim()
  } catch {
    return undefined
  }
}

/** Which Redis `target` is, for a person: host:port (and database), never a password. */
export function describeRedisTarget(target: Pick<RedisTarget, 'address' | 'source' | 'started'>): string {
  const origin = {
    REDIS_URL: 'REDIS_URL',
    REDIS_CLUSTER_NODES: 'REDIS_CLUSTER_NODES',
    probe: 'found at COLIS_PROBE_REDIS',
    private: target.started
      ? 'a private redis-server started for this command'
      : 'the private redis-server of colis serve',
  }[target.source]
  return `${describeRedisAddress(target.address)} (${origin})`
}

/** host:port (and database) of a Redis URL, or the seeds of a cluster: never a password. */
export function describeRedisAddress(address: RedisAddress): string {
  if (typeof address !== 'string') return `cluster ${describeClusterSeeds(address)}`
  try {
    const url = new URL(address)
    const database = url.pathname.replace(/^\//, '')
    return `${url.hostname}:${url.port || '6379'}${database && database !== '0' ? `/${database}` : ''}`
  } catch {
    return 'REDIS_URL'
  }
}

/**
 * BullMQ and colis lose data if Redis evicts keys: say so loudly at startup. On a cluster each master
 * has its own setting, and each is asked.
 */
export async function warnIfEvicting(redis: RedisClient, logger: Logger): Promise<void> {
  for (const server of dataServers(redis)) {
    const where = isCluster(redis) ? { node: `${server.options.host}:${server.options.port}` } : {}
    try {
      const [, policy] = (await server.config('GET', 'maxmemory-policy')) as [string, string]
      if (policy !== 'noeviction') {
        logger.warn(
          { maxmemoryPolicy: policy, ...where },
          'Redis may evict keys (maxmemory-policy is not noeviction): trackings and poll jobs can be lost. Set maxmemory-policy noeviction.',
        )
      }
    } catch {
      logger.info(where, 'could not read maxmemory-policy (CONFIG disabled?); make sure it is noeviction')
    }
  }
}
