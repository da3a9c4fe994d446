import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cluster } from 'ioredis'
import { loadConfig } from '../../src/config.js'
import { clusterOptionsOf, WORKER_REDIS_OPTIONS } from '../../src/main/redis-connections.js'
import { type ClusterSeeds, parseClusterSeeds } from '../../src/redis/cluster-seeds.js'
import { type LocalCluster, startLocalCluster } from '../../src/redis/local-cluster.js'
import { dataServers } from '../../src/redis/redis-client.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { allShards } from '../../src/store/shards.js'
import { pollQueueNames, queuePrefix } from '../../workers/jobs.js'
import { type BenchRedis, type BenchServer, startBenchRedis, startBenchServer } from '../api-load.js'
import { atLeast, atMost, type Figure, type FigureModule } from '../figure.js'
import { measurePollCost, type PollCost, type PollCostOptions } from '../poll-cost.js'
import { seedTimelines, TIMELINE_EVENTS } from '../seed-timelines.js'
import { closedLoop, type Load, medianOf, round } from '../server-runs.js'
import { type FakeLaPoste, startFakeLaPoste } from '../support.js'
import { adaptivePollMix } from './freshness.js'
import { usedMemory } from './memory.js'

/** The default prefix: the spread of its shards' tags over the masters is the one a deployment gets. */
const PREFIX = 'colis'
/** The prefix measurePollCost polls under: its poll queue's tag decides the master that holds it. */
const POLL_PREFIX = 'bench'
const MASTERS = 3
/** Trackings the uncached reads go through: more than the API process keeps decoded (1000). */
const UNCACHED_PARCELS = 3_000
const CONCURRENCY = 50

interface MasterLoad {
  port: number
  keys: number
  bytes: number
  /** The shards whose hash tag this master's slots hold. */
  tags: number
}

interface Balance {
  parcels: number
  shards: number
  masters: MasterLoad[]
  /** How the tags of more shards would fall over the same masters (counted, not seeded). */
  otherCounts: Array<{ shards: number; tags: number[] }>
  /** The merchant's API key and the seeded trackings' ids, for the reads. */
  key: string
  ids: string[]
}

/** Shard counts whose tags' spread the balance's note gives beside the one measured. */
const OTHER_SHARD_COUNTS = [256, 1024]

/** A cluster client of the bench's own, beside colis' (INFO, DBSIZE and KEYSLOT on each master). */
function connectCluster(seeds: ClusterSeeds): Cluster {
  return new Cluster(seeds.nodes, clusterOptionsOf(seeds, WORKER_REDIS_OPTIONS))
}

function seedsOf(cluster: LocalCluster): ClusterSeeds {
  const parsed = parseClusterSeeds(cluster.seeds)
  if ('error' in parsed) throw new Error(parsed.error)
  return parsed.seeds
}

/** The port of the master serving each slot, from CLUSTER SLOTS. */
async function masterOfSlot(client: Cluster): Promise<(slot: number) => number> {
  const ranges = await client.cluster('SLOTS')
  return (slot) => ranges.find(([first, last]) => slot >= first && slot <= last)?.[2]?.[1] ?? 0
}

async function portOfTag(client: Cluster, tagged: string): Promise<number> {
  const master = await masterOfSlot(client)
  return master(Number(await client.cluster('KEYSLOT', tagged)))
}

/** How many of `shards` shards' hash tags each of `ports` holds, in their order. */
async function tagsPerMaster(client: Cluster, shards: number, ports: number[]): Promise<number[]> {
  const keys = createRedisKeys(PREFIX, shards)
  const master = await masterOfSlot(client)
  const tagPorts = await Promise.all(
    allShards(shards).map(async (shard) =>
      master(Number(await client.cluster('KEYSLOT', keys.outbox(shard)))),
    ),
  )
  return ports.map((port) => tagPorts.filter((tagPort) => tagPort === port).length)
}

/**
 * Seeds `parcels` trackings with 20-scan timelines through the real store, sharded as colis is on a
 * cluster, then counts each master's keys and the bytes it grew by.
 */
async function measureBalance(cluster: LocalCluster, parcels: number): Promise<Balance> {
  const seeds = seedsOf(cluster)
  const shards = loadConfig({ REDIS_CLUSTER_NODES: cluster.seeds }).COLIS_SHARDS
  const client = connectCluster(seeds)
  try {
    await client.ping()
    const masters = dataServers(client).sort((a, b) => (a.options.port ?? 0) - (b.options.port ?? 0))
    const ports = masters.map((server) => server.options.port ?? 0)
    const before = await Promise.all(masters.map(usedMemory))
    const { key, ids } = await seedTimelines(seeds, PREFIX, { parcels, shards })
    const tags = await tagsPerMaster(client, shards, ports)
    const loads = await Promise.all(
      masters.map(async (server, index) => ({
        port: ports[index] ?? 0,
        keys: await server.dbsize(),
        bytes: (await usedMemory(server)) - (before[index] ?? Number.NaN),
        tags: tags[index] ?? 0,
      })),
    )
    const otherCounts = await Promise.all(
      OTHER_SHARD_COUNTS.map(async (count) => ({
        shards: count,
        tags: await tagsPerMaster(client, count, ports),
      })),
    )
    return { parcels, shards, masters: loads, otherCounts, key, ids }
  } finally {
    client.disconnect()
  }
}

/** Most loaded ÷ least loaded. */
function spreadOf(values: number[]): number {
  return Math.max(...values) / Math.min(...values)
}

interface ReadRound {
  single: number
  cluster: number
  singleUncached: number
  clusterUncached: number
}

/**
 * GET /v1/trackings/{id} on the real service (a child process, as figure 3) on one redis-server and on
 * the cluster, in alternating rounds: one tracking (the API's read cache in play), and a different one
 * of UNCACHED_PARCELS each request (every read goes to Redis).
 */
async function measureReads(
  cluster: LocalCluster,
  balance: Balance,
  single: BenchRedis,
  quick: boolean,
): Promise<ReadRound[]> {
  const seconds = quick ? 2 : 3
  const rounds = quick ? 3 : 5
  const onSingle = await seedTimelines(single.url, PREFIX, { parcels: UNCACHED_PARCELS + 1 })
  const servers: BenchServer[] = []
  try {
    const singleServer = await startBenchServer('colis', {
      REDIS_URL: single.url,
      COLIS_REDIS_PREFIX: PREFIX,
    })
    servers.push(singleServer)
    const clusterServer = await startBenchServer('colis', {
      REDIS_CLUSTER_NODES: cluster.seeds,
      COLIS_REDIS_PREFIX: PREFIX,
    })
    servers.push(clusterServer)
    const loads = (server: BenchServer, seeded: { key: string; ids: string[] }) => {
      const headers = { authorization: `Bearer ${seeded.key}` }
      const url = `${server.url}/v1/trackings/${seeded.ids[0]}`
      const paths = seeded.ids.slice(1, UNCACHED_PARCELS + 1).map((id) => `/v1/trackings/${id}`)
      return { cached: { url, headers }, uncached: { url, headers, paths } }
    }
    const singleLoads = loads(singleServer, onSingle)
    const clusterLoads = loads(clusterServer, balance)
    for (const load of [singleLoads.cached, clusterLoads.cached]) await expectTimeline(load)
    await closedLoop(singleServer, singleLoads.uncached, 1, 'single Redis warm-up')
    await closedLoop(clusterServer, clusterLoads.uncached, 1, 'cluster warm-up')
    const measured: ReadRound[] = []
    for (let index = 0; index < rounds; index++) {
      const run = async (server: BenchServer, load: Load, what: string) =>
        (await closedLoop(server, load, seconds, what)).rps
      // Which side goes first alternates: a machine speeding up or slowing down favours neither.
      const pair = async (first: () => Promise<number>, second: () => Promise<number>) => {
        if (index % 2 === 0) return [await first(), await second()] as const
        const [b, a] = [await second(), await first()]
        return [a, b] as const
      }
      const [singleRps, clusterRps] = await pair(
        () => run(singleServer, singleLoads.cached, 'single Redis'),
        () => run(clusterServer, clusterLoads.cached, 'cluster'),
      )
      const [singleUncached, clusterUncached] = await pair(
        () => run(singleServer, singleLoads.uncached, 'single Redis, uncached'),
        () => run(clusterServer, clusterLoads.uncached, 'cluster, uncached'),
      )
      measured.push({ single: singleRps, cluster: clusterRps, singleUncached, clusterUncached })
    }
    return measured
  } finally {
    for (const server of servers) await server.stop()
  }
}

async function expectTimeline(load: { url: string; headers: Record<string, string> }): Promise<void> {
  const response = await fetch(load.url, { headers: load.headers })
  const body = await response.text()
  if (response.status !== 200) throw new Error(`GET ${load.url}: ${response.status} ${body}`)
  const events = (JSON.parse(body) as { events?: unknown[] }).events?.length
  if (events !== TIMELINE_EVENTS) throw new Error(`expected ${TIMELINE_EVENTS} events, got ${events}`)
}

interface PollRound {
  single: PollCost
  /** The same redis-server with the cluster's shard count: sharding's part of the cluster's cost. */
  sharded: PollCost
  cluster: PollCost
}

/** The same polls shared equally between several carriers, one-number requests each. */
type SpreadPollRound = Pick<PollRound, 'single' | 'cluster'>

/** Definition-file carriers answered by the loopback La Poste (bench/loopback-definitions.ts). */
const SPREAD_CARRIERS = ['loop-1', 'loop-2', 'loop-3'] as const
const WARM_UP_PARCELS = 999

/**
 * Figure 1's headline polls (followed parcels, 10-id batches) on each side (its options: where, how
 * many shards, which carriers), in rounds whose order rotates.
 */
async function measurePolls<Side extends string>(
  sides: Record<Side, Partial<PollCostOptions>>,
  parcels: number,
  carrier: FakeLaPoste,
  rounds: number,
): Promise<Array<Record<Side, PollCost>>> {
  const mix = adaptivePollMix()
  const polls = (trackings: number, side: Side) =>
    measurePollCost({
      trackings,
      batchSize: 10,
      concurrency: CONCURRENCY,
      countRoundTrips: false,
      mix,
      carrier,
      deployedDispatchInterval: true,
      ...sides[side],
    })
  const order = Object.keys(sides) as Side[]
  // Unmeasured: V8 compiles the poll path, and the cluster client's code, first.
  for (const side of order) await polls(WARM_UP_PARCELS, side)
  const measured: Array<Record<Side, PollCost>> = []
  for (let index = 0; index < rounds; index++) {
    // A machine speeding up or slowing down favours no side: each goes first in turn.
    const shift = index % order.length
    const costs: Partial<Record<Side, PollCost>> = {}
    for (const side of [...order.slice(shift), ...order.slice(0, shift)])
      costs[side] = await polls(parcels, side)
    measured.push(costs as Record<Side, PollCost>)
  }
  return measured
}

/** The round whose value is the median: its other figures are the ones reported beside it. */
function medianRound<T>(rounds: T[], value: (round: T) => number): { round: T; values: number[] } {
  const values = rounds.map(value)
  return { round: rounds[values.indexOf(medianOf(values))] as T, values }
}

/**
 * Figure 13: colis on a local Redis Cluster (3 masters, a replica each) against one redis-server, in
 * one run: how evenly its sharded keyspace spreads over the masters, what the cluster costs the poll
 * pipeline and an API read, and how much Redis CPU each master spends per poll.
 */
export const redisCluster: FigureModule = async ({ quick }) => {
  const parcels = quick ? 10_000 : 100_000
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-cluster-'))
  const cluster = await startLocalCluster({ dir, masters: MASTERS, replicasPerMaster: 1 })
  const single = await startBenchRedis()
  const carrier = await startFakeLaPoste()
  try {
    const balance = await measureBalance(cluster, parcels)
    const reads = await measureReads(cluster, balance, single, quick)
    // The cluster's side polls each carrier through as many lanes as there are masters, as the
    // operations guide advises on a cluster (three is colis' default there).
    const pollConfig = loadConfig({
      REDIS_CLUSTER_NODES: cluster.seeds,
      COLIS_REDIS_PREFIX: POLL_PREFIX,
      POLL_QUEUE_LANES: String(MASTERS),
    })
    const client = connectCluster(seedsOf(cluster))
    // Where each carrier's poll lanes (POLL_QUEUE_LANES queues) sit: every master, or the figure is void.
    const lanesOf = (carrierId: string) =>
      Promise.all(
        pollQueueNames(carrierId, pollConfig.POLL_QUEUE_LANES).map(async (name) => {
          const tag = queuePrefix(pollConfig, name)
          return { tag, port: await portOfTag(client, tag) }
        }),
      )
    const [laPosteLanes, ...spreadLanes] = await Promise.all(
      ['laposte', ...SPREAD_CARRIERS].map(lanesOf),
    ).finally(() => client.disconnect())
    for (const lanes of [laPosteLanes ?? [], ...spreadLanes])
      if (new Set(lanes.map((lane) => lane.port)).size !== MASTERS)
        throw new Error(
          `poll lanes ${lanes.map((lane) => `${lane.tag} on :${lane.port}`).join(', ')}: not on ${MASTERS} masters`,
        )
    // Each poll run starts on an empty cluster, as the single side's on a new redis-server.
    await emptyCluster(cluster)
    const rounds = quick ? 3 : 5
    const polls = await measurePolls(
      // The single redis-server feeds a replica, as each master of the cluster does.
      {
        single: { withReplica: true },
        sharded: { shards: balance.shards, withReplica: true },
        cluster: { cluster, lanes: MASTERS },
      },
      quick ? 2_000 : 10_000,
      carrier,
      rounds,
    )
    const definitionCarriers = SPREAD_CARRIERS
    const spread = await measurePolls(
      {
        single: { definitionCarriers, withReplica: true },
        cluster: { cluster, definitionCarriers, lanes: MASTERS },
      },
      SPREAD_CARRIERS.length * (quick ? 667 : 3_333),
      carrier,
      rounds,
    )
    return figuresOf({
      balance,
      reads,
      polls,
      laPosteLanes: laPosteLanes ?? [],
      lanes: pollConfig.POLL_QUEUE_LANES,
      spread,
      spreadQueues: spreadLanes.flat(),
      quick,
    })
  } finally {
    await carrier.close()
    await single.stop()
    await cluster.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function emptyCluster(cluster: LocalCluster): Promise<void> {
  const client = connectCluster(seedsOf(cluster))
  try {
    await client.ping()
    await Promise.all(dataServers(client).map((server) => server.flushall()))
  } finally {
    client.disconnect()
  }
}

function figuresOf(m: {
  balance: Balance
  reads: ReadRound[]
  polls: PollRound[]
  laPosteLanes: Array<{ tag: string; port: number }>
  lanes: number
  spread: SpreadPollRound[]
  spreadQueues: Array<{ tag: string; port: number }>
  quick: boolean
}): Figure[] {
  const { balance, reads, polls } = m
  const masters = balance.masters
  const keySpread = spreadOf(masters.map((master) => master.keys))
  const byteSpread = spreadOf(masters.map((master) => master.bytes))
  const totalBytes = masters.reduce((sum, master) => sum + master.bytes, 0)
  const perMaster = masters
    .map(
      (master) =>
        `:${master.port} ${master.tags} tags, ${master.keys} keys, ${round(master.bytes / 1e6, 1)} MB`,
    )
    .join('; ')
  const balanceHow = `${balance.parcels} La Poste trackings of one merchant${m.quick ? ' (quick mode; the full run uses 100000)' : ''}, each with a ${TIMELINE_EVENTS}-scan timeline saved through the real store, prefix ${PREFIX}, ${balance.shards} shards, on a local cluster of ${MASTERS} masters with a replica each (default slot ranges of redis-cli --cluster create); per master: ${perMaster}; ${round(totalBytes / balance.parcels)} B per tracking over the masters`
  const tagNote = `a shard's trackings all land where its hash tag's slot is, and the ${balance.shards} tags fall ${masters.map((master) => master.tags).join('/')} over the masters: the spread follows the tags' (${round(spreadOf(masters.map((master) => master.tags)), 2)}×), not the slots'; more shards would even it out (the tags of ${balance.otherCounts.map(({ shards, tags }) => `${shards} would fall ${tags.join('/')}, ${round(spreadOf(tags), 2)}×`).join('; ')}), as would slots moved so that each master holds as many tags`

  const { round: read, values: readRatios } = medianRound(reads, (one) => one.cluster / one.single)
  const { round: uncached, values: uncachedRatios } = medianRound(
    reads,
    (one) => one.clusterUncached / one.singleUncached,
  )
  const ratioList = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ')

  const pollRatio = medianRound(polls, (one) => one.cluster.pollsPerSecond / one.single.pollsPerSecond)
  const sharded = medianRound(polls, (one) => one.sharded.pollsPerSecond / one.single.pollsPerSecond)
  const busiestOf = (one: SpreadPollRound) =>
    one.cluster.redisCpuMsPerPollByServer.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a))
  const busiest = medianRound(polls, (one) => busiestOf(one).cpuMs / one.single.redisCpuMsPerPoll)
  const total = medianRound(polls, (one) => one.cluster.redisCpuMsPerPoll / one.single.redisCpuMsPerPoll)
  const busiestRound = busiest.round
  const busiestMaster = busiestOf(busiestRound)
  const cpuPerMaster = busiestRound.cluster.redisCpuMsPerPollByServer
    .map(
      ({ port, cpuMs }) =>
        `:${port} (${
          m.laPosteLanes
            .filter((lane) => lane.port === port)
            .map((lane) => lane.tag)
            .join(', ') || 'no poll lane'
        }) ${cpuMs.toFixed(4)}`,
    )
    .join(', ')
  const spreadBusiest = medianRound(m.spread, (one) => busiestOf(one).cpuMs / one.single.redisCpuMsPerPoll)
  const spreadRound = spreadBusiest.round
  const spreadMaster = busiestOf(spreadRound)
  const spreadTotal = medianRound(
    m.spread,
    (one) => one.cluster.redisCpuMsPerPoll / one.single.redisCpuMsPerPoll,
  )
  const spreadPerMaster = spreadRound.cluster.redisCpuMsPerPollByServer
    .map(({ port, cpuMs }) => {
      const queues = m.spreadQueues.filter((queue) => queue.port === port).map((queue) => queue.tag)
      return `:${port} (${queues.join(', ') || 'no poll lane'}) ${cpuMs.toFixed(4)}`
    })
    .join(', ')
  const pollHow = `figure 1's headline polls (${polls[0]?.single.trackings} followed parcels polled once each, 10-id La Poste batches, concurrency ${CONCURRENCY}, the figure-6 mix) with colis' real dispatcher (at its default tick, POLL_DISPATCH_INTERVAL 1 s, not figure 1's 50 ms: it asks every shard it holds each tick; the measured polls on workers started afresh, so that no side waits for a tick), poll job, adapter, merge and store, on the cluster (${balance.shards} shards) and on one private redis-server with a replica, as each master has (one shard), ${polls.length} rounds in rotating order after an unmeasured one each`

  return [
    atMost('cluster-balance-keys', round(keySpread, 3), '×', 1.25, {
      note: `most loaded master's keys (DBSIZE) ÷ least loaded's; ${balanceHow}; ${tagNote}`,
    }),
    atMost('cluster-balance-bytes', round(byteSpread, 3), '×', 1.25, {
      note: `the same masters' INFO used_memory after MEMORY PURGE, grown since before the seeding: most ÷ least (${masters.map((master) => round(master.bytes / 1e6, 1)).join(' / ')} MB)`,
    }),
    atLeast(
      'cluster-poll-pipeline-vs-single-redis',
      round(pollRatio.round.cluster.pollsPerSecond),
      'polls/s',
      0.7,
      {
        baseline: round(pollRatio.round.single.pollsPerSecond),
        ratio: round(pollRatio.round.cluster.pollsPerSecond / pollRatio.round.single.pollsPerSecond, 3),
        note: `${pollHow}; median ratio, rounds ${ratioList(pollRatio.values)}; colis CPU per poll ${pollRatio.round.cluster.cpuMsPerPoll.toFixed(3)} ms on the cluster vs ${pollRatio.round.single.cpuMsPerPoll.toFixed(3)} ms`,
      },
    ),
    {
      name: 'cluster-poll-pipeline-sharded-single-redis',
      value: round(sharded.round.sharded.pollsPerSecond),
      unit: 'polls/s',
      baseline: round(sharded.round.single.pollsPerSecond),
      ratio: round(sharded.round.sharded.pollsPerSecond / sharded.round.single.pollsPerSecond, 3),
      target: 'info',
      pass: true,
      note: `the same polls on the same kind of redis-server (with its replica) with COLIS_SHARDS=${balance.shards}: what sharding costs without the cluster; same rounds, ratios ${ratioList(sharded.values)}; Redis CPU per poll ${sharded.round.sharded.redisCpuMsPerPoll.toFixed(4)} ms vs ${sharded.round.single.redisCpuMsPerPoll.toFixed(4)} ms, colis ${sharded.round.sharded.cpuMsPerPoll.toFixed(3)} ms vs ${sharded.round.single.cpuMsPerPoll.toFixed(3)} ms`,
    },
    atLeast('cluster-api-read-vs-single-redis', round(read.cluster), 'req/s', 0.7, {
      baseline: round(read.single),
      ratio: round(read.cluster / read.single, 3),
      note: `GET /v1/trackings/{id} of one tracking (${TIMELINE_EVENTS} events) on the real service in a child process (bench/api-server.ts), on the cluster (the balance's trackings) vs one redis-server; ${reads.length} alternating closed-loop rounds of autocannon, median ratio, rounds ${ratioList(readRatios)}`,
    }),
    {
      name: 'cluster-api-read-uncached-vs-single-redis',
      value: round(uncached.clusterUncached),
      unit: 'req/s',
      baseline: round(uncached.singleUncached),
      ratio: round(uncached.clusterUncached / uncached.singleUncached, 3),
      target: 'info',
      pass: true,
      note: `the same GET, each request another of ${UNCACHED_PARCELS} trackings (every read goes to Redis), same rounds: ${ratioList(uncachedRatios)}`,
    },
    atMost('cluster-busiest-master-redis-cpu-per-poll', Number(busiestMaster.cpuMs.toFixed(4)), 'ms', 0.4, {
      baseline: Number(busiestRound.single.redisCpuMsPerPoll.toFixed(4)),
      ratio: round(busiestMaster.cpuMs / busiestRound.single.redisCpuMsPerPoll, 3),
      note: `Redis CPU (INFO cpu, user + sys) per poll of the busiest master ÷ the single redis-server's (both feeding a replica), same polls; the target is the issue's ≈ 1/3 of three masters; median of the rounds ${ratioList(busiest.values)}; per master in that round (ms per poll, with the La Poste poll lanes each holds) ${cpuPerMaster}. BullMQ keeps a queue in one slot, so each carrier polls through POLL_QUEUE_LANES=${m.lanes} queues (one per master, colis' default on a cluster), each with a third of the shards and of the carrier's rate, their tags placed in the three thirds of the slots: one carrier's queue work spreads over the masters`,
    }),
    atMost(
      `cluster-busiest-master-redis-cpu-per-poll-${SPREAD_CARRIERS.length}-carriers`,
      Number(spreadMaster.cpuMs.toFixed(4)),
      'ms',
      0.4,
      {
        baseline: Number(spreadRound.single.redisCpuMsPerPoll.toFixed(4)),
        ratio: round(spreadMaster.cpuMs / spreadRound.single.redisCpuMsPerPoll, 3),
        note: `the same ratio with the polls shared equally between ${SPREAD_CARRIERS.length} carriers (${spreadRound.single.trackings / SPREAD_CARRIERS.length} parcels each, ${SPREAD_CARRIERS.join(', ')}): definition-file carriers (COLIS_CARRIERS_FILE, generic adapter, one number a request, bench/loopback-definitions.ts) answered by the same loopback La Poste, the same mix, on the cluster and on one private redis-server with a replica, ${m.spread.length} rounds in alternating order after an unmeasured one each; median of the rounds ${ratioList(spreadBusiest.values)}; per master in that round (ms per poll) ${spreadPerMaster}; every master together ${ratioList(spreadTotal.values)} of the single redis-server's; ${spreadRound.cluster.pollsPerSecond.toFixed(0)} polls/s on the cluster vs ${spreadRound.single.pollsPerSecond.toFixed(0)}. Each carrier's ${m.lanes} poll lanes sit on the three masters (CLUSTER KEYSLOT of each lane's tag, checked before the run)`,
      },
    ),
    {
      name: 'cluster-masters-redis-cpu-per-poll',
      value: Number(total.round.cluster.redisCpuMsPerPoll.toFixed(4)),
      unit: 'ms',
      baseline: Number(total.round.single.redisCpuMsPerPoll.toFixed(4)),
      ratio: round(total.round.cluster.redisCpuMsPerPoll / total.round.single.redisCpuMsPerPoll, 3),
      target: 'info',
      pass: true,
      note: `every master's Redis CPU per poll together ÷ the single redis-server's: what sharding and the cluster add in all (each shard's claim script per dispatcher tick, scripts split by shard; both sides feed replicas); rounds ${ratioList(total.values)}`,
    },
  ]
}
