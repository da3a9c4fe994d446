import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { loadConfig } from '../../src/config.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import { createSilentLogger } from '../../src/logger.js'
import { createCarriers } from '../../src/main/policies.js'
import { createRedisConnections } from '../../src/main/redis-connections.js'
import { createTrackingStore } from '../../src/main/stores.js'
import { startWorkers } from '../../src/main/worker-process.js'
import { type LocalRedis, startLocalRedis } from '../../src/redis/local-redis.js'
import { encodeEvents } from '../../src/store/event-codec.js'
import { createPageToken } from '../../src/store/page-token.js'
import { createRedisKeys, type RedisKeys } from '../../src/store/redis/redis-keys.js'
import { indexMoves, pageEntry } from '../../src/store/redis/tracking-script-args.js'
import { atLeast, type Figure, type FigureModule } from '../figure.js'
import { laPosteNumber } from '../poll-cost.js'
import { startFakeLaPoste } from '../support.js'
import { sampleTimeline } from './memory.js'

const HOUR = 3_600_000
const debug = (message: string) => {
  if (process.env.BENCH_DEBUG) console.error(`[idle-scale] ${message}`)
}
const PREFIX = 'bench'
const MERCHANT = 'bench'

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `count` tracking ids shaped like the store's (`trk_` + 20 base62), from one random draw. */
function trackingIds(count: number): string[] {
  const bytes = randomBytes(count * 20)
  return Array.from({ length: count }, (_, index) => {
    let id = 'trk_'
    for (let offset = index * 20; offset < index * 20 + 20; offset++)
      id += BASE62[(bytes[offset] as number) % 62]
    return id
  })
}

/**
 * Writes `count` idle La Poste trackings with the commands the store's register and save scripts
 * run (SET of the number index and of the page token, HSET of the hash, ZADD into the list indexes, the `due` ZSET and the
 * alert-check ZSET), in pipelines: a polled in-transit parcel whose next poll is 1–6 hours away.
 * The ZADDs of a chunk are grouped per key (one variadic ZADD, same members and scores).
 */
export async function insertIdle(redis: Redis, keys: RedisKeys, count: number, firstSerial: number) {
  const events = encodeEvents(sampleTimeline(1))
  const nowMs = Date.now()
  const chunk = 2000
  let pending: Array<Promise<unknown>> = []
  for (let start = 0; start < count; start += chunk) {
    const pipeline = redis.pipeline()
    const size = Math.min(count, start + chunk) - start
    const ids = trackingIds(size)
    const zadds = new Map<string, Array<string | number>>()
    const numbers: string[] = []
    for (let offset = 0; offset < size; offset++) {
      const index = start + offset
      const createdMs = nowMs - 3 * 24 * HOUR + index * 100
      const createdAt = new Date(createdMs).toISOString()
      const checkedAt = new Date(nowMs - (index % 60) * 60_000).toISOString()
      const nextDueMs = nowMs + HOUR + (index % 5000) * 3600
      const record: TrackingRecord = {
        id: ids[offset] as string,
        merchantId: MERCHANT,
        carrier: 'laposte',
        trackingNumber: laPosteNumber(firstSerial + index),
        pageToken: createPageToken(),
        status: 'in_transit',
        service: 'colissimo',
        product: 'colissimo',
        createdAt,
        updatedAt: checkedAt,
        lastCheckedAt: checkedAt,
        nextCheckAt: new Date(nextDueMs).toISOString(),
        lastNewEventAt: checkedAt,
        notFoundCount: 0,
        failureCount: 0,
        sequence: 2,
        alerts: [],
      }
      numbers.push(keys.trackingByNumber(MERCHANT, record.carrier, record.trackingNumber), record.id)
      numbers.push(keys.pageToken(record.pageToken), pageEntry(record))
      pipeline.hset(keys.tracking(record.id), 'doc', JSON.stringify(record), 'events', events, 'v', 2)
      const add = (key: string, score: number, member: string) => {
        const members = zadds.get(key) ?? []
        members.push(score, member)
        zadds.set(key, members)
      }
      const moves = indexMoves(keys, undefined, record)
      for (const key of moves.enter) add(key, 0, moves.member)
      add(keys.due(0, record.carrier), nextDueMs, record.id)
      add(keys.alertsDue(0), nextDueMs + 24 * HOUR, record.id)
    }
    pipeline.mset(...numbers)
    for (const [key, members] of zadds) pipeline.zadd(key, ...members)
    pending.push(pipeline.exec())
    // Two pipelines in flight: Redis stays busy while the next one is built.
    if (pending.length >= 2) {
      await Promise.all(pending)
      pending = []
    }
  }
  await Promise.all(pending)
}

interface Setup {
  idle: number
  server: LocalRedis
  direct: Redis
  keys: RedisKeys
  hotIds: string[]
  carrier: Awaited<ReturnType<typeof startFakeLaPoste>>
  close(): Promise<void>
}

/** A private Redis with `idle` idle trackings and `hot` registered ones, the real workers polling it. */
async function setUp(idle: number, hot: number): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-idle-'))
  const server = await startLocalRedis({ dir })
  const carrier = await startFakeLaPoste()
  const config = loadConfig({
    REDIS_URL: server.url,
    COLIS_REDIS_PREFIX: PREFIX,
    LAPOSTE_API_KEY: 'bench-key',
    LAPOSTE_BASE_URL: carrier.baseUrl,
    LAPOSTE_BATCH_SIZE: '10',
    LAPOSTE_RATE_LIMIT: '100000/1s',
    POLL_DISPATCH_INTERVAL: '20ms',
    POLL_CONCURRENCY: '50',
  })
  const direct = new Redis(server.url, { maxRetriesPerRequest: null })
  const keys = createRedisKeys(PREFIX)
  const store = createTrackingStore(direct, PREFIX)
  const t0 = performance.now()
  await insertIdle(direct, keys, idle, 1_000_000)
  debug(`${idle} idle inserted in ${Math.round(performance.now() - t0)} ms`)
  const hotIds: string[] = []
  const registeredAt = new Date()
  for (let start = 0; start < hot; start += 500) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(500, hot - start) }, (_, index) =>
        store.register(
          { merchantId: MERCHANT, carrier: 'laposte', trackingNumber: laPosteNumber(start + index) },
          registeredAt,
          { nextAlertCheckAtMs: registeredAt.getTime() + 24 * HOUR },
        ),
      ),
    )
    hotIds.push(...batch.map(({ record }) => record.id))
  }
  const logger = createSilentLogger()
  const connections = createRedisConnections(server.url, logger)
  const connect = () => connections.connect()
  const carriers = createCarriers(config, logger, { env: {} })
  const workers = await startWorkers({
    config,
    connect,
    store: createTrackingStore(connect(), PREFIX),
    carriers,
    logger,
  })
  const setup: Setup = {
    idle,
    server,
    direct,
    keys,
    hotIds,
    carrier,
    async close() {
      await workers.close()
      await carriers.close()
      await connections.closeAll()
      direct.disconnect()
      await carrier.close()
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  debug(`${hot} hot registered, workers up at ${Math.round(performance.now() - t0)} ms`)
  // Warm-up: the first poll of every hot parcel (worker start-up, first timeline write) is not timed.
  await waitForPolls(setup, hot)
  debug(`warm-up done at ${Math.round(performance.now() - t0)} ms`)
  return setup
}

async function waitForPolls(setup: Setup, target: number) {
  const inflight = setup.keys.inflight(0, 'laposte')
  while ((await setup.carrier.counters()).ids < target || (await setup.direct.zcard(inflight)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Seconds of CPU the Redis server has used (its own counter: immune to other processes' load). */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu')
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0)
  return field('used_cpu_user') + field('used_cpu_sys')
}

/**
 * Makes every hot parcel due at once and times the dispatcher and poll workers through them.
 * Returns polls/s and the Redis CPU per poll (µs).
 */
async function timedRound(setup: Setup): Promise<{ rate: number; redisCpuUs: number }> {
  const target = (await setup.carrier.counters()).ids + setup.hotIds.length
  const cpuBefore = await redisCpuSeconds(setup.direct)
  const started = performance.now()
  await setup.direct.zadd(setup.keys.due(0, 'laposte'), ...setup.hotIds.flatMap((id) => [Date.now(), id]))
  await waitForPolls(setup, target)
  const seconds = (performance.now() - started) / 1000
  const cpu = (await redisCpuSeconds(setup.direct)) - cpuBefore
  return { rate: setup.hotIds.length / seconds, redisCpuUs: (cpu * 1e6) / setup.hotIds.length }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

export interface IdleScaleSide {
  idle: number
  rates: number[]
  /** Median polls/s. */
  rate: number
  /** Median Redis CPU per poll (µs). */
  redisCpuUs: number
  dueSetSize: number
}

export interface IdleScale {
  small: IdleScaleSide
  large: IdleScaleSide
  hot: number
  ratio: number
}

/**
 * Dispatch + poll rate of `hot` due parcels with `smallIdle` vs `largeIdle` idle trackings in the
 * same Redis. Both setups stay up and their rounds alternate, so load drifts on the machine hit both.
 */
export async function measureIdleScale(
  smallIdle: number,
  largeIdle: number,
  hot: number,
  rounds = 9,
): Promise<IdleScale> {
  const small = await setUp(smallIdle, hot)
  let large: Setup | undefined
  try {
    large = await setUp(largeIdle, hot)
    const smallRounds: Array<{ rate: number; redisCpuUs: number }> = []
    const largeRounds: Array<{ rate: number; redisCpuUs: number }> = []
    for (let round = 0; round < rounds; round++) {
      // Small then large, then large then small: a machine speeding up or slowing down over a pair of
      // rounds favours each side in turn instead of always the second one.
      if (round % 2 === 0) {
        smallRounds.push(await timedRound(small))
        largeRounds.push(await timedRound(large))
      } else {
        largeRounds.push(await timedRound(large))
        smallRounds.push(await timedRound(small))
      }
    }
    const side = async (setup: Setup, measured: typeof smallRounds): Promise<IdleScaleSide> => ({
      idle: setup.idle,
      rates: measured.map((round) => round.rate),
      rate: median(measured.map((round) => round.rate)),
      redisCpuUs: median(measured.map((round) => round.redisCpuUs)),
      dueSetSize: await setup.direct.zcard(setup.keys.due(0, 'laposte')),
    })
    const smallSide = await side(small, smallRounds)
    const largeSide = await side(large, largeRounds)
    // Each large round runs next to its small one: the median of those paired ratios cancels the
    // machine's load drifting over the run better than a ratio of medians would.
    const ratio = median(largeRounds.map((round, index) => round.rate / (smallRounds[index]?.rate ?? 1)))
    return { small: smallSide, large: largeSide, hot, ratio }
  } finally {
    await large?.close()
    await small.close()
  }
}

/** Figure 5: no O(N) work — poll dispatch rate with many idle trackings vs. few. */
export const idleScale: FigureModule = async ({ quick }): Promise<Figure[]> => {
  const [smallIdle, largeIdle, hot] = quick ? [10_000, 100_000, 2000] : [10_000, 1_000_000, 5000]
  // A quick run must stay under two minutes in all: five rounds, still in turn small–large and large–small.
  const measured = await measureIdleScale(smallIdle, largeIdle, hot, quick ? 5 : 9)
  const rates = (rates: number[]) => rates.map((rate) => Math.round(rate)).join('/')
  return [
    atLeast(
      'poll dispatch rate, many idle trackings vs few',
      Math.round(measured.large.rate),
      'polls/s',
      0.9,
      {
        baseline: Math.round(measured.small.rate),
        ratio: Math.round(measured.ratio * 1000) / 1000,
        note:
          `${hot} due La Poste parcels (batch 10, concurrency 50, loopback fake La Poste) through the real ` +
          `dispatcher and poll workers, with ${largeIdle} idle trackings (value) vs ${smallIdle} (baseline) ` +
          `in the same Redis, next poll 1–6 h away${quick ? ' (quick mode; the full run uses 1000000)' : ''}; ` +
          `medians of ${measured.large.rates.length} alternating rounds, in turn small–large and large–small (ratio: median of the paired ratios), polls/s ${rates(measured.large.rates)} vs ${rates(measured.small.rates)}; ` +
          `Redis CPU per poll ${Math.round(measured.large.redisCpuUs)} µs vs ${Math.round(measured.small.redisCpuUs)} µs ` +
          `(due ZSET ${measured.large.dueSetSize} vs ${measured.small.dueSetSize} members)`,
      },
    ),
  ]
}
