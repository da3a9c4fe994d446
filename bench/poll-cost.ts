import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { createCarrierRuntime } from '../adapters/registry.js'
import { loadConfig } from '../src/config.js'
import { laPoste13CheckDigit } from '../src/domain/tracking-number.js'
import { createSilentLogger } from '../src/logger.js'
import { startLocalRedis } from '../src/redis/local-redis.js'
import { createRedisKeys } from '../src/store/redis-keys.js'
import { createRedisTrackingStore } from '../src/store/redis-tracking-store.js'
import { startWorkers } from '../workers/main.js'
import { startCountingProxy, startFakeLaPoste } from './support.js'

export interface PollCost {
  trackings: number
  batchSize: number
  concurrency: number
  seconds: number
  pollsPerSecond: number
  roundTripsPerPoll: number
  roundTripsPerJob: number
  redisCommandsPerPoll: number
  /** CPU of the colis process (dispatcher, poll jobs, the other workers' loops) per parcel polled. */
  cpuMsPerPoll: number
  /** CPU of redis-server per parcel polled (scripts, BullMQ's and colis'). */
  redisCpuMsPerPoll: number
  /** CPU of the loopback carrier (its own process) per parcel polled. */
  carrierCpuMsPerPoll: number
  carrierRequestsPer1000Polls: number
}

/** Valid La Poste 13-character numbers: 6A + 10-digit serial + check digit. */
export function laPosteNumber(serial: number): string {
  const digits = String(serial).padStart(10, '0')
  return `6A${digits}${laPoste13CheckDigit(digits)}`
}

/** redis-server's user + system CPU since it started, in ms. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const seconds = (field: string) => Number(info.match(new RegExp(`${field}:([\\d.]+)`))?.[1] ?? Number.NaN)
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000
}

async function commandCount(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats')
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0)
}

/**
 * Registers `trackings` La Poste parcels, then lets the real poll workers (dispatcher, BullMQ job,
 * adapter, merge, store) poll each once against a loopback La Poste, through a proxy that counts
 * Redis round trips.
 */
export async function measurePollCost(
  trackings: number,
  batchSize: number,
  concurrency = 50,
  /** Through the counting proxy (round trips exact), or straight to Redis (throughput: the proxy is JS in this process). */
  countRoundTrips = true,
): Promise<PollCost> {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-'))
  const redis = await startLocalRedis({ dir })
  const proxy = countRoundTrips ? await startCountingProxy(Number(new URL(redis.url).port)) : undefined
  const carrier = await startFakeLaPoste()
  const config = loadConfig({
    REDIS_URL: proxy?.url ?? redis.url,
    COLIS_REDIS_PREFIX: 'bench',
    LAPOSTE_API_KEY: 'bench-key',
    LAPOSTE_BASE_URL: carrier.baseUrl,
    LAPOSTE_BATCH_SIZE: String(batchSize),
    LAPOSTE_RATE_LIMIT: '100000/1s',
    POLL_DISPATCH_INTERVAL: '250ms',
    POLL_CONCURRENCY: String(concurrency),
  })
  const direct = new Redis(redis.url, { maxRetriesPerRequest: null })
  const logger = createSilentLogger()
  const store = createRedisTrackingStore(direct, config.COLIS_REDIS_PREFIX)
  const now = new Date()
  for (let start = 0; start < trackings; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, trackings - start) }, (_, index) =>
        store.register(
          { merchantId: 'bench', carrier: 'laposte', trackingNumber: laPosteNumber(start + index) },
          now,
        ),
      ),
    )
  }
  const keys = createRedisKeys(config.COLIS_REDIS_PREFIX)
  const connections: Redis[] = []
  const connect = () => {
    const client = new Redis(proxy?.url ?? redis.url, { maxRetriesPerRequest: null })
    connections.push(client)
    return client
  }
  const carriers = createCarrierRuntime(config, logger)
  const commandsBefore = await commandCount(direct)
  const before = proxy?.counters() ?? { writes: 0 }
  const cpuBefore = process.cpuUsage()
  const redisCpuBefore = await redisCpuMs(direct)
  const carrierCpuBefore = carrier.counters().cpuMs
  const started = performance.now()
  const workers = await startWorkers({
    config,
    connect,
    store: createRedisTrackingStore(connect(), config.COLIS_REDIS_PREFIX),
    carriers,
    logger,
  })
  while (carrier.counters().ids < trackings || (await direct.zcard(keys.inflight('laposte'))) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const redisCpu = (await redisCpuMs(direct)) - redisCpuBefore
  const carrierCpu = carrier.counters().cpuMs - carrierCpuBefore
  const after = proxy?.counters() ?? { writes: Number.NaN }
  const commandsAfter = await commandCount(direct)
  await workers.close()
  await carriers.close()
  await Promise.all(connections.map((client) => client.quit()))
  direct.disconnect()
  await proxy?.close()
  await carrier.close()
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })

  const { requests } = carrier.counters()
  const roundTrips = after.writes - before.writes
  return {
    trackings,
    batchSize,
    concurrency,
    seconds,
    pollsPerSecond: trackings / seconds,
    roundTripsPerPoll: roundTrips / trackings,
    roundTripsPerJob: roundTrips / requests,
    redisCommandsPerPoll: (commandsAfter - commandsBefore) / trackings,
    cpuMsPerPoll: (cpu.user + cpu.system) / 1000 / trackings,
    redisCpuMsPerPoll: redisCpu / trackings,
    carrierCpuMsPerPoll: carrierCpu / trackings,
    carrierRequestsPer1000Polls: (requests / trackings) * 1000,
  }
}
