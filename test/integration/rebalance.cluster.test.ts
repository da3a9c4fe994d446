import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCluster } from '../../src/redis/redis-client.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { mastersOfKeys, startOwnCluster } from '../support/cluster.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import {
  describeAnswer,
  readBackEveryRegistration,
  startRegistrationTraffic,
} from '../support/registration-traffic.js'

const SHARDS = 64
const MERCHANT = 'shop-rebalance'
/** Registrations stored before the cluster grows: the slots that move carry keys of colis. */
const REGISTERED_BEFORE = 200
/** A steady load: the rebalance shares the machine's two cores with it. */
const ROUND_EVERY_MS = 100
const TRAFFIC_MAX_MS = 90_000
const TEST_TIMEOUT_MS = 180_000

/** The keys of `pattern` on one node, straight from it (SCAN of that node only). */
async function keysOnNode(host: string, port: number, pattern: string): Promise<number> {
  const node = new Redis(port, host, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await node.connect()
    let count = 0
    let cursor = '0'
    do {
      const [next, page] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      count += page.length
    } while (cursor !== '0')
    return count
  } finally {
    node.disconnect()
  }
}

/**
 * A Redis Cluster of this file's own (three masters, a replica each), colis on it with 64 shards, API
 * traffic running while a fourth master joins and `redis-cli --cluster rebalance` moves slots to it.
 */
describe('rebalance: slots move to a new master under traffic, clients see nothing of it', () => {
  let cluster: Awaited<ReturnType<typeof startOwnCluster>>
  let harness: Harness

  beforeAll(async () => {
    cluster = await startOwnCluster('rebalance')
    harness = await createHarness('rebalance', {
      REDIS_CLUSTER_NODES: cluster.seeds,
      COLIS_SHARDS: String(SHARDS),
      // As in production with replicas: a registration is confirmed by one before it is acknowledged.
      REDIS_WAIT_REPLICAS: '1',
      // Every master keeps its replica here: a confirmation is only ever slow because the machine is busy.
      REDIS_WAIT_TIMEOUT: '5s',
      // Sandbox journeys a few scans long during the test; their polls as often.
      SANDBOX_TIME_SCALE: '7200',
      SHARD_LEASE: '1500ms',
    })
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await cluster?.dispose()
  })

  it(
    'answers every request 2xx while slots move, loses nothing, and the new master holds trackings',
    async () => {
      const { key } = await harness.apiKeys.create(MERCHANT)
      const prefix = harness.config.COLIS_REDIS_PREFIX
      const traffic = startRegistrationTraffic({
        harness,
        key,
        merchantId: MERCHANT,
        loops: 4,
        roundEveryMs: ROUND_EVERY_MS,
        maxDurationMs: TRAFFIC_MAX_MS,
      })
      try {
        await traffic.waitFor(
          `${REGISTERED_BEFORE} registrations`,
          () => traffic.acknowledged.size >= REGISTERED_BEFORE,
        )
        const added = await cluster.addMaster()
        const rebalanceStartedAtMs = performance.now()
        await cluster.rebalance()
        const rebalanceMs = performance.now() - rebalanceStartedAtMs
        const registeredDuring = traffic.answers.filter(
          (answer) => answer.kind === 'register' && answer.startedAtMs > rebalanceStartedAtMs,
        ).length
        await traffic.stop()
        console.info(`rebalance: ${Math.round(rebalanceMs)} ms, ${registeredDuring} registrations meanwhile`)

        expect(registeredDuring, 'traffic ran through the rebalance').toBeGreaterThan(0)
        const failed = traffic.answers.filter((answer) => answer.status >= 300)
        expect
          .soft(
            failed.map((answer) => describeAnswer(answer, rebalanceStartedAtMs)),
            'answers other than 2xx (times from the start of the rebalance)',
          )
          .toEqual([])

        await readBackEveryRegistration(harness, key, traffic.acknowledged)
        // The workers polled on through the moves: parcels registered during the rebalance have scans.
        const registeredDuringIds = traffic.answers
          .filter((answer) => answer.kind === 'register' && answer.startedAtMs > rebalanceStartedAtMs)
          .flatMap((answer) =>
            answer.trackingNumber ? [traffic.acknowledged.get(answer.trackingNumber)] : [],
          )
        await eventually(
          async () => {
            const reads = await Promise.all(
              registeredDuringIds.slice(0, 20).map(async (id) => {
                const answer = await harness.request(key, `/v1/trackings/${id}`)
                return ((await answer.json()) as { events?: unknown[] }).events?.length ?? 0
              }),
            )
            return reads.filter((count) => count > 0).length
          },
          (withScans) => withScans > 0,
          20_000,
        )

        const client = harness.connect()
        if (!isCluster(client)) throw new Error('the harness did not connect to the cluster')
        const shardMasters = await mastersOfKeys(
          client,
          Array.from({ length: SHARDS }, (_, shard) => createRedisKeys(prefix, SHARDS).outbox(shard)),
        )
        expect(shardMasters).toContain(`${added.host}:${added.port}`)
        expect(await keysOnNode(added.host, added.port, `{${prefix}:*`)).toBeGreaterThan(0)
      } finally {
        await traffic.stop()
      }
    },
    TEST_TIMEOUT_MS,
  )
})
