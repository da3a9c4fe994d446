import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCluster } from '../../src/redis/redis-client.js'
import { mastersOfKeys, startOwnCluster } from '../support/cluster.js'
import { createHarness, type Harness } from '../support/harness.js'
import {
  readBackEveryRegistration,
  startRegistrationTraffic,
  type TrafficAnswer,
} from '../support/registration-traffic.js'

const SHARDS = 64
/** How long a silent master stays one: the failover cannot be faster, and a loaded machine must not trip it. */
const NODE_TIMEOUT_MS = 1_000
const MERCHANT = 'shop-failover'
/** Registrations acknowledged on the doomed master's shards before it dies: what the failover may lose. */
const ACKNOWLEDGED_BEFORE_KILL = 60
/** Answers on its shards after the promotion: the recovery is not one lucky request. */
const SERVED_AFTER_RECOVERY = 30

/**
 * A Redis Cluster of this file's own (three masters, a replica each), colis on it with 64 shards, API
 * traffic running; one master is SIGKILLed and its replica takes over. colis is never restarted.
 */
describe('failover: a master killed under traffic, its replica promoted, colis serving on', () => {
  let cluster: Awaited<ReturnType<typeof startOwnCluster>>
  let harness: Harness
  let control: Cluster

  beforeAll(async () => {
    cluster = await startOwnCluster('failover', { nodeTimeoutMs: NODE_TIMEOUT_MS })
    harness = await createHarness('failover', {
      REDIS_CLUSTER_NODES: cluster.seeds,
      COLIS_SHARDS: String(SHARDS),
      // Registrations are acknowledged once a replica has them too: none may be lost with its master.
      REDIS_WAIT_REPLICAS: '1',
    })
    const client = harness.connect()
    if (!isCluster(client)) throw new Error('the harness did not connect to the cluster')
    control = client
  })

  afterAll(async () => {
    await harness?.close()
    await cluster?.dispose()
  })

  it("answers 503 only on the dead master's shards until its replica serves them, and loses no registration", async () => {
    const { key } = await harness.apiKeys.create(MERCHANT)
    const prefix = harness.config.COLIS_REDIS_PREFIX
    const [sharedMaster, ...shardMasters] = await mastersOfKeys(control, [
      `{${prefix}}`,
      ...Array.from({ length: SHARDS }, (_, shard) => `{${prefix}:${shard}}`),
    ])
    // Every request reads the data of no tracking (API keys, settings): its master's loss is a full
    // outage, as on one Redis. The one killed here holds shards only.
    const victim = shardMasters.find((master) => master !== sharedMaster)
    if (!victim) throw new Error('every shard is on the master of the shared data')
    const deadShards = new Set(shardMasters.flatMap((master, shard) => (master === victim ? [shard] : [])))
    const touchesDeadMaster = (answer: TrafficAnswer) =>
      answer.shard === undefined || deadShards.has(answer.shard)
    const onDeadShards = (answer: TrafficAnswer) => answer.shard !== undefined && deadShards.has(answer.shard)

    const traffic = startRegistrationTraffic({ harness, key, merchantId: MERCHANT, loops: 6 })
    try {
      await traffic.waitFor(
        `${ACKNOWLEDGED_BEFORE_KILL} registrations acknowledged on the doomed master`,
        (answers) =>
          answers.filter(
            (answer) => answer.kind === 'register' && onDeadShards(answer) && answer.status < 300,
          ).length >= ACKNOWLEDGED_BEFORE_KILL,
      )
      const killedAtMs = performance.now()
      await cluster.killNode(Number(victim.split(':')[1]))
      const servedAgain = (answers: readonly TrafficAnswer[]) =>
        answers.filter(
          (answer) => answer.startedAtMs > killedAtMs && onDeadShards(answer) && answer.status < 300,
        )
      await traffic.waitFor(
        `${SERVED_AFTER_RECOVERY} answers on the promoted replica`,
        (answers) => servedAgain(answers).length >= SERVED_AFTER_RECOVERY,
      )
      await traffic.stop()

      const answers = traffic.answers
      const recoveredAtMs = Math.min(...servedAgain(answers).map((answer) => answer.endedAtMs))
      const gapMs = recoveredAtMs - killedAtMs
      console.info(`failover gap: ${Math.round(gapMs)} ms from SIGKILL to the first 2xx on its shards`)

      const failed = answers.filter((answer) => answer.status >= 300)
      expect(failed.length, 'the gap was met by requests').toBeGreaterThan(0)
      for (const answer of failed) {
        expect(answer, 'a request of the gap').toMatchObject({
          status: 503,
          contentType: 'application/problem+json',
          code: 'redis_unavailable',
        })
        expect(touchesDeadMaster(answer), 'a 503 on a live master').toBe(true)
        expect(answer.startedAtMs, 'a 503 once its shards were served again').toBeLessThan(recoveredAtMs)
      }
      const servedDuringGap = answers.filter(
        (answer) =>
          !touchesDeadMaster(answer) && answer.startedAtMs > killedAtMs && answer.endedAtMs < recoveredAtMs,
      )
      expect(servedDuringGap.length, 'the live masters served on during the gap').toBeGreaterThan(0)
      expect(gapMs).toBeLessThan(NODE_TIMEOUT_MS * 10)

      await readBackEveryRegistration(harness, key, traffic.acknowledged)
    } finally {
      await traffic.stop()
    }
  })
})
