import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseClusterNodes } from '../../../src/redis/local-cluster.js'
import { createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { shardOfRegistration } from '../../../src/store/shards.js'
import {
  commandOnNode,
  mastersOfKeys,
  startOwnCluster,
  testClusterConnections,
} from '../../support/cluster.js'
import { eventually } from '../../support/harness.js'
import { uniquePrefix } from '../../support/redis.js'
import { parcel, T0 } from '../store-helpers.js'

const SHARDS = 64
const WAIT_FOR_ONE = { replicas: 1, timeoutMs: 5_000 }

/** How many times the node at `address` answered ASK. */
async function askRedirections(address: string): Promise<number> {
  const stats = String(await commandOnNode(address, 'INFO', 'errorstats'))
  return Number(stats.match(/errorstat_ASK:count=(\d+)/)?.[1] ?? 0)
}

/** The `host:port` of the master that holds `slot` in a node's CLUSTER NODES answer. */
function ownerOfSlot(clusterNodes: string, slot: number): string | undefined {
  const owner = parseClusterNodes(clusterNodes).find(
    ({ flags, slots }) =>
      flags.includes('master') && slots.some(([first, last]) => slot >= first && slot <= last),
  )
  return owner && `${owner.host}:${owner.port}`
}

/**
 * A registration waits for its replica (a pipeline: the script, then WAIT) while its slot moves to
 * another master. The cluster answers the script MOVED or ASK and WAIT a number of replicas: the
 * cluster client does not send such a pipeline again, colis does.
 */
describe('REDIS_WAIT_REPLICAS writes while their slot moves', () => {
  let cluster: Awaited<ReturnType<typeof startOwnCluster>>
  let connections: ReturnType<typeof testClusterConnections>
  let client: Cluster

  beforeAll(async () => {
    cluster = await startOwnCluster('slot-move')
    connections = testClusterConnections(cluster.seeds)
    client = connections.connect()
    // The slot map read once, before any test moves a slot under it.
    await new Promise((resolve) => client.once('ready', resolve))
  })

  afterAll(async () => {
    await connections?.closeAll()
    await cluster?.dispose()
  })

  /** A new parcel of a fresh keyspace, its slot, the master serving it and another one. */
  async function parcelAndMasters() {
    const prefix = uniquePrefix('slot-move')
    const input = parcel({ trackingNumber: `SBX${Date.now()}`, carrier: 'sandbox' })
    const shard = shardOfRegistration(input, SHARDS)
    const taggedKey = createRedisKeys(prefix, SHARDS).outbox(shard)
    const slot = String(await client.cluster('KEYSLOT', taggedKey))
    const [source] = await mastersOfKeys(client, [taggedKey])
    const masters = (await cluster.masters()).map(({ host, port }) => `${host}:${port}`)
    const target = masters.find((master) => master !== source)
    if (!source || !target) throw new Error('no second master')
    const store = createRedisTrackingStore(client, prefix, { shards: SHARDS, waitReplicas: WAIT_FOR_ONE })
    return { prefix, input, slot, source, target, masters, store, taggedKey }
  }

  /**
   * Gives `slot` to `target` on every master, as the last step of a slot's move does, with the
   * newest config epoch, as a move ends: the replicas, which take no SETSLOT, then follow it too
   * (a client may read its slot map from any node), and the test goes on once every node does.
   */
  async function giveSlot(slot: string, target: string, masters: readonly string[]) {
    const targetId = String(await commandOnNode(target, 'CLUSTER', 'MYID'))
    for (const master of [target, ...masters.filter((other) => other !== target)])
      await commandOnNode(master, 'CLUSTER', 'SETSLOT', slot, 'NODE', targetId)
    await commandOnNode(target, 'CLUSTER', 'BUMPEPOCH')
    await eventually(
      () =>
        Promise.all(
          cluster.nodes.map(async ({ host, port }) =>
            ownerOfSlot(String(await commandOnNode(`${host}:${port}`, 'CLUSTER', 'NODES')), Number(slot)),
          ),
        ),
      (owners) => owners.every((owner) => owner === target),
      10_000,
    )
  }

  it('sends the write again to the new master when the slot moved before the client knew (MOVED)', async () => {
    const { input, slot, target, masters, store, taggedKey } = await parcelAndMasters()
    await client.ping()
    await giveSlot(slot, target, masters)

    const registered = await store.register(input, new Date(T0))

    expect(registered.created).toBe(true)
    expect(await mastersOfKeys(client, [taggedKey])).toEqual([target])
    expect(await store.read(input.merchantId, registered.record.id)).toBeDefined()
  })

  it('sends the write again until the slot has moved, when it was moving (ASK)', async () => {
    const { input, slot, source, target, masters, store } = await parcelAndMasters()
    const sourceId = String(await commandOnNode(source, 'CLUSTER', 'MYID'))
    const targetId = String(await commandOnNode(target, 'CLUSTER', 'MYID'))
    await commandOnNode(target, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId)
    await commandOnNode(source, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', targetId)

    const asked = await askRedirections(source)
    const registering = store.register(input, new Date(T0))
    await eventually(
      () => askRedirections(source),
      (count) => count > asked,
      5_000,
    )
    // The slot holds none of this keyspace's keys yet: nothing to copy before it is given.
    expect(await commandOnNode(source, 'CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(0)
    await giveSlot(slot, target, masters)
    const registered = await registering

    expect(registered.created).toBe(true)
    expect(await store.read(input.merchantId, registered.record.id)).toBeDefined()
  })
})
