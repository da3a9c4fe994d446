import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import {
  findFreePort,
  findRedisBinary,
  type LocalRedis,
  RedisBinaryMissingError,
  startLocalRedis,
} from './local-redis.js'

export interface ClusterNodeAddress {
  host: string
  port: number
}

export interface LocalCluster {
  /** Every node started, killed ones included, in order of start. */
  readonly nodes: readonly ClusterNodeAddress[]
  /** `127.0.0.1:p1,…` of the nodes started with the cluster: REDIS_CLUSTER_NODES. */
  readonly seeds: string
  /** The masters a live node sees now (not failed), slots or not. */
  masters(): Promise<ClusterNodeAddress[]>
  /** SIGKILL of that node's redis-server: no shutdown, no final write, as a crashed machine. */
  killNode(port: number): Promise<void>
  /**
   * A killed node started again on its port with its cluster config and no data, as a crashed
   * machine's service comes back: it rejoins as a replica of whoever took its slots. Resolves once it
   * is in sync.
   */
  restartNode(port: number): Promise<void>
  /**
   * A new empty master joined with `redis-cli --cluster add-node`, with as many replicas as the others
   * (a master without one is lost with its machine); resolves once every node knows them.
   */
  addMaster(): Promise<ClusterNodeAddress>
  /** `redis-cli --cluster rebalance --cluster-use-empty-masters`: slots (and their keys) move to new masters. */
  rebalance(): Promise<void>
  /** Resolves once every live node serves every slot and every live replica is in sync with its master. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export interface LocalClusterOptions {
  /** Parent of the nodes' data directories (one per port). */
  dir: string
  masters?: number
  replicasPerMaster?: number
  /** `cluster-node-timeout`: how long a silent master stays a master before its replica takes over. */
  nodeTimeoutMs?: number
  /** redis-server or valkey-server; its `-cli` twin beside it runs the cluster commands. */
  binary?: string
}

interface ClusterNode extends ClusterNodeAddress {
  busPort: number
  server: LocalRedis
  /** The redis-server process itself (not its watcher): what `killNode` kills. */
  serverPid: number
  killed: boolean
}

const HOST = '127.0.0.1'
const SLOTS = 16_384
const WAIT_STEP_MS = 25
/** How long a node just started may take to answer its first command. */
const STARTED_NODE_ANSWER_MS = 10_000
const run = promisify(execFile)

/**
 * A Redis Cluster of private redis-server children on 127.0.0.1 (each stopped with this process, as
 * `startLocalRedis` children are), for tests and the bench: `masters` masters with `replicasPerMaster`
 * replicas each, created with `redis-cli --cluster create`; resolves once every slot is served and
 * every replica is in sync.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const binary = options.binary ?? findRedisBinary()
  if (!binary) throw new RedisBinaryMissingError('no redis-server found on PATH: a local cluster needs one')
  const cli = findCli(binary)
  const dir = resolve(options.dir)
  const masterCount = options.masters ?? 3
  const replicasPerMaster = options.replicasPerMaster ?? 1
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1_000
  const nodes: ClusterNode[] = []
  const live = () => nodes.filter((node) => !node.killed)
  const address = (node: ClusterNodeAddress) => `${node.host}:${node.port}`
  const startNodes = async (count: number) => {
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => startNodeOnFreePorts({ dir, binary, nodeTimeoutMs })),
    )
    for (const outcome of started) if (outcome.status === 'fulfilled') nodes.push(outcome.value)
    const failed = started.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason
    return nodes.slice(-count)
  }
  const redisCli = async (...args: string[]) => {
    try {
      await run(cli, args, { timeout: 120_000 })
    } catch (error) {
      const output = error as { stdout?: string; stderr?: string }
      throw new Error(
        `${basename(cli)} ${args.join(' ')} failed: ${`${output.stdout}${output.stderr}`.slice(-800)}`,
      )
    }
  }
  const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`local cluster: ${what} not reached within ${timeoutMs} ms`)
      await new Promise((done) => setTimeout(done, WAIT_STEP_MS))
    }
  }
  const healthy = async (expectedReplicas?: number) => {
    const nodesNow = live()
    const states = await Promise.all(nodesNow.map((node) => readNodeState(node)))
    const killed = nodes.filter((node) => node.killed).map(address)
    return states.every(
      (state) =>
        state.clusterOk &&
        killed.every((endpoint) => state.failed.includes(endpoint)) &&
        state.slotsOk === SLOTS &&
        // A killed node stays known (as failed) until it is forgotten.
        state.knownNodes === nodes.length &&
        state.replicasInSync &&
        (expectedReplicas === undefined || state.role !== 'master' || state.replicas === expectedReplicas),
    )
  }

  try {
    const first = await startNodes(masterCount * (1 + replicasPerMaster))
    await redisCli(
      '--cluster',
      'create',
      ...first.map(address),
      '--cluster-replicas',
      String(replicasPerMaster),
      '--cluster-yes',
    )
    await waitUntil('a healthy cluster', () => healthy(replicasPerMaster), 30_000)
  } catch (error) {
    await Promise.all(nodes.map((node) => node.server.stop()))
    throw error
  }
  const seeds = nodes.map(address).join(',')

  return {
    get nodes() {
      return nodes.map(({ host, port }) => ({ host, port }))
    },
    seeds,
    async masters() {
      const [node] = live()
      if (!node) return []
      return parseMasters(await command(node, ['cluster', 'nodes']))
    },
    async killNode(port) {
      const node = nodes.find((candidate) => candidate.port === port && !candidate.killed)
      if (!node) throw new Error(`local cluster: no live node on port ${port}`)
      node.killed = true
      process.kill(node.serverPid, 'SIGKILL')
      await node.server.stop()
    },
    async restartNode(port) {
      const index = nodes.findIndex((candidate) => candidate.port === port && candidate.killed)
      const killed = nodes[index]
      if (!killed) throw new Error(`local cluster: no killed node on port ${port}`)
      nodes[index] = await startNode({ dir, binary, nodeTimeoutMs, port, busPort: killed.busPort })
      await waitUntil(`${address(killed)} back and in sync`, () => healthy(), 30_000)
    },
    async addMaster() {
      const [seed] = live()
      if (!seed) throw new Error('local cluster: no live node to join')
      const [added] = await startNodes(1)
      if (!added) throw new Error('local cluster: the new node did not start')
      await redisCli('--cluster', 'add-node', address(added), address(seed))
      // Adding a node, or rebalancing, is refused while the nodes disagree about who is in the cluster.
      await waitUntil(`every node knowing ${address(added)}`, () => healthy(), 30_000)
      const addedId = await command(added, ['cluster', 'myid'])
      for (let count = 0; count < replicasPerMaster; count++) {
        const [replica] = await startNodes(1)
        if (!replica) throw new Error('local cluster: the new replica did not start')
        await redisCli(
          '--cluster',
          'add-node',
          address(replica),
          address(seed),
          '--cluster-slave',
          '--cluster-master-id',
          addedId,
        )
        await waitUntil(`every node knowing ${address(replica)}`, () => healthy(), 30_000)
      }
      await waitUntil(`${address(added)} with its replicas`, () => healthy(replicasPerMaster), 30_000)
      return { host: added.host, port: added.port }
    },
    async rebalance() {
      const [seed] = live()
      if (!seed) throw new Error('local cluster: no live node to rebalance from')
      await redisCli('--cluster', 'rebalance', address(seed), '--cluster-use-empty-masters')
      await waitUntil('a healthy cluster after the rebalance', () => healthy(), 30_000)
    },
    waitUntilHealthy: (timeoutMs = 30_000) => waitUntil('a healthy cluster', () => healthy(), timeoutMs),
    async stop() {
      await Promise.all(nodes.map((node) => node.server.stop()))
    },
  }
}

/** Tries for a node's ports: another process may bind a free port between its pick and our bind. */
const PORT_PICKS = 3

class PortTakenError extends Error {
  override readonly name = 'PortTakenError'
}

/**
 * A node on a free port and bus port, picked again when another process took one of them first: our
 * redis-server then fails to bind, or another one answers on the port.
 */
async function startNodeOnFreePorts(options: {
  dir: string
  binary: string
  nodeTimeoutMs: number
}): Promise<ClusterNode> {
  for (let pick = 1; ; pick++) {
    const [port = 0, busPort = 0] = await freePorts(2)
    try {
      return await startNode({ ...options, port, busPort })
    } catch (error) {
      const taken = error instanceof PortTakenError || /address already in use/i.test(String(error))
      if (!taken || pick >= PORT_PICKS) throw error
    }
  }
}

async function startNode(options: {
  dir: string
  binary: string
  nodeTimeoutMs: number
  port: number
  busPort: number
}): Promise<ClusterNode> {
  const dir = join(options.dir, String(options.port))
  const server = await startLocalRedis({
    dir,
    port: options.port,
    persistent: false,
    binary: options.binary,
    extraArgs: [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, 'nodes.conf'),
      '--cluster-node-timeout',
      String(options.nodeTimeoutMs),
      // The bus port defaults to port + 10 000, which a free port above 55 535 does not have.
      '--cluster-port',
      String(options.busPort),
      // The slots of live masters stay served while a dead master's replica is promoted (the
      // default answers CLUSTERDOWN for every slot as soon as one has no master).
      '--cluster-require-full-coverage',
      'no',
      // A new replica would otherwise wait 5 s for others to share the master's snapshot.
      '--repl-diskless-sync-delay',
      '0',
    ],
  })
  const node = { host: HOST, port: options.port }
  try {
    const info = await answerOnceUp(node, ['info', 'server'])
    // The port's server is ours only if it works in our node's directory: another cluster's node may
    // have bound the port between its pick and our start.
    const servedDir = await command(node, ['config', 'get', 'dir'])
    if (!servedDir.split(',').includes(resolve(dir)))
      throw new PortTakenError(`local cluster: port ${options.port} is another redis-server's (${servedDir})`)
    const serverPid = Number(info.match(/process_id:(\d+)/)?.[1])
    if (!serverPid) throw new Error(`local cluster: no process_id in INFO of ${HOST}:${options.port}`)
    return { ...node, busPort: options.busPort, server, serverPid, killed: false }
  } catch (error) {
    await server.stop()
    throw error
  }
}

interface NodeState {
  clusterOk: boolean
  slotsOk: number
  knownNodes: number
  role: 'master' | 'replica'
  /** Replicas a master streams to. */
  replicas: number
  /** A replica's link to its master is up (always true of a master). */
  replicasInSync: boolean
  /** `host:port` of the nodes this one holds for failed. */
  failed: string[]
}

async function readNodeState(node: ClusterNodeAddress): Promise<NodeState> {
  const info = await command(node, ['cluster', 'info'])
  const field = (name: string) => info.match(new RegExp(`${name}:(\\w+)`))?.[1]
  const replication = await command(node, ['info', 'replication'])
  const nodes = parseClusterNodes(await command(node, ['cluster', 'nodes']))
  const role = replication.match(/role:(\w+)/)?.[1] === 'master' ? 'master' : 'replica'
  return {
    clusterOk: field('cluster_state') === 'ok',
    slotsOk: Number(field('cluster_slots_ok')),
    knownNodes: Number(field('cluster_known_nodes')),
    role,
    replicas: Number(replication.match(/connected_slaves:(\d+)/)?.[1] ?? 0),
    replicasInSync:
      role === 'master' ||
      (/master_link_status:up/.test(replication) && /master_sync_in_progress:0/.test(replication)),
    failed: nodes
      .filter((listed) => listed.flags.includes('fail'))
      .map(({ host, port }) => `${host}:${port}`),
  }
}

/**
 * The nodes of a `CLUSTER NODES` reply: address, flags (`master`, `slave`, `fail?`, `fail`, `myself`…)
 * and the ranges of slots a master serves (first and last, both included; slots being moved left out).
 */
export function parseClusterNodes(
  reply: string,
): Array<ClusterNodeAddress & { flags: string[]; slots: Array<[number, number]> }> {
  return reply
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [, endpoint = '', flags = '', , , , , , ...ranges] = line.split(' ')
      const [host = HOST, port = '0'] = (endpoint.split('@')[0] ?? '').split(':')
      const slots = ranges
        .filter((range) => /^\d+(-\d+)?$/.test(range))
        .map((range): [number, number] => {
          const [first = 0, last = first] = range.split('-').map(Number)
          return [first, last]
        })
      return { host, port: Number(port), flags: flags.split(','), slots }
    })
}

/** The masters of a `CLUSTER NODES` reply that are not failing or suspected to, by port. */
function parseMasters(reply: string): ClusterNodeAddress[] {
  return parseClusterNodes(reply)
    .filter(({ flags }) => flags.includes('master') && !flags.includes('fail') && !flags.includes('fail?'))
    .map(({ host, port }) => ({ host, port }))
    .sort((a, b) => a.port - b.port)
}

/**
 * `command` on a node just started: a loaded machine may close the first connection (a node restarted
 * with its cluster config is busy joining), so it is asked again for a few seconds.
 */
async function answerOnceUp(node: ClusterNodeAddress, args: [string, ...string[]]): Promise<string> {
  const deadline = Date.now() + STARTED_NODE_ANSWER_MS
  for (;;) {
    try {
      return await command(node, args)
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((done) => setTimeout(done, WAIT_STEP_MS))
    }
  }
}

/** One command on a connection of its own that never retries: a node that does not answer fails it. */
async function command(node: ClusterNodeAddress, args: [string, ...string[]]): Promise<string> {
  const client = new Redis(node.port, node.host, {
    lazyConnect: true,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => {})
  try {
    await client.connect()
    const [name, ...rest] = args
    return String(await client.call(name, ...rest))
  } finally {
    client.disconnect()
  }
}

/** `count` distinct free ports (a node's and its bus's must differ from every other's). */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>()
  while (ports.size < count) ports.add(await findFreePort())
  return [...ports]
}

/** redis-cli beside redis-server (valkey-cli beside valkey-server). */
function findCli(server: string): string {
  const cli = join(dirname(server), basename(server).replace(/-server$/, '-cli'))
  try {
    accessSync(cli, constants.X_OK)
    return cli
  } catch {
    throw new RedisBinaryMissingError(`no ${basename(cli)} beside ${server}: a local cluster needs it`)
  }
}
