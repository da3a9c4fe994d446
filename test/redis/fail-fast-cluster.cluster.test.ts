import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_REDIS_OPTIONS, clusterOptionsOf } from '../../src/main/redis-connections.js'
import { parseClusterSeeds } from '../../src/redis/cluster-seeds.js'
import { FailFastCluster, RedisStalledError } from '../../src/redis/fail-fast-redis.js'
import { commandOnNode, mastersOfKeys, startOwnCluster } from '../support/cluster.js'
import { eventually } from '../support/harness.js'

/** Long enough for the checks below; the pause ends by itself if UNPAUSE cannot be sent. */
const PAUSE_MS = 3_000

/** A master that accepts commands but does not answer (CLIENT PAUSE: the cluster sees it alive). */
describe("the API's cluster connection when one master stalls", () => {
  let cluster: Awaited<ReturnType<typeof startOwnCluster>>
  let client: FailFastCluster

  beforeAll(async () => {
    cluster = await startOwnCluster('fail-fast')
    const parsed = parseClusterSeeds(cluster.seeds)
    if ('error' in parsed) throw new Error(parsed.error)
    client = new FailFastCluster(parsed.seeds.nodes, clusterOptionsOf(parsed.seeds, API_REDIS_OPTIONS))
    await new Promise((resolve) => client.once('ready', resolve))
  })

  afterAll(async () => {
    client?.disconnect()
    await cluster?.dispose()
  })

  it("fails that master's commands at once after one timeout, and serves the other masters' slots on", async () => {
    const candidates = Array.from({ length: 30 }, (_, index) => `fail-fast:{${index}}`)
    const masters = await mastersOfKeys(client, candidates)
    const stalledKey = candidates[0] as string
    const stalledMaster = masters[0] as string
    const liveKey = candidates[masters.findIndex((master) => master !== stalledMaster)] as string
    await client.set(stalledKey, 'stalled')
    await client.set(liveKey, 'live')

    await commandOnNode(stalledMaster, 'CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL')
    try {
      await expect(client.get(stalledKey)).rejects.toThrow('Command timed out')
      const startedMs = performance.now()
      await expect(client.get(stalledKey)).rejects.toBeInstanceOf(RedisStalledError)
      expect(performance.now() - startedMs).toBeLessThan(API_REDIS_OPTIONS.commandTimeout as number)
      expect(client.stalled).toBe(true)
      expect(await client.get(liveKey)).toBe('live')
    } finally {
      await commandOnNode(stalledMaster, 'CLIENT', 'UNPAUSE')
    }
    expect(
      await eventually(
        () => client.get(stalledKey).catch(String),
        (value) => value === 'stalled',
        10_000,
      ),
    ).toBe('stalled')
    expect(client.stalled).toBe(false)
  })
})
