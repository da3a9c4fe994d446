import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { createCarrierHttp } from '../adapters/carrier-http.js'
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

/** The least a batched poll can cost: a compare-and-set of the doc and the next poll time, nothing else. */
const FLOOR_SAVE = `
if tonumber(redis.call('HGET', KEYS[1], 'v')) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'v', tonumber(ARGV[1]) + 1)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
`

export interface PollFloor {
  parcels: number
  pollsPerSecond: number
  cpuMsPerPoll: number
  redisCpuMsPerPoll: number
}

/**
 * The floor under figure 1: BullMQ jobs of `batchSize` ids at `concurrency`, each doing only the I/O a
 * batched poll cannot avoid (one pipelined read of the docs, one HTTP exchange with the same loopback La
 * Poste through colis' carrier HTTP client, the answer parsed as JSON, one pipelined compare-and-set
 * script per parcel writing a doc of the real size). No domain work: no mapping, merge, alerts or indexes.
 */
export async function measurePollFloor(
  parcels: number,
  batchSize: number,
  concurrency: number,
): Promise<PollFloor> {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-floor-'))
  const redis = await startLocalRedis({ dir })
  const carrier = await startFakeLaPoste()
  const http = createCarrierHttp({ carrier: 'laposte', timeoutMs: 10_000, connections: 100_000 })
  const connections: Redis[] = []
  const connect = () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null })
    connections.push(client)
    return client
  }
  const direct = connect()
  direct.defineCommand('floorSave', { numberOfKeys: 2, lua: FLOOR_SAVE })
  const numbers = Array.from({ length: parcels }, (_, index) => laPosteNumber(index))
  const doc = (number: string) =>
    JSON.stringify({
      id: `trk_${number}`,
      merchantId: 'bench',
      carrier: 'laposte',
      trackingNumber: number,
    }).padEnd(600, ' ')
  for (let start = 0; start < parcels; start += 1000) {
    const pipeline = direct.pipeline()
    for (const number of numbers.slice(start, start + 1000))
      pipeline.hset(`floor:trk:${number}`, 'doc', doc(number), 'events', '[]', 'v', 1)
    await pipeline.exec()
  }
  const queue = new Queue<{ ids: string[] }>('floor', { connection: connect() })
  const jobs = []
  for (let start = 0; start < parcels; start += batchSize)
    jobs.push({ name: 'poll', data: { ids: numbers.slice(start, start + batchSize) } })
  for (let start = 0; start < jobs.length; start += 1000) await queue.addBulk(jobs.slice(start, start + 1000))

  const cpuBefore = process.cpuUsage()
  const redisCpuBefore = await redisCpuMs(direct)
  const started = performance.now()
  let done = 0
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker<{ ids: string[] }>(
      'floor',
      async (job) => {
        const { ids } = job.data
        const read = direct.pipeline()
        for (const id of ids) read.hmget(`floor:trk:${id}`, 'doc', 'v')
        const rows = (await read.exec()) ?? []
        const response = await http.request(`${carrier.baseUrl}/idships/${ids.join(',')}?lang=fr_FR`, {
          headers: { Accept: 'application/json', 'X-Okapi-Key': 'bench-key' },
        })
        JSON.parse(response.text)
        const write = direct.pipeline() as unknown as { floorSave(...args: string[]): void }
        ids.forEach((id, index) => {
          const [, fields] = rows[index] ?? []
          const [stored, version] = fields as [string, string]
          write.floorSave(`floor:trk:${id}`, 'floor:due', version, stored, String(Date.now() + 3_600_000), id)
        })
        await (write as unknown as ReturnType<Redis['pipeline']>).exec()
      },
      { connection: connect(), concurrency, removeOnComplete: { count: 1000 } },
    )
    worker.on('failed', (_job, error) => reject(error))
    worker.on('completed', () => {
      done++
      if (done === jobs.length) void worker.close().then(() => resolve())
    })
  })
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const redisCpu = (await redisCpuMs(direct)) - redisCpuBefore
  await queue.close()
  await http.close()
  await Promise.all(connections.map((client) => client.quit()))
  await carrier.close()
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })
  return {
    parcels,
    pollsPerSecond: parcels / seconds,
    cpuMsPerPoll: (cpu.user + cpu.system) / 1000 / parcels,
    redisCpuMsPerPoll: redisCpu / parcels,
  }
}
