import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSilentLogger } from '../../src/logger.js'
import { connectForAcknowledgedWrites, createRedisConnections } from '../../src/main/redis-connections.js'
import { createStores, createTrackingStore } from '../../src/main/stores.js'
import { parseClusterSeeds } from '../../src/redis/cluster-seeds.js'
import { startLocalCluster } from '../../src/redis/local-cluster.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { startBenchServer } from '../api-load.js'
import { atLeast, type BenchOptions, type Figure, type FigureModule } from '../figure.js'
import { percentileOf } from '../percentile.js'
import { commandCount, laPosteNumber } from '../poll-cost.js'
import { medianOf, round } from '../server-runs.js'

const PREFIX = 'bench-replica-wait'
const SHARDS = 64
const WAIT = { replicas: 1, timeoutMs: 5_000 }
/** Registrations (one POST /v1/trackings each) in flight at once. */
const IN_FLIGHT = 16
/** Saves per store.save call, and calls in flight, as a poll worker's batches. */
const SAVE_BATCH = 50
const SAVES_IN_FLIGHT = 4
/** Ours: the issue names no bound. */
const TARGET_RATIO = 0.5

interface Round {
  perSecond: number
  p50Ms: number
  p99Ms: number
}

/** `count` registrations from `first` on, IN_FLIGHT at a time, each timed. */
async function registerRound(url: string, key: string, first: number, count: number): Promise<Round> {
  const latencies: number[] = []
  let next = 0
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  const started = performance.now()
  const worker = async () => {
    while (next < count) {
      const body = JSON.stringify({ trackingNumber: laPosteNumber(first + next++), carrier: 'laposte' })
      const sent = performance.now()
      const response = await fetch(`${url}/v1/trackings`, { method: 'POST', headers, body })
      await response.arrayBuffer()
      if (response.status !== 201) throw new Error(`registration: ${response.status}`)
      latencies.push(performance.now() - sent)
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    perSecond: count / seconds,
    p50Ms: percentileOf(latencies, 0.5),
    p99Ms: percentileOf(latencies, 0.99),
  }
}

/** One save with a notification for each of `ids`, SAVE_BATCH per call, SAVES_IN_FLIGHT calls at once. */
async function saveRound(store: TrackingStore, ids: readonly string[], sequence: number): Promise<Round> {
  const batches: string[][] = []
  for (let at = 0; at < ids.length; at += SAVE_BATCH) batches.push(ids.slice(at, at + SAVE_BATCH))
  const views = await Promise.all(batches.map((batch) => store.loadForPoll(batch)))
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < batches.length) {
      const saves = (views[next++] ?? []).flatMap((view) =>
        view
          ? [
              {
                before: view,
                record: { ...view.record, failureCount: sequence },
                notifications: [
                  {
                    type: 'tracking.updated' as const,
                    merchantId: view.record.merchantId,
                    trackingId: view.record.id,
                    sequence,
                    timestamp: new Date().toISOString(),
                    data: '{}',
                  },
                ],
              },
            ]
          : [],
      )
      const sent = performance.now()
      const outcomes = await store.save(saves)
      latencies.push(performance.now() - sent)
      if (outcomes.some((outcome) => outcome !== 'saved')) throw new Error(`save: ${outcomes.join(',')}`)
    }
  }
  await Promise.all(Array.from({ length: SAVES_IN_FLIGHT }, worker))
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    perSecond: ids.length / seconds,
    p50Ms: percentileOf(latencies, 0.5),
    p99Ms: percentileOf(latencies, 0.99),
  }
}

/** Median and range of wait ÷ no-wait over the rounds. */
function ratios(waiting: Round[], plain: Round[], value: (run: Round) => number) {
  const each = waiting.map((run, at) => value(run) / value(plain[at] as Round))
  return { median: medianOf(each), low: Math.min(...each), high: Math.max(...each) }
}

const describe = (runs: Round[], unit: string) =>
  `${round(medianOf(runs.map((run) => run.perSecond)))} ${unit}/s, p50 ${round(medianOf(runs.map((run) => run.p50Ms)), 1)} ms, p99 ${round(medianOf(runs.map((run) => run.p99Ms)), 1)} ms`

/** The waiting side's median rate against the plain side's, with the rounds' spread and latencies. */
function waitFigure(
  name: string,
  unit: string,
  runs: { waiting: Round[]; plain: Round[] },
  how: string,
): Figure {
  const ratio = ratios(runs.waiting, runs.plain, (run) => run.perSecond)
  return atLeast(name, round(medianOf(runs.waiting.map((run) => run.perSecond))), `${unit}/s`, TARGET_RATIO, {
    baseline: round(medianOf(runs.plain.map((run) => run.perSecond))),
    ratio: round(ratio.median, 2),
    note: `wait ÷ no-wait median ${round(ratio.median, 2)} (rounds ${round(ratio.low, 2)}–${round(ratio.high, 2)}); wait: ${describe(runs.waiting, unit)}; no wait: ${describe(runs.plain, unit)}; ${how}; target ours`,
  })
}

export const replicaWait: FigureModule = async (options: BenchOptions): Promise<Figure[]> => {
  const rounds = options.quick ? 3 : 5
  const registrations = options.quick ? 1_000 : 2_000
  const saves = options.quick ? 2_000 : 10_000
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-wait-'))
  const cluster = await startLocalCluster({ dir, masters: 3, replicasPerMaster: 1 })
  const parsed = parseClusterSeeds(cluster.seeds)
  if ('error' in parsed) throw new Error(parsed.error)
  const connections = createRedisConnections(parsed.seeds, createSilentLogger())
  try {
    const client = connections.connect()
    const stores = createStores(client, PREFIX, { shards: SHARDS })
    const { key } = await stores.apiKeys.create('bench-shop')
    const env = {
      REDIS_CLUSTER_NODES: cluster.seeds,
      COLIS_REDIS_PREFIX: PREFIX,
      COLIS_SHARDS: String(SHARDS),
    }
    const servers = {
      waiting: await startBenchServer('colis', { ...env, REDIS_WAIT_REPLICAS: '1' }),
      plain: await startBenchServer('colis', { ...env, REDIS_WAIT_REPLICAS: '0' }),
    }
    const acknowledged = await connectForAcknowledgedWrites(connections, {}, WAIT)
    const trackingStores = {
      waiting: createTrackingStore(client, PREFIX, {
        shards: SHARDS,
        waitReplicas: { ...WAIT, connections: acknowledged },
      }),
      plain: createTrackingStore(client, PREFIX, { shards: SHARDS }),
    }
    try {
      // Warm-up (JIT, scripts, connections) on numbers outside the measured ones.
      await registerRound(servers.waiting.url, key, 9_000_000, 200)
      await registerRound(servers.plain.url, key, 9_100_000, 200)
      const registered = await trackingStores.plain.registerMany(
        Array.from({ length: saves }, (_, at) => ({
          input: {
            merchantId: 'bench-shop',
            trackingNumber: laPosteNumber(8_000_000 + at),
            carrier: 'laposte',
          },
        })),
        new Date(),
      )
      const ids = registered.map(({ record }) => record.id)
      const api = { waiting: [] as Round[], plain: [] as Round[] }
      const poll = { waiting: [] as Round[], plain: [] as Round[] }
      let first = 0
      // Only the waiting side sends WAIT: counted on the masters, it shows that side did wait.
      const waitsBefore = await commandCount(client, 'wait')
      for (let at = 0; at < rounds; at++) {
        // Alternating which goes first, so that neither always runs on a warmer machine.
        const order = at % 2 === 0 ? (['waiting', 'plain'] as const) : (['plain', 'waiting'] as const)
        for (const mode of order) {
          api[mode].push(await registerRound(servers[mode].url, key, first, registrations))
          first += registrations
        }
        for (const mode of order) poll[mode].push(await saveRound(trackingStores[mode], ids, 2 * at + 1))
      }
      const waits = (await commandCount(client, 'wait')) - waitsBefore
      if (waits < rounds * registrations)
        throw new Error(`the waiting side sent ${waits} WAIT for ${rounds * registrations} registrations`)
      const how = `${rounds} alternating rounds on a local Redis Cluster (3 masters, 1 replica each), REDIS_WAIT_REPLICAS=1 vs 0; the masters ran ${waits} WAIT over the rounds, all from the waiting side`
      return [
        waitFigure(
          'replica-wait-registrations',
          'registrations',
          api,
          `${registrations} POST /v1/trackings per round, ${IN_FLIGHT} in flight, to the real service (child bench/api-server.ts); ${how}`,
        ),
        waitFigure(
          'replica-wait-poll-saves',
          'saves',
          poll,
          `per call; ${saves} store.save with one notification each per round, ${SAVE_BATCH} per call, ${SAVES_IN_FLIGHT} calls in flight; ${how}`,
        ),
      ]
    } finally {
      await Promise.all([servers.waiting.stop(), servers.plain.stop()])
    }
  } finally {
    await connections.closeAll()
    await cluster.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
