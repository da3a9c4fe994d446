import { Redis } from 'ioredis'
import { isoWeekOf } from '../../src/domain/analytics/analytics-cell.js'
import { addCalendarDays, parisDateOf } from '../../src/domain/business-calendar.js'
import { createStores } from '../../src/main/stores.js'
import { DEFAULT_ANALYTICS_RETENTION_MS } from '../../src/store/analytics-store.js'
import { writeCellWeeks } from '../../src/store/redis/analytics-write.js'
import { cellMember, createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { generateAnalyticsYear, weeksEndingWith } from '../analytics-year.js'
import { type BenchServer, startBenchRedis, startBenchServer } from '../api-load.js'
import { atMost, type Figure, type FigureModule } from '../figure.js'
import { parcelsToFinish } from '../finish-parcels.js'
import { percentileOf } from '../percentile.js'
import { round } from '../server-runs.js'

/**
 * The carrier scorecard over a year (figure 12): `GET /v1/analytics/carriers` of a merchant with a
 * year of 1 000 000 finished parcels, answered by the real API from a private redis-server, and what
 * those cell-weeks take in Redis.
 */

const PREFIX = 'bench-analytics'
const MERCHANT = 'bench-shop'
const PARCELS = 1_000_000
const SEED = 1
const TARGET_P99_MS = 50
const GROUPINGS = ['carrier', 'destination'] as const
/**
 * BENCH_ANALYTICS_SHARDS=64: the same year again with its parcels spread over that many shards on one
 * Redis, each cell-week in parts. Off by default: seeding its parts takes minutes (BENCHMARKS.md,
 * "Analytics query").
 */
const SPREAD_SHARDS = Number(process.env.BENCH_ANALYTICS_SHARDS ?? 1)
type Grouping = (typeof GROUPINGS)[number]

interface Latencies {
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export interface AnalyticsQueryMeasurement {
  shards: number
  cellWeeks: number
  /** Hashes written: a cell-week's part in each shard it has parcels in. */
  cellWeekParts: number
  weeks: { from: string; to: string }
  seedSeconds: number
  /** used_memory after the seeding minus before, per cell-week: its parts' hashes, keys and index entries. */
  bytesPerCellWeek: number
  /** MEMORY USAGE of the sampled cell-week parts' hashes, on average. */
  hashBytes: number
  hashesSampled: number
  requests: number
  /** The first request of each grouping after the API started (ms): the first reads the year. */
  firstMs: Record<Grouping, number>
  latencies: Record<Grouping, Latencies>
  /** With a parcel finished before each request. */
  withCounts: Record<Grouping, Latencies>
  /** The handover weeks of the parcels finished. */
  recentWeeks: string[]
  rows: Record<Grouping, number>
  /** Server CPU per request over the measured requests (µs), both groupings together. */
  cpuUsPerRequest?: number
}

function latenciesOf(timesMs: number[]): Latencies {
  const sorted = [...timesMs].sort((a, b) => a - b)
  return { p50Ms: percentileOf(sorted, 0.5), p99Ms: percentileOf(sorted, 0.99), maxMs: sorted.at(-1) ?? 0 }
}

async function usedMemory(redis: Redis): Promise<number> {
  await redis.memory('PURGE')
  const info = await redis.info('memory')
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1])
}

/** Writes a year of the merchant's cell-weeks a week at a time; how many, and what they take. */
async function seedYear(redisUrl: string, lastWeek: string, shards: number) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null })
  try {
    const keys = createRedisKeys(PREFIX, shards)
    const { key } = await createStores(redis, PREFIX, { shards }).apiKeys.create(MERCHANT)
    const before = await usedMemory(redis)
    const sampled: string[] = []
    let cellWeekParts = 0
    const cellWeeks = new Set<string>()
    let parcels = 0
    const weeks: string[] = []
    for (const cells of generateAnalyticsYear({
      merchantId: MERCHANT,
      parcels: PARCELS,
      lastWeek,
      seed: SEED,
      shards,
    })) {
      await writeCellWeeks(redis, keys, cells, DEFAULT_ANALYTICS_RETENTION_MS)
      for (const [index, stored] of cells.entries()) {
        if ((cellWeekParts + index) % 97 === 0)
          sampled.push(keys.analyticsCell(stored.shard ?? 0, stored.cell))
        cellWeeks.add(cellMember(stored.cell))
        parcels += stored.summary.parcels
      }
      cellWeekParts += cells.length
      if (cells[0]) weeks.push(cells[0].cell.week)
    }
    if (parcels !== PARCELS) throw new Error(`seeded ${parcels} parcels, not ${PARCELS}`)
    const after = await usedMemory(redis)
    let hashBytes = 0
    for (const cell of sampled) hashBytes += Number(await redis.memory('USAGE', cell, 'SAMPLES', '0'))
    return {
      key,
      cellWeeks: cellWeeks.size,
      cellWeekParts,
      weeks: { from: weeks[0] ?? lastWeek, to: weeks.at(-1) ?? lastWeek },
      bytesPerCellWeek: (after - before) / cellWeeks.size,
      hashBytes: hashBytes / sampled.length,
      hashesSampled: sampled.length,
    }
  } finally {
    redis.disconnect()
  }
}

/** One GET of the report; its time (ms) from sending to the whole body read, and its row count. */
async function timedReport(url: string, headers: Record<string, string>) {
  const started = performance.now()
  const response = await fetch(url, { headers })
  const body = await response.text()
  const ms = performance.now() - started
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 500)}`)
  return { ms, report: JSON.parse(body) as { rows: unknown[]; totals: { parcels: number } } }
}

/** Each grouping in turn, `rounds` times; before each request, `between` (a parcel finished, say). */
async function timedRounds(
  rounds: number,
  request: (groupBy: Grouping) => Promise<number>,
  between?: () => Promise<void>,
): Promise<Record<Grouping, Latencies>> {
  const times: Record<Grouping, number[]> = { carrier: [], destination: [] }
  for (let round = 0; round < rounds; round++) {
    for (const groupBy of GROUPINGS) {
      await between?.()
      times[groupBy].push(await request(groupBy))
    }
  }
  return { carrier: latenciesOf(times.carrier), destination: latenciesOf(times.destination) }
}

export async function measureAnalyticsQuery(options: {
  quick: boolean
  shards?: number
}): Promise<AnalyticsQueryMeasurement> {
  const shards = options.shards ?? 1
  const requests = options.quick ? 60 : 250
  const warmUp = options.quick ? 10 : 20
  const redis = await startBenchRedis()
  let server: BenchServer | undefined
  let finishing: Awaited<ReturnType<typeof parcelsToFinish>> | undefined
  try {
    // The last 52 whole weeks: well within the default retention whatever day the bench runs.
    const lastWeek = isoWeekOf(addCalendarDays(parisDateOf(Date.now()), -7))
    const seedStarted = performance.now()
    const seeded = await seedYear(redis.url, lastWeek, shards)
    const seedSeconds = (performance.now() - seedStarted) / 1000
    process.stderr.write(
      `bench: seeded ${seeded.cellWeeks} cell-weeks (${seeded.cellWeekParts} parts over ${shards} shard(s)) of ${PARCELS} parcels (${seeded.weeks.from} to ${seeded.weeks.to}) in ${seedSeconds.toFixed(1)} s\n`,
    )
    const recentWeeks = weeksEndingWith(lastWeek, 3)
    finishing = await parcelsToFinish(redis.url, PREFIX, {
      merchantId: MERCHANT,
      count: requests * GROUPINGS.length,
      weeks: recentWeeks,
      shards,
    })
    server = await startBenchServer('colis', {
      REDIS_URL: redis.url,
      COLIS_REDIS_PREFIX: PREFIX,
      COLIS_SHARDS: String(shards),
    })
    const headers = { authorization: `Bearer ${seeded.key}` }
    const urlOf = (groupBy: Grouping) =>
      `${server?.url}/v1/analytics/carriers?from=${seeded.weeks.from}&to=${seeded.weeks.to}&groupBy=${groupBy}`
    const rows = {} as Record<Grouping, number>
    const firstMs = {} as Record<Grouping, number>
    for (const groupBy of GROUPINGS) {
      const { ms, report } = await timedReport(urlOf(groupBy), headers)
      if (report.totals.parcels !== PARCELS)
        throw new Error(`the report counts ${report.totals.parcels} parcels, not ${PARCELS}`)
      rows[groupBy] = report.rows.length
      firstMs[groupBy] = ms
    }
    const request = async (groupBy: Grouping) => (await timedReport(urlOf(groupBy), headers)).ms
    await timedRounds(warmUp, request)
    const cpuBefore = server.cpuMs()
    const latencies = await timedRounds(requests, request)
    const cpuAfter = server.cpuMs()
    const parcelsFinished = finishing
    const withCounts = await timedRounds(requests, request, () => parcelsFinished.finishOne())
    const { report } = await timedReport(urlOf('carrier'), headers)
    if (report.totals.parcels !== PARCELS + requests * GROUPINGS.length)
      throw new Error(`after the counts, the report counts ${report.totals.parcels} parcels`)
    return {
      ...seeded,
      shards,
      seedSeconds,
      requests,
      firstMs,
      latencies,
      withCounts,
      recentWeeks,
      rows,
      ...(cpuBefore !== undefined && cpuAfter !== undefined
        ? { cpuUsPerRequest: ((cpuAfter - cpuBefore) * 1000) / (requests * GROUPINGS.length) }
        : {}),
    }
  } finally {
    await finishing?.close()
    await server?.stop()
    await redis.stop()
  }
}

const describeLatencies = ({ p50Ms, p99Ms, maxMs }: Latencies) =>
  `p50 ${round(p50Ms, 1)} ms, p99 ${round(p99Ms, 1)} ms, max ${round(maxMs, 1)} ms`

export const analyticsQuery: FigureModule = async (options): Promise<Figure[]> => {
  const m = await measureAnalyticsQuery(options)
  const year = `${PARCELS} parcels of one merchant, ${m.weeks.from} to ${m.weeks.to}, ${m.cellWeeks} cell-weeks (bench/analytics-year.ts, seed ${SEED})`
  const how = `${m.requests} sequential requests per grouping after a warm-up, the groupings in turn, over HTTP to the real API (startService role api, a child process) on a private redis-server`
  return [
    ...GROUPINGS.map((groupBy) =>
      atMost(`analytics-query-p99-${groupBy}`, round(m.latencies[groupBy].p99Ms, 1), 'ms', TARGET_P99_MS, {
        note: `GET /v1/analytics/carriers?groupBy=${groupBy} over the whole year (${m.rows[groupBy]} rows): ${describeLatencies(m.latencies[groupBy])}; ${year}; ${how}${m.cpuUsPerRequest === undefined ? '' : `; server CPU ${round(m.cpuUsPerRequest / 1000, 1)} ms a request, both groupings`}`,
      }),
    ),
    {
      name: 'analytics-query-p99-with-counts',
      value: round(Math.max(...GROUPINGS.map((groupBy) => m.withCounts[groupBy].p99Ms)), 1),
      unit: 'ms',
      target: 'info',
      pass: true,
      note: `the same requests, a parcel delivered through the tracking store's save before each (handed over in ${m.recentWeeks.join(', ')} in turn), so each report reads a changed cell-week and merges its week again: by carrier ${describeLatencies(m.withCounts.carrier)}; by destination ${describeLatencies(m.withCounts.destination)}`,
    },
    {
      name: 'analytics-query-first',
      value: round(m.firstMs.carrier / 1000, 2),
      unit: 's',
      target: 'info',
      pass: true,
      note: `the first report after the API starts reads the whole year into its cache (groupBy=carrier); the next, by destination, ${round(m.firstMs.destination, 1)} ms`,
    },
    {
      name: 'analytics-bytes-per-cell-week',
      value: round(m.bytesPerCellWeek),
      unit: 'B',
      target: 'info',
      pass: true,
      note: `Redis used_memory after seeding minus before, per cell-week: its hash and its entries in the merchant's and the operator's week index; MEMORY USAGE of ${m.hashesSampled} sampled hashes alone ${round(m.hashBytes)} B on average; seeded in ${round(m.seedSeconds, 1)} s`,
    },
    ...(SPREAD_SHARDS > 1 ? spreadFigures(m, await measureSpread(m, options)) : []),
  ]
}

/** The same year over SPREAD_SHARDS shards, one shard's figures said first: the spread year takes long. */
async function measureSpread(one: AnalyticsQueryMeasurement, options: { quick: boolean }) {
  process.stderr.write(
    `bench: one shard: by carrier ${describeLatencies(one.latencies.carrier)}; by destination ${describeLatencies(one.latencies.destination)}; with counts by carrier ${describeLatencies(one.withCounts.carrier)}, by destination ${describeLatencies(one.withCounts.destination)}; first ${round(one.firstMs.carrier / 1000, 2)} s; ${round(one.bytesPerCellWeek)} B a cell-week\n`,
  )
  return measureAnalyticsQuery({ ...options, shards: SPREAD_SHARDS })
}

/** The same year and requests with the parcels spread over SPREAD_SHARDS shards, beside one shard's. */
function spreadFigures(one: AnalyticsQueryMeasurement, spread: AnalyticsQueryMeasurement): Figure[] {
  const parts = spread.cellWeekParts / spread.cellWeeks
  return [
    ...GROUPINGS.map((groupBy) => ({
      name: `analytics-query-p99-${groupBy}-${SPREAD_SHARDS}-shards`,
      value: round(spread.latencies[groupBy].p99Ms, 1),
      unit: 'ms',
      target: 'info' as const,
      pass: true,
      note: `the same report with COLIS_SHARDS=${SPREAD_SHARDS} on one Redis, each parcel counted in its own tracking's shard: ${round(parts, 1)} parts per cell-week, merged when read (${describeLatencies(spread.latencies[groupBy])}; one shard, same run: p99 ${round(one.latencies[groupBy].p99Ms, 1)} ms); with a parcel finished before each request ${describeLatencies(spread.withCounts[groupBy])}; the first report ${round(spread.firstMs.carrier / 1000, 2)} s`,
    })),
    {
      name: `analytics-bytes-per-cell-week-${SPREAD_SHARDS}-shards`,
      value: round(spread.bytesPerCellWeek),
      unit: 'B',
      target: 'info',
      pass: true,
      note: `Redis used_memory per cell-week with COLIS_SHARDS=${SPREAD_SHARDS}: ${spread.cellWeekParts} hashes for ${spread.cellWeeks} cell-weeks (${round(parts, 1)} parts each, ${round(spread.hashBytes)} B a part's hash on average), ${round(spread.bytesPerCellWeek / one.bytesPerCellWeek, 1)}x one shard's ${round(one.bytesPerCellWeek)} B; seeded in ${round(spread.seedSeconds, 1)} s`,
    },
  ]
}
