import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue, Worker } from 'bullmq'
import { Cluster, Redis } from 'ioredis'
import { createCarrierHttp } from '../adapters/carrier-http.js'
import { laPoste13CheckDigit } from '../adapters/number-formats.js'
import { loadConfig } from '../src/config.js'
import type { ForecastModel } from '../src/domain/forecast/forecast-model.js'
import { createSilentLogger } from '../src/logger.js'
import { createCarriers } from '../src/main/policies.js'
import {
  clusterOptionsOf,
  createRedisConnections,
  WORKER_REDIS_OPTIONS,
} from '../src/main/redis-connections.js'
import { createTrackingStore } from '../src/main/stores.js'
import { startWorkers } from '../src/main/worker-process.js'
import { parseClusterSeeds } from '../src/redis/cluster-seeds.js'
import type { LocalCluster } from '../src/redis/local-cluster.js'
import { startLocalRedis } from '../src/redis/local-redis.js'
import { dataServers, type RedisAddress, type RedisClient } from '../src/redis/redis-client.js'
import { createRedisKeys } from '../src/store/redis/redis-keys.js'
import { allShards } from '../src/store/shards.js'
import { writeLoopbackDefinitions } from './loopback-definitions.js'
import { type FakeLaPoste, startCountingProxy, startFakeLaPoste } from './support.js'

export interface PollCost {
  trackings: number
  batchSize: number
  concurrency: number
  seconds: number
  pollsPerSecond: number
  roundTripsPerPoll: number
  roundTripsPerJob: number
  /** Bytes colis sent to Redis per parcel polled (through the counting proxy only). */
  bytesToRedisPerPoll: number
  redisCommandsPerPoll: number
  /** CPU of the colis process (dispatcher, poll jobs, the other workers' loops) per parcel polled. */
  cpuMsPerPoll: number
  /** CPU of redis-server per parcel polled (scripts, BullMQ's and colis'); on a cluster, every master's together. */
  redisCpuMsPerPoll: number
  /** The same of each data server: the one redis-server, or each master of a cluster, by port. */
  redisCpuMsPerPollByServer: Array<{ port: number; cpuMs: number }>
  /** CPU of the loopback carrier (its own process) per parcel polled. */
  carrierCpuMsPerPoll: number
  carrierRequestsPer1000Polls: number
  /** With a forecast model: the trackings whose record keeps a forecast window afterwards. */
  forecastWindows?: number
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

/** `redisCpuMs` of each data server: the one redis-server, or each master of a cluster, by port. */
export async function redisCpuMsByServer(
  client: RedisClient,
): Promise<Array<{ port: number; cpuMs: number }>> {
  const servers = dataServers(client).sort((a, b) => (a.options.port ?? 0) - (b.options.port ?? 0))
  return Promise.all(
    servers.map(async (server) => ({ port: server.options.port ?? 0, cpuMs: await redisCpuMs(server) })),
  )
}

/** Commands every data server has run so far: all of them, or only `command`'s (lower case). */
export async function commandCount(client: RedisClient, command?: string): Promise<number> {
  const counted = command ? new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'gm') : /calls=(\d+)/g
  let calls = 0
  for (const server of dataServers(client)) {
    const info = await server.info('commandstats')
    calls += [...info.matchAll(counted)].reduce((sum, match) => sum + Number(match[1]), 0)
  }
  return calls
}

/** Where a poll-cost run keeps its data: colis' settings and address, and a client of the bench's own. */
interface PollRedis {
  env: { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string }
  address: RedisAddress
  direct: RedisClient
  proxy?: Awaited<ReturnType<typeof startCountingProxy>>
  /** Stops the private redis-server, or empties the cluster for the next run. */
  release(): Promise<void>
}

/** A replica of the redis-server at `port`, in `dir`; resolves once it is in sync. */
async function startReplica(dir: string, port: number) {
  const replica = await startLocalRedis({ dir, extraArgs: ['--replicaof', '127.0.0.1', String(port)] })
  const client = new Redis(replica.url, { maxRetriesPerRequest: null })
  try {
    while (!/master_link_status:up/.test(await client.info('replication')))
      await new Promise((resolve) => setTimeout(resolve, 20))
  } finally {
    client.disconnect()
  }
  return replica
}

async function privateRedis(countRoundTrips: boolean, withReplica = false): Promise<PollRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-'))
  // A replica's first sync would otherwise wait 5 s for others to share the snapshot.
  const redis = await startLocalRedis({
    dir,
    extraArgs: withReplica ? ['--repl-diskless-sync-delay', '0'] : [],
  })
  const replica = withReplica
    ? await startReplica(mkdtempSync(join(dir, 'replica-')), Number(new URL(redis.url).port))
    : undefined
  const proxy = countRoundTrips ? await startCountingProxy(Number(new URL(redis.url).port)) : undefined
  const direct = new Redis(redis.url, WORKER_REDIS_OPTIONS)
  const address = proxy?.url ?? redis.url
  return {
    env: { REDIS_URL: address },
    address,
    direct,
    proxy,
    async release() {
      direct.disconnect()
      await proxy?.close()
      await replica?.stop()
      await redis.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function clusterRedis(cluster: LocalCluster): Promise<PollRedis> {
  const parsed = parseClusterSeeds(cluster.seeds)
  if ('error' in parsed) throw new Error(parsed.error)
  const direct = new Cluster(parsed.seeds.nodes, clusterOptionsOf(parsed.seeds, WORKER_REDIS_OPTIONS))
  await direct.ping()
  return {
    env: { REDIS_CLUSTER_NODES: cluster.seeds },
    address: parsed.seeds,
    direct,
    async release() {
      await Promise.all(dataServers(direct).map((server) => server.flushall()))
      direct.disconnect()
    },
  }
}

export interface PollCostOptions {
  trackings: number
  batchSize: number
  concurrency?: number
  /** Through the counting proxy (round trips exact), or straight to Redis (throughput: the proxy is JS in this process). */
  countRoundTrips?: boolean
  /**
   * Polls of parcels colis already follows: each parcel is polled once first (not measured) with a
   * history of about `knownEvents` scans; the measured poll finds one new scan for `newsShare` of them.
   * Without it, every measured poll is a parcel's first (every poll news, the worst case).
   */
  mix?: { knownEvents: number; newsShare: number }
  /** Called around the measured part only (profiling). */
  around?: { start(): Promise<void>; stop(): Promise<void> }
  /** A loopback La Poste to answer (left running); without it, one is started and stopped. */
  carrier?: FakeLaPoste
  /** The delivery forecast model the workers keep in memory: each saved change works out a forecast. */
  forecastModel?: ForecastModel
  /**
   * A running Redis Cluster to poll on instead of a private redis-server, with the shards colis takes
   * there by default; emptied afterwards. Not with `countRoundTrips`.
   */
  cluster?: LocalCluster
  /** COLIS_SHARDS; without it, colis' default (one on a redis-server, 64 on a cluster). */
  shards?: number
  /** The private redis-server with a replica of its own, which it feeds as a cluster's masters do. */
  withReplica?: boolean
  /**
   * Definition-file carriers of these ids (bench/loopback-definitions.ts, one number a request to the
   * same loopback) instead of La Poste, the parcels shared equally between them; `batchSize` is then La
   * Poste's only.
   */
  definitionCarriers?: readonly string[]
  /**
   * colis' default POLL_DISPATCH_INTERVAL, as a deployment runs, instead of the throughput runs' short
   * tick: a dispatcher over many shards asks each of them every tick, so a short tick there inflates
   * what idle shards cost. With a mix, the measured polls then start on workers started afresh (their
   * dispatcher claims at once), not on a tick that may be up to an interval away.
   */
  deployedDispatchInterval?: boolean
  /** POLL_QUEUE_LANES (colis' default: one on one Redis, three on a cluster). */
  lanes?: number
}

/** What the loopback La Poste answers for a parcel's first poll: one scan, the worst case's history. */
const FIRST_SCANS = { knownEvents: 1, newsShare: 0, generation: 0 }

/**
 * Registers `trackings` La Poste parcels, then lets the real poll workers (dispatcher, BullMQ job,
 * adapter, merge, store) poll each once against a loopback La Poste, through a proxy that counts
 * Redis round trips.
 */
export async function measurePollCost(options: PollCostOptions): Promise<PollCost> {
  const { trackings, batchSize, concurrency = 50, countRoundTrips = true, mix } = options
  if (options.cluster && countRoundTrips)
    throw new Error('round trips are counted on a private redis-server only')
  const redis = options.cluster
    ? await clusterRedis(options.cluster)
    : await privateRedis(countRoundTrips, options.withReplica)
  const { direct, proxy } = redis
  const carrier = options.carrier ?? (await startFakeLaPoste())
  if (!mix) await carrier.setMix(FIRST_SCANS)
  const idsAtStart = (await carrier.counters()).ids
  const carrierIds = options.definitionCarriers ?? ['laposte']
  if (trackings % carrierIds.length !== 0)
    throw new Error(`${trackings} parcels do not split equally over ${carrierIds.length} carriers`)
  const definitionsDir = options.definitionCarriers ? mkdtempSync(join(tmpdir(), 'colis-bench-')) : undefined
  const config = loadConfig({
    ...redis.env,
    COLIS_REDIS_PREFIX: 'bench',
    COLIS_SHARDS: options.shards === undefined ? undefined : String(options.shards),
    LAPOSTE_API_KEY: 'bench-key',
    LAPOSTE_BASE_URL: carrier.baseUrl,
    LAPOSTE_BATCH_SIZE: String(batchSize),
    LAPOSTE_RATE_LIMIT: '100000/1s',
    // Throughput runs: a parcel falling due waits one tick at most, as it would behind a busy dispatcher.
    POLL_DISPATCH_INTERVAL: options.deployedDispatchInterval ? undefined : countRoundTrips ? '250ms' : '50ms',
    POLL_CONCURRENCY: String(concurrency),
    POLL_QUEUE_LANES: options.lanes === undefined ? undefined : String(options.lanes),
    COLIS_CARRIERS_FILE: definitionsDir
      ? writeLoopbackDefinitions(definitionsDir, carrierIds, carrier.baseUrl)
      : undefined,
  })
  const logger = createSilentLogger()
  const shards = config.COLIS_SHARDS
  const store = createTrackingStore(direct, config.COLIS_REDIS_PREFIX, { shards })
  const now = new Date()
  for (let start = 0; start < trackings; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, trackings - start) }, (_, index) =>
        store.register(
          {
            merchantId: 'bench',
            carrier: carrierIds[(start + index) % carrierIds.length] ?? 'laposte',
            trackingNumber: laPosteNumber(start + index),
          },
          now,
        ),
      ),
    )
  }
  const keys = createRedisKeys(config.COLIS_REDIS_PREFIX, shards)
  const connections = createRedisConnections(redis.address, logger)
  const connect = () => connections.connect()
  const carriers = createCarriers(config, logger, { env: {} })
  const sleep = () => new Promise((resolve) => setTimeout(resolve, 10))
  const inflight = async () => {
    const counts = await Promise.all(
      allShards(shards).flatMap((shard) =>
        carrierIds.map((carrierId) => direct.zcard(keys.inflight(shard, carrierId))),
      ),
    )
    return counts.reduce((sum, count) => sum + count, 0)
  }
  // The leases are read once the carrier has seen every id: reading them meanwhile would add Redis work.
  const allPolled = async (ids: number) => {
    while ((await carrier.counters()).ids < ids) await sleep()
    while ((await inflight()) > 0) await sleep()
  }
  const startWorkersNow = () =>
    startWorkers({
      config,
      connect,
      store: createTrackingStore(connect(), config.COLIS_REDIS_PREFIX, { shards }),
      carriers,
      logger,
      forecasts: { model: () => options.forecastModel },
    })
  let workers: Awaited<ReturnType<typeof startWorkersNow>> | undefined
  if (mix) {
    await carrier.setMix({ ...mix, generation: 0 })
    workers = await startWorkersNow()
    await allPolled(idsAtStart + trackings)
    await carrier.setMix({ ...mix, generation: 1 })
    if (options.deployedDispatchInterval) {
      await workers.close()
      workers = undefined
    }
  }
  const carrierBefore = await carrier.counters()
  const commandsBefore = await commandCount(direct)
  const before = proxy?.counters() ?? { writes: 0, bytes: 0 }
  const cpuBefore = process.cpuUsage()
  const redisCpuBefore = await redisCpuMsByServer(direct)
  await options.around?.start()
  const started = performance.now()
  if (mix) {
    // Every parcel due now: the dispatcher claims them as it would parcels that fell due one by one.
    const nowMs = Date.now()
    for (const due of allShards(shards).flatMap((shard) =>
      carrierIds.map((carrierId) => keys.due(shard, carrierId)),
    )) {
      const ids = await direct.zrange(due, 0, -1)
      for (let start = 0; start < ids.length; start += 1000)
        await direct.zadd(due, ...ids.slice(start, start + 1000).flatMap((id) => [nowMs, id]))
    }
  }
  workers ??= await startWorkersNow()
  await allPolled(carrierBefore.ids + trackings)
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  await options.around?.stop()
  const redisCpuByServer = (await redisCpuMsByServer(direct)).map(({ port, cpuMs }, index) => ({
    port,
    cpuMs: cpuMs - (redisCpuBefore[index]?.cpuMs ?? Number.NaN),
  }))
  const redisCpu = redisCpuByServer.reduce((sum, { cpuMs }) => sum + cpuMs, 0)
  const carrierAfter = await carrier.counters()
  const after = proxy?.counters() ?? { writes: Number.NaN, bytes: Number.NaN }
  const commandsAfter = await commandCount(direct)
  const forecastWindows = options.forecastModel ? await countForecastWindows(store, direct, keys) : undefined
  await workers.close()
  await carriers.close()
  await connections.closeAll()
  if (!options.carrier) await carrier.close()
  await redis.release()
  if (definitionsDir) rmSync(definitionsDir, { recursive: true, force: true })

  const requests = carrierAfter.requests - carrierBefore.requests
  const roundTrips = after.writes - before.writes
  return {
    trackings,
    batchSize,
    concurrency,
    seconds,
    pollsPerSecond: trackings / seconds,
    roundTripsPerPoll: roundTrips / trackings,
    roundTripsPerJob: roundTrips / requests,
    bytesToRedisPerPoll: (after.bytes - before.bytes) / trackings,
    redisCommandsPerPoll: (commandsAfter - commandsBefore) / trackings,
    cpuMsPerPoll: (cpu.user + cpu.system) / 1000 / trackings,
    redisCpuMsPerPoll: redisCpu / trackings,
    redisCpuMsPerPollByServer: redisCpuByServer.map(({ port, cpuMs }) => ({
      port,
      cpuMs: cpuMs / trackings,
    })),
    carrierCpuMsPerPoll: (carrierAfter.cpuMs - carrierBefore.cpuMs) / trackings,
    carrierRequestsPer1000Polls: (requests / trackings) * 1000,
    ...(forecastWindows === undefined ? {} : { forecastWindows }),
  }
}

/** Trackings whose record keeps a forecast window: the polls that worked one out. */
async function countForecastWindows(
  store: ReturnType<typeof createTrackingStore>,
  redis: RedisClient,
  keys: ReturnType<typeof createRedisKeys>,
): Promise<number> {
  const ids: string[] = []
  for (const shard of allShards(keys.shards))
    ids.push(...(await redis.zrange(keys.due(shard, 'laposte'), 0, -1)))
  let count = 0
  for (let start = 0; start < ids.length; start += 500) {
    const views = await store.loadForPoll(ids.slice(start, start + 500))
    count += views.filter((view) => view?.record.forecastWindow !== undefined).length
  }
  return count
}

/** The floor's scripts: the least a batched poll's read and write can cost (see their headers). */
const FLOOR_SAVE = readFileSync(new URL('./floor-scripts/floorSave.lua', import.meta.url), 'utf8')
const FLOOR_LOAD = readFileSync(new URL('./floor-scripts/floorLoad.lua', import.meta.url), 'utf8')

export interface PollFloor {
  parcels: number
  pollsPerSecond: number
  cpuMsPerPoll: number
  redisCpuMsPerPoll: number
  carrierCpuMsPerPoll: number
}

/**
 * The floor under figure 1: BullMQ jobs of `batchSize` ids at `concurrency`, each doing only the I/O a
 * batched poll cannot avoid (one read of the docs, one HTTP exchange with the same loopback La Poste
 * through colis' carrier HTTP client, the answer parsed as JSON, one compare-and-set script writing
 * each doc at its real size). No domain work: no mapping, merge, alerts or indexes.
 */
export async function measurePollFloor(options: {
  parcels: number
  batchSize: number
  concurrency: number
  /** The histories the carrier answers with (as measurePollCost's measured poll sees them). */
  mix?: { knownEvents: number; newsShare: number }
  carrier?: FakeLaPoste
}): Promise<PollFloor> {
  const { parcels, batchSize, concurrency, mix } = options
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-floor-'))
  const redis = await startLocalRedis({ dir })
  const carrier = options.carrier ?? (await startFakeLaPoste())
  await carrier.setMix(mix ? { ...mix, generation: 1 } : FIRST_SCANS)
  const http = createCarrierHttp({ carrier: 'laposte', timeoutMs: 10_000, connections: 100_000 })
  const connections: Redis[] = []
  const connect = () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null })
    connections.push(client)
    return client
  }
  const direct = connect()
  direct.defineCommand('floorSave', { lua: FLOOR_SAVE })
  direct.defineCommand('floorLoad', { lua: FLOOR_LOAD })
  const scripted = direct as unknown as {
    floorSave(keyCount: number, ...args: string[]): Promise<number>
    floorLoad(keyCount: number, ...keys: string[]): Promise<Array<string | null>>
  }
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

  const carrierBefore = await carrier.counters()
  const cpuBefore = process.cpuUsage()
  const redisCpuBefore = await redisCpuMs(direct)
  const started = performance.now()
  let done = 0
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker<{ ids: string[] }>(
      'floor',
      async (job) => {
        const { ids } = job.data
        const keys = ids.map((id) => `floor:trk:${id}`)
        const fields = await scripted.floorLoad(keys.length, ...keys)
        const response = await http.request(`${carrier.baseUrl}/idships/${ids.join(',')}?lang=fr_FR`, {
          headers: { Accept: 'application/json', 'X-Okapi-Key': 'bench-key' },
        })
        JSON.parse(response.text)
        const nextDue = String(Date.now() + 3_600_000)
        await scripted.floorSave(
          keys.length + 1,
          'floor:due',
          ...keys,
          ...ids.flatMap((id, index) => [fields[2 * index + 1] ?? '', fields[2 * index] ?? '', nextDue, id]),
        )
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
  const carrierAfter = await carrier.counters()
  await queue.close()
  await http.close()
  await Promise.all(connections.map((client) => client.quit()))
  if (!options.carrier) await carrier.close()
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })
  return {
    parcels,
    pollsPerSecond: parcels / seconds,
    cpuMsPerPoll: (cpu.user + cpu.system) / 1000 / parcels,
    redisCpuMsPerPoll: redisCpu / parcels,
    carrierCpuMsPerPoll: (carrierAfter.cpuMs - carrierBefore.cpuMs) / parcels,
  }
}
