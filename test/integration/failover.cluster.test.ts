import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCluster } from '../../src/redis/redis-client.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { mastersOfKeys, startOwnCluster } from '../support/cluster.js'
import { createHarness, type Harness } from '../support/harness.js'
import {
  describeAnswer,
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
const SERVED_AFTER_RECOVERY = 10
/** The longest a request may take once the promoted replica serves: a fast answer, with a margin for a loaded machine. */
const ANSWER_BOUND_MS = 1_500
/**
 * The longest a request may take at all. During the gap the cluster client sends a command for the dead
 * master again, reading the slot map anew each time, until its redirections run out or the replica serves.
 */
const GAP_ANSWER_BOUND_MS = 4_000
/** Past it the traffic stops by itself, and a wait for a recovery that never came fails with what it saw. */
const TRAFFIC_MAX_MS = 45_000

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
    expect(harness.config.REDIS_WAIT_REPLICAS).toBe(1)
    const { key } = await harness.apiKeys.create(MERCHANT)
    const prefix = harness.config.COLIS_REDIS_PREFIX
    const keys = createRedisKeys(prefix, SHARDS)
    const [apiKeysMaster, settingsMaster, ...shardMasters] = await mastersOfKeys(control, [
      keys.allApiKeys(),
      keys.merchantSettings(MERCHANT),
      ...Array.from({ length: SHARDS }, (_, shard) => keys.outbox(shard)),
    ])
    // Every request reads the data of no tracking (its API key, its merchant's settings): their master's
    // loss is a full outage for that merchant, as on one Redis. The one killed here holds shards only.
    const victim = shardMasters.find((master) => master !== apiKeysMaster && master !== settingsMaster)
    if (!victim) throw new Error("every shard is on a master of the merchant's data of no tracking")
    const deadShards = new Set(shardMasters.flatMap((master, shard) => (master === victim ? [shard] : [])))
    const touchesDeadMaster = (answer: TrafficAnswer) =>
      answer.shard === undefined || deadShards.has(answer.shard)
    const onDeadShards = (answer: TrafficAnswer) => answer.shard !== undefined && deadShards.has(answer.shard)

    const traffic = startRegistrationTraffic({
      harness,
      key,
      merchantId: MERCHANT,
      loops: 6,
      maxDurationMs: TRAFFIC_MAX_MS,
    })
    try {
      await traffic.waitFor(
        `${ACKNOWLEDGED_BEFORE_KILL} registrations acknowledged on the doomed master`,
        (answers) =>
          answers.filter(
            (answer) => answer.kind === 'register' && onDeadShards(answer) && answer.status < 300,
          ).length >= ACKNOWLEDGED_BEFORE_KILL,
      )
      const victimPort = Number(victim.split(':')[1])
      const killedAtMs = performance.now()
      await cluster.killNode(victimPort)
      const okOnDeadShards = (
        answers: readonly TrafficAnswer[],
        kind: TrafficAnswer['kind'],
        sinceMs: number,
      ) =>
        answers.filter(
          (answer) =>
            answer.kind === kind &&
            answer.startedAtMs > sinceMs &&
            onDeadShards(answer) &&
            answer.status < 300,
        )
      await traffic.waitFor(
        `${SERVED_AFTER_RECOVERY} reads served by the promoted replica`,
        (answers) => okOnDeadShards(answers, 'read', killedAtMs).length >= SERVED_AFTER_RECOVERY,
      )
      const readsBackAtMs = Math.min(
        ...okOnDeadShards(traffic.answers, 'read', killedAtMs).map((answer) => answer.endedAtMs),
      )
      // The promoted replica has no replica of its own: a registration there cannot be confirmed (WAIT).
      await traffic.waitFor('a registration refused on the promoted replica', (answers) =>
        answers.some(
          (answer) =>
            answer.kind === 'register' &&
            onDeadShards(answer) &&
            answer.startedAtMs > readsBackAtMs &&
            answer.status === 503,
        ),
      )
      const restartedAtMs = performance.now()
      await cluster.restartNode(victimPort)
      const replicaBackAtMs = performance.now()
      await traffic.waitFor(
        `${SERVED_AFTER_RECOVERY} registrations confirmed by the new replica`,
        (answers) => okOnDeadShards(answers, 'register', replicaBackAtMs).length >= SERVED_AFTER_RECOVERY,
      )
      await traffic.stop()

      const answers = traffic.answers
      const gapMs = readsBackAtMs - killedAtMs
      const brief = (answer: TrafficAnswer) => describeAnswer(answer, killedAtMs)
      console.info(
        `failover gap: ${Math.round(gapMs)} ms from SIGKILL to the first 2xx on its shards; the killed node ` +
          `back as a replica in ${Math.round(replicaBackAtMs - restartedAtMs)} ms; ${answers.length} answers`,
      )

      const failed = answers.filter((answer) => answer.status >= 300)
      expect
        .soft(
          failed
            .filter(
              (answer) =>
                answer.status !== 503 ||
                answer.code !== 'redis_unavailable' ||
                answer.contentType !== 'application/problem+json',
            )
            .map(brief),
          'errors other than 503 redis_unavailable problem+json',
        )
        .toEqual([])
      expect
        .soft(failed.filter((answer) => !touchesDeadMaster(answer)).map(brief), '503s on live masters')
        .toEqual([])
      expect
        .soft(
          failed
            .filter(
              (answer) =>
                answer.startedAtMs >= (answer.kind === 'register' ? replicaBackAtMs : readsBackAtMs),
            )
            .map(brief),
          '503s once their shards were served again',
        )
        .toEqual([])
      const tookMs = (answer: TrafficAnswer) => answer.endedAtMs - answer.startedAtMs
      expect
        .soft(
          answers
            .filter((answer) => answer.startedAtMs > readsBackAtMs && tookMs(answer) > ANSWER_BOUND_MS)
            .map(brief),
          `answers slower than ${ANSWER_BOUND_MS} ms once the replica serves`,
        )
        .toEqual([])
      expect
        .soft(
          answers.filter((answer) => tookMs(answer) > GAP_ANSWER_BOUND_MS).map(brief),
          `answers slower than ${GAP_ANSWER_BOUND_MS} ms`,
        )
        .toEqual([])
      const servedDuringGap = answers.filter(
        (answer) =>
          !touchesDeadMaster(answer) && answer.startedAtMs > killedAtMs && answer.endedAtMs < readsBackAtMs,
      )
      expect.soft(servedDuringGap.length, 'the live masters served on during the gap').toBeGreaterThan(0)
      expect.soft(gapMs).toBeLessThan(NODE_TIMEOUT_MS * 10)

      await readBackEveryRegistration(harness, key, traffic.acknowledged)
    } finally {
      await traffic.stop()
    }
  })
})
