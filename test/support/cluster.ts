import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Cluster, Redis } from 'ioredis'
import { inject } from 'vitest'
import { createSilentLogger } from '../../src/logger.js'
import { createRedisConnections } from '../../src/main/redis-connections.js'
import { parseClusterSeeds } from '../../src/redis/cluster-seeds.js'
import {
  type ClusterNodeAddress,
  type LocalCluster,
  type LocalClusterOptions,
  startLocalCluster,
} from '../../src/redis/local-cluster.js'
import { dataServers, isCluster, type RedisClient } from '../../src/redis/redis-client.js'
import { uniquePrefix } from './redis.js'

/** REDIS_CLUSTER_NODES of the run's private cluster. */
export function testClusterSeeds(): string {
  const seeds = inject('redisClusterSeeds')
  if (!seeds) throw new Error('no test cluster in this project: name the file *.cluster.test.ts')
  return seeds
}

/** The settings that put a harness on the test cluster. */
export function clusterEnv(): Record<string, string> {
  return { REDIS_CLUSTER_NODES: testClusterSeeds() }
}

/** A prefix no other test uses, as a hash tag: all its keys in one slot, as colis needs on a cluster. */
export function uniqueTaggedPrefix(name: string): string {
  return `{${uniquePrefix(name)}}`
}

/** Cluster clients made on demand (worker options), all closed by `closeAll`; the run's cluster by default. */
export function testClusterConnections(seeds = testClusterSeeds()) {
  const parsed = parseClusterSeeds(seeds)
  if ('error' in parsed) throw new Error(parsed.error)
  const connections = createRedisConnections(parsed.seeds, createSilentLogger())
  return {
    connect(): Cluster {
      const client = connections.connect()
      if (!isCluster(client)) throw new Error('expected a cluster client')
      return client
    },
    closeAll: () => connections.closeAll(),
  }
}

/** The keys matching `pattern` on each master (`host:port` → names): SCAN runs on one node only. */
export async function keysByMaster(client: RedisClient, pattern: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>()
  for (const server of dataServers(client)) {
    const names: string[] = []
    let cursor = '0'
    do {
      const [next, page] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      names.push(...page)
    } while (cursor !== '0')
    found.set(`${server.options.host}:${server.options.port}`, names)
  }
  return found
}

/** A carrier's poll lane as its BullMQ meta key shows it: the master holding it, its prefix and name. */
export interface PollLaneOnMaster {
  master: string
  prefix: string
  name: string
}

/** Every poll lane under colis' `prefix` that has a queue on the masters now (its meta key). */
export async function pollLanesByMaster(client: RedisClient, prefix: string): Promise<PollLaneOnMaster[]> {
  const byMaster = await keysByMaster(client, `{${prefix}:bull:poll-*:meta`)
  return [...byMaster.entries()].flatMap(([master, keys]) =>
    keys.flatMap((key) => {
      const lane = /^(\{[^}]+\}):(poll-[^:]+):meta$/.exec(key)
      return lane?.[1] && lane[2] ? [{ master, prefix: lane[1], name: lane[2] }] : []
    }),
  )
}

/** The connection of `client` to the master that serves `key`'s slot. */
export async function masterOfKey(client: Cluster, key: string): Promise<Redis> {
  const slot = Number(await client.cluster('KEYSLOT', key))
  const range = (await client.cluster('SLOTS')).find(([first, last]) => slot >= first && slot <= last)
  const [host, port] = range?.[2] ?? []
  const master = client
    .nodes('master')
    .find((node) => node.options.host === host && node.options.port === port)
  if (!master) throw new Error(`no master serves slot ${slot}`)
  return master
}

/** A Redis Cluster of a test's own (its ports, its temp dir): one it may kill nodes of or grow. */
export async function startOwnCluster(
  name: string,
  options: Omit<LocalClusterOptions, 'dir'> = {},
): Promise<LocalCluster & { dispose(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `colis-${name}-`))
  try {
    const cluster = await startLocalCluster({ masters: 3, replicasPerMaster: 1, ...options, dir })
    return Object.assign(cluster, {
      async dispose() {
        await cluster.stop()
        rmSync(dir, { recursive: true, force: true })
      },
    })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/** `host:port` of the master that serves each key's slot now, as `client` asks the cluster. */
export async function mastersOfKeys(client: Cluster, keys: readonly string[]): Promise<string[]> {
  const ranges = await client.cluster('SLOTS')
  return Promise.all(
    keys.map(async (key) => {
      const slot = Number(await client.cluster('KEYSLOT', key))
      const range = ranges.find(([first, last]) => slot >= first && slot <= last)
      const [host, port] = range?.[2] ?? []
      if (host === undefined || port === undefined) throw new Error(`no master serves slot ${slot}`)
      return `${host}:${port}`
    }),
  )
}

/** The live replica of a master (`host:port`) and its redis-server's pid, asking each node of `cluster`. */
export async function replicaOf(
  cluster: LocalCluster,
  master: string,
): Promise<ClusterNodeAddress & { pid: number }> {
  const [masterHost, masterPort] = master.split(':')
  for (const { host, port } of cluster.nodes) {
    const node = new Redis(port, host, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    })
    node.on('error', () => {})
    try {
      await node.connect()
      const replication = await node.info('replication')
      const followed =
        /role:slave/.test(replication) &&
        replication.includes(`master_host:${masterHost}\r\n`) &&
        replication.includes(`master_port:${masterPort}\r\n`)
      if (followed) {
        const pid = Number((await node.info('server')).match(/process_id:(\d+)/)?.[1])
        return { host, port, pid }
      }
    } catch {
      // A killed node does not answer: it follows no one.
    } finally {
      node.disconnect()
    }
  }
  throw new Error(`no live replica of ${master}`)
}

/**
 * Runs `command` on the node at `host:port` itself, not through a cluster client, on a connection of
 * its own: without a ready check (a paused node would not answer its INFO).
 */
export async function commandOnNode(address: string, ...command: [string, ...string[]]): Promise<unknown> {
  const [host, port] = address.split(':')
  const node = new Redis(Number(port), host ?? '127.0.0.1', { lazyConnect: true, enableReadyCheck: false })
  node.on('error', () => {})
  try {
    await node.connect()
    return await node.call(...command)
  } finally {
    node.disconnect()
  }
}
