import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { withEventId } from '../../src/domain/tracking-event.js'
import { createApiKeyStore } from '../../src/store/api-key-store.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import {
  assertClean,
  autocannon,
  type BenchServer,
  cpuPressureMs,
  ratePerSecond,
  runQueueWaitMs,
  type ServerPauses,
  startBenchRedis,
  startBenchServer,
  stolenCpuMs,
} from '../api-load.js'
import { atLeast, atMost, type BenchOptions, type Figure, type FigureModule } from '../figure.js'
import { type OpenLoopResult, startOpenLoopProcess } from '../open-loop.js'
import { laPosteNumber } from '../poll-cost.js'

const PREFIX = 'bench-read'
const EVENTS = 20
/** Connections autocannon keeps open when looking for the maximum rate (the same for both servers). */
const CONNECTIONS = 32
/** Trackings the uncached run goes through: more than the API process keeps decoded (1000). */
const UNCACHED_PARCELS = 3_000

/**
 * La Poste parcels with a 20-event timeline each, written through the store as polls would. The first
 * is the one figure 3 reads; the others make the uncached run, which reads a different one each time.
 */
export async function seed(redisUrl: string, parcels = 1): Promise<{ key: string; ids: string[] }> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null })
  try {
    const { key } = await createApiKeyStore(redis, PREFIX).create('bench-shop')
    const store = createRedisTrackingStore(redis, PREFIX)
    const start = Date.parse('2026-06-01T08:00:00+02:00')
    const at = new Date(start + EVENTS * 3_600_000).toISOString()
    const ids: string[] = []
    for (let first = 0; first < parcels; first += 500) {
      const numbers = Array.from({ length: Math.min(500, parcels - first) }, (_, index) =>
        laPosteNumber(42 + first + index),
      )
      const registered = await store.registerMany(
        numbers.map((trackingNumber, index) => ({
          input: {
            merchantId: 'bench-shop',
            carrier: 'laposte',
            trackingNumber,
            orderId: `ORDER-${42 + first + index}`,
            destinationPostalCode: '75011',
            promisedDeliveryDate: '2026-06-05',
            metadata: { customer: `c-${42 + first + index}`, channel: 'web' },
          },
        })),
        new Date(start),
      )
      const views = await store.loadForPoll(registered.map(({ record }) => record.id))
      const outcomes = await store.savePolls(
        views.map((before, index) => {
          if (!before) throw new Error('seeded tracking missing')
          const trackingNumber = numbers[index] as string
          return {
            before,
            record: {
              ...before.record,
              status: 'in_transit',
              updatedAt: at,
              lastCheckedAt: at,
              lastNewEventAt: at,
            },
            events: Array.from({ length: EVENTS }, (_, step) =>
              withEventId('laposte', trackingNumber, {
                occurredAt: new Date(start + step * 3_600_000).toISOString().replace('Z', '+00:00'),
                status: step === 0 ? 'info_received' : 'in_transit',
                code: step === 0 ? 'DR1' : 'ET1',
                description: `Votre colis est en cours d'acheminement (étape ${step + 1}).`,
                location: {
                  name: `Plateforme ${step + 1}`,
                  city: 'Paris',
                  postalCode: '75011',
                  countryCode: 'FR',
                },
              }),
            ),
            nextDueAtMs: Date.now() + 3_600_000,
          }
        }),
      )
      if (outcomes.some((outcome) => outcome !== 'saved')) throw new Error(`seeding timelines: ${outcomes}`)
      ids.push(...registered.map(({ record }) => record.id))
    }
    return { key, ids }
  } finally {
    redis.disconnect()
  }
}

interface Load {
  url: string
  headers: Record<string, string>
  /** Paths requested in turn (each connection goes through all of them); none: always `url`'s. */
  paths?: string[]
}

interface Run {
  rps: number
  p99Ms: number
  /** Server CPU per answered request (µs). */
  cpuUsPerRequest?: number
}

async function run(server: BenchServer, load: Load, seconds: number, what: string, overallRate?: number) {
  const cpuBefore = server.cpuMs()
  const { paths, ...target } = load
  let next = 0
  const result = await autocannon({
    ...target,
    ...(paths
      ? { requests: [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }] }
      : {}),
    connections: CONNECTIONS,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
  })
  const cpuUsPerRequest = cpuUsPer(result['2xx'], cpuBefore, server.cpuMs())
  assertClean(result, what)
  const measured: Run = { rps: ratePerSecond(result), p99Ms: result.latency.p99, cpuUsPerRequest }
  return { result, measured }
}

/** Server CPU per request (µs) between two readings in ms; undefined where /proc cannot tell. */
function cpuUsPer(requests: number, beforeMs: number | undefined, afterMs: number | undefined) {
  return beforeMs === undefined || afterMs === undefined
    ? undefined
    : ((afterMs - beforeMs) * 1000) / requests
}

/** CPU waits over a span, in ms; undefined where this kernel does not count them. */
interface Waits {
  /** The server's main thread runnable but not running (schedstat). */
  runQueueWaitMs: number | undefined
  /** Some task of the machine waiting for a CPU (pressure stall information). */
  machineCpuPressureMs: number | undefined
  /** CPU time the hypervisor took from this machine's CPUs while they had work (steal). */
  stolenMs: number | undefined
}

/** Starts counting CPU waits; the function returned reads them since then. */
function waits(pid: number): () => Waits {
  const read = (): Waits => ({
    runQueueWaitMs: runQueueWaitMs(pid),
    machineCpuPressureMs: cpuPressureMs(),
    stolenMs: stolenCpuMs(),
  })
  const before = read()
  return () => {
    const after = read()
    const since = (key: keyof Waits) => {
      const [start, end] = [before[key], after[key]]
      return start === undefined || end === undefined ? undefined : end - start
    }
    return {
      runQueueWaitMs: since('runQueueWaitMs'),
      machineCpuPressureMs: since('machineCpuPressureMs'),
      stolenMs: since('stolenMs'),
    }
  }
}

type OpenLoopRun = OpenLoopResult & {
  rate: number
  server: ServerPauses & Waits & { cpuUsPerRequest: number | undefined }
}

/** The run of median p99 (of three). */
function median(runs: OpenLoopRun[]): OpenLoopRun {
  return [...runs].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(runs.length / 2)] as OpenLoopRun
}

function best(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.rps > a.rps ? b : a))
}

export interface ApiReadMeasurement {
  colis: Run
  bare: Run
  ratio: number
  /** Each request a different tracking, more of them than the API keeps decoded: every read misses. */
  uncached: Run
  cpuRatio?: number
  rateAt70: number
  achievedAt70: number
  p50At70Ms: number
  p99At70Ms: number
  /** Every run at 70 %, in order, each at 70 % of colis' maximum measured just before it: the figure is their median p99. */
  at70Runs: OpenLoopRun[]
  /** Length of each open-loop run (s). */
  openLoopSeconds: number
  /** The bare route under the same open loop at colis' rate (a third of its own maximum). */
  bareAtSameRate: OpenLoopRun[]
  /** The bare route at 70 % of its own maximum, measured just before each run. */
  bareAtOwn70: OpenLoopRun[]
  bodyBytes: number
  seconds: number
  rounds: number
}

/**
 * GET /v1/trackings/{id} on the real service vs. a bare Hono route serving the same JSON from memory.
 * Both servers stay up and are loaded in turn, `rounds` times each; the best round of each counts
 * (other work on a shared machine only ever slows a round down).
 */
export async function measureApiRead(options: BenchOptions): Promise<ApiReadMeasurement> {
  const seconds = options.quick ? 2 : 5
  // A quick run must stay under two minutes in all: one round each.
  const rounds = options.quick ? 1 : 3
  const redis = await startBenchRedis()
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-read-'))
  const servers: BenchServer[] = []
  const generators: Array<{ close(): Promise<void> }> = []
  try {
    const { key, ids } = await seed(redis.url, UNCACHED_PARCELS + 1)
    const id = ids[0] as string
    const path = `/v1/trackings/${id}`
    const headers = { authorization: `Bearer ${key}` }

    const colis = await startBenchServer('colis', { REDIS_URL: redis.url, COLIS_REDIS_PREFIX: PREFIX })
    servers.push(colis)
    const first = await fetch(`${colis.url}${path}`, { headers })
    const body = await first.text()
    if (first.status !== 200) throw new Error(`GET ${path}: ${first.status} ${body}`)
    const events = (JSON.parse(body) as { events?: unknown[] }).events?.length
    if (events !== EVENTS) throw new Error(`expected ${EVENTS} events, got ${events}`)

    const bodyFile = join(dir, 'body.json')
    writeFileSync(bodyFile, body)
    const bare = await startBenchServer('bare', { BENCH_BODY_FILE: bodyFile })
    servers.push(bare)
    const bareBody = await (await fetch(`${bare.url}${path}`)).text()
    if (bareBody !== body) throw new Error('the bare server does not answer the same JSON')

    const colisLoad = { url: `${colis.url}${path}`, headers }
    const bareLoad = { url: `${bare.url}${path}`, headers }
    // Warm-up: JIT, connection pools.
    await run(colis, colisLoad, 1, 'colis warm-up')
    await run(bare, bareLoad, 1, 'bare warm-up')
    const uncachedLoad = { ...colisLoad, paths: ids.slice(1).map((other) => `/v1/trackings/${other}`) }
    const colisRuns: Run[] = []
    const bareRuns: Run[] = []
    const uncachedRuns: Run[] = []
    for (let round = 0; round < rounds; round++) {
      colisRuns.push((await run(colis, colisLoad, seconds, 'colis')).measured)
      bareRuns.push((await run(bare, bareLoad, seconds, 'bare')).measured)
      uncachedRuns.push((await run(colis, uncachedLoad, seconds, 'colis, uncached')).measured)
    }
    const colisBest = best(colisRuns)
    const bareBest = best(bareRuns)
    const uncachedBest = best(uncachedRuns)
    // Open loop (bench/open-loop.ts): requests leave on schedule whether or not the server keeps up.
    // Three runs, the median p99 kept: a run's tail on a shared two-core machine moves with whatever
    // else wakes during it. Each run's rate is 70 % of colis' maximum measured just before it: this
    // machine's speed drifts by half within minutes, and 70 % of a maximum measured a minute earlier
    // was at times all of the capacity left (p50 of hundreds of ms). The control, in alternation: the
    // bare route under the same open loop at the same rate (a third of its own maximum); what both
    // show is the machine's and the generator's.
    const generator = await startOpenLoopProcess()
    generators.push(generator)
    const openLoopAt = (server: BenchServer, rate: number, runSeconds: number) =>
      generator.run({
        origin: new URL(server.url).origin,
        path,
        headers,
        rate,
        seconds: runSeconds,
        connections: CONNECTIONS,
      })
    const openLoopSeconds = options.quick ? 1 : seconds
    const maxSeconds = options.quick ? 1 : 2
    // Unmeasured half second each: the generator's code is compiled and its connections opened.
    const warmRate = Math.max(1, Math.round(colisBest.rps * 0.5))
    await openLoopAt(colis, warmRate, 0.5)
    await openLoopAt(bare, warmRate, 0.5)
    // The open loop at a rate, with what the server and the machine went through meanwhile.
    const measuredAt = async (server: BenchServer, rate: number): Promise<OpenLoopRun> => {
      await server.pauses()
      const waited = waits(server.pid)
      const cpuBefore = server.cpuMs()
      const result = await openLoopAt(server, rate, openLoopSeconds)
      const cpuUsPerRequest = cpuUsPer(result.ok, cpuBefore, server.cpuMs())
      const run = { ...result, rate, server: { ...(await server.pauses()), ...waited(), cpuUsPerRequest } }
      if (run.failed || run.ok !== run.sent)
        throw new Error(`open loop at ${rate} req/s: ${run.failed} failed`)
      return run
    }
    const at70Runs: OpenLoopRun[] = []
    const bareAtSameRate: OpenLoopRun[] = []
    const bareAtOwn70: OpenLoopRun[] = []
    for (let index = 0; index < 3; index++) {
      const maxNow = (await run(colis, colisLoad, maxSeconds, 'colis, maximum before 70 %')).measured.rps
      const rate = Math.max(1, Math.round(maxNow * 0.7))
      at70Runs.push(await measuredAt(colis, rate))
      bareAtSameRate.push(await measuredAt(bare, rate))
      // The machine's part: any server at 70 % of its own maximum meets the same stalls.
      const bareMaxNow = (await run(bare, bareLoad, maxSeconds, 'bare, maximum before 70 %')).measured.rps
      bareAtOwn70.push(await measuredAt(bare, Math.max(1, Math.round(bareMaxNow * 0.7))))
    }
    const at70 = median(at70Runs)
    const rateAt70 = at70.rate

    return {
      colis: colisBest,
      bare: bareBest,
      ratio: colisBest.rps / bareBest.rps,
      uncached: uncachedBest,
      ...(colisBest.cpuUsPerRequest && bareBest.cpuUsPerRequest
        ? { cpuRatio: bareBest.cpuUsPerRequest / colisBest.cpuUsPerRequest }
        : {}),
      rateAt70,
      achievedAt70: at70.achievedRate,
      p50At70Ms: at70.p50Ms,
      p99At70Ms: at70.p99Ms,
      at70Runs,
      openLoopSeconds,
      bareAtSameRate,
      bareAtOwn70,
      bodyBytes: Buffer.byteLength(body),
      seconds,
      rounds,
    }
  } finally {
    for (const generator of generators) await generator.close()
    for (const server of servers) await server.stop()
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits))

export const apiRead: FigureModule = async (options): Promise<Figure[]> => {
  const m = await measureApiRead(options)
  const cpu = (run: Run) =>
    run.cpuUsPerRequest === undefined ? '' : `, ${round(run.cpuUsPerRequest)} µs server CPU/req`
  const how = `best of ${m.rounds} interleaved ${m.seconds}-s autocannon runs, ${CONNECTIONS} connections, in the bench process; each server in a child \`node --import tsx bench/api-server.ts\`; private redis-server; ${m.bodyBytes}-byte body, ${EVENTS} events`
  return [
    atLeast('api-read-ratio', round(m.colis.rps), 'req/s', 0.5, {
      baseline: round(m.bare.rps),
      ratio: round(m.ratio, 3),
      note: `GET /v1/trackings/{id}: colis (startService role api, real store) ${round(m.colis.rps)} req/s${cpu(m.colis)} vs. bare Hono from memory ${round(m.bare.rps)} req/s${cpu(m.bare)}${m.cpuRatio ? ` (CPU-cost ratio ${round(m.cpuRatio, 2)})` : ''}; ${how}`,
    }),
    {
      name: 'api-read-ratio-uncached',
      value: round(m.uncached.rps),
      unit: 'req/s',
      baseline: round(m.bare.rps),
      ratio: round(m.uncached.rps / m.bare.rps, 3),
      target: 'info',
      pass: true,
      note: `the same GET, each request another of ${UNCACHED_PARCELS} trackings (the API keeps 1000 decoded), so every read inflates and parses: ${round(m.uncached.rps)} req/s${cpu(m.uncached)}`,
    },
    atMost('api-read-p99-at-70pct', round(m.p99At70Ms, 2), 'ms', 20, {
      note: `open loop (bench/open-loop.ts, in a process of its own: evenly spaced requests, latency from the time each was due) 3 runs of ${m.openLoopSeconds} s over ${CONNECTIONS} connections, each at 70 % of colis' maximum measured just before it (${list(m.at70Runs, (run) => run.rate)} req/s), the median run's p99 (runs: ${list(m.at70Runs, (run) => round(run.p99Ms, 1))} ms): achieved ${round(m.achievedAt70)} req/s, p50 ${round(m.p50At70Ms, 2)} ms, p99 ${round(m.p99At70Ms, 2)} ms. ${stalls(m.at70Runs, 'colis')}. autocannon's p99 at max rate ${round(m.colis.p99Ms, 2)} ms`,
    }),
    ...[
      {
        name: 'api-read-p99-bare-same-rate',
        runs: m.bareAtSameRate,
        what: "the bare route under the same open loop at colis' rate (a third of its own maximum)",
      },
      {
        name: 'api-read-p99-bare-own-70pct',
        runs: m.bareAtOwn70,
        what: 'the bare route at 70 % of its own maximum, measured just before each run',
      },
    ].map(
      ({ name, runs, what }): Figure => ({
        name,
        value: round(median(runs).p99Ms, 2),
        unit: 'ms',
        target: 'info',
        pass: true,
        note: `control, in alternation with figure 3's runs: ${what} (${list(runs, (run) => run.rate)} req/s): p99 of the median run (runs: ${list(runs, (run) => round(run.p99Ms, 1))} ms). ${stalls(runs, 'the server')}`,
      }),
    ),
  ]
}

function list<T>(runs: T[], value: (run: T) => number | string | undefined): string {
  return runs.map((run) => value(run) ?? '?').join(' / ')
}

/** The server's CPU over the run, in % of one core: evenly spaced requests are not batched. */
function busyPercent(run: OpenLoopRun): number | undefined {
  const cpu = run.server.cpuUsPerRequest
  return cpu === undefined ? undefined : round((run.achievedRate * cpu) / 1e4)
}

/** What each run of the open loop went through, besides the server's own work. */
function stalls(runs: OpenLoopRun[], server: string): string {
  const ms = (value: number | undefined) => (value === undefined ? undefined : round(value))
  return [
    `Per run: ${server}'s CPU a request ${list(runs, (run) => ms(run.server.cpuUsPerRequest))} µs, so busy ${list(runs, (run) => busyPercent(run))} % of a core at that rate (the generator's ${list(runs, (run) => round(run.generatorCpuUsPerRequest))} µs a request)`,
    `the generator's longest stall ${list(runs, (run) => round(run.generatorStallMs, 1))} ms`,
    `${server}'s longest event-loop stall ${list(runs, (run) => round(run.server.loopMaxMs, 1))} ms`,
    `its longest GC ${list(runs, (run) => round(run.server.gcMaxMs, 1))} ms (${list(runs, (run) => ms(run.server.gcTotalMs))} ms in all)`,
    `its main thread waiting for a CPU ${list(runs, (run) => ms(run.server.runQueueWaitMs))} ms`,
    `some task of the machine waiting for a CPU ${list(runs, (run) => ms(run.server.machineCpuPressureMs))} ms`,
    `CPU time the hypervisor took from the machine (steal) ${list(runs, (run) => ms(run.server.stolenMs))} ms`,
  ].join('; ')
}
