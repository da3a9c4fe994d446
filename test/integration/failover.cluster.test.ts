import type { Cluster } from 'ioredis'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isCluster } from '../../src/redis/redis-client.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { shardOfRegistration } from '../../src/store/shards.js'
import { captureLogs } from '../support/captured-logs.js'
import { commandOnNode, mastersOfKeys, replicaOf, startOwnCluster } from '../support/cluster.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import {
  describeAnswer,
  readBackEveryRegistration,
  startRegistrationTraffic,
  type TrafficAnswer,
} from '../support/registration-traffic.js'
import { headersOf, type SmtpSink, startSmtpSink } from '../support/smtp-sink.js'
import { type ReceivedWebhook, startWebhookReceiver } from '../support/webhook-receiver.js'

const SHARDS = 64
/** How long a silent master stays one: the failover cannot be faster, and a loaded machine must not trip it. */
const NODE_TIMEOUT_MS = 1_000
const MERCHANT = 'shop-failover'
/** Registrations acknowledged on the doomed master's shards before it dies: what the failover may lose. */
const ACKNOWLEDGED_BEFORE_KILL = 60
/** Answers on its shards after the promotion: the recovery is not one lucky request. */
const SERVED_AFTER_RECOVERY = 10
/**
 * The longest a read may take once the promoted replica serves, on a machine that runs the rest of the
 * suite too (a list reads every master while the killed node rejoins): reads never wait behind the
 * registrations' WAITs, which would hold them for a second each.
 */
const ANSWER_BOUND_MS = 6_000
/**
 * The longest a registration may take then: the promoted master has no replica yet, so it waits
 * REDIS_WAIT_TIMEOUT, behind the other registrations waiting on its connection, before its 503.
 */
const REGISTRATION_BOUND_MS = 8_000
/**
 * The longest a request may take at all. During the gap the cluster client sends a command for the dead
 * master again, reading the slot map anew each time, until its redirections run out or the replica serves.
 */
const GAP_ANSWER_BOUND_MS = 10_000
/** Past it the traffic stops by itself, and a wait for a recovery that never came fails with what it saw. */
const TRAFFIC_MAX_MS = 100_000
const TEST_TIMEOUT_MS = 150_000
/** Simulated time per real time: a sandbox journey shows a few scans while the test runs. */
const SANDBOX_TIME_SCALE = '7200'

/**
 * A master that holds shards of trackings but neither the API keys nor the merchant's settings: every
 * request reads those, so their master's loss is a full outage for that merchant, as on one Redis.
 */
async function masterOfShardsOnly(
  harness: Harness,
  control: Cluster,
): Promise<{ victim: string; deadShards: Set<number> }> {
  const keys = createRedisKeys(harness.config.COLIS_REDIS_PREFIX, SHARDS)
  const [apiKeysMaster, settingsMaster, ...shardMasters] = await mastersOfKeys(control, [
    keys.allApiKeys(),
    keys.merchantSettings(MERCHANT),
    ...Array.from({ length: SHARDS }, (_, shard) => keys.outbox(shard)),
  ])
  const victim = shardMasters.find((master) => master !== apiKeysMaster && master !== settingsMaster)
  if (!victim) throw new Error("every shard is on a master of the merchant's data of no tracking")
  return {
    victim,
    deadShards: new Set(shardMasters.flatMap((master, shard) => (master === victim ? [shard] : []))),
  }
}

function connectControl(harness: Harness): Cluster {
  const client = harness.connect()
  if (!isCluster(client)) throw new Error('the harness did not connect to the cluster')
  return client
}

/**
 * A Redis Cluster of this file's own (three masters, a replica each), colis on it with 64 shards, API
 * traffic running; one master is SIGKILLed and its replica takes over. colis is never restarted.
 */
describe('failover: a master killed under traffic, its replica promoted, colis serving on', () => {
  let cluster: Awaited<ReturnType<typeof startOwnCluster>>
  let harness: Harness
  let control: Cluster
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let smtp: SmtpSink
  const logs = captureLogs<LogLine>('warn')

  beforeAll(async () => {
    cluster = await startOwnCluster('failover', { nodeTimeoutMs: NODE_TIMEOUT_MS })
    receiver = await startWebhookReceiver()
    smtp = await startSmtpSink()
    harness = await createHarness(
      'failover',
      {
        REDIS_CLUSTER_NODES: cluster.seeds,
        COLIS_SHARDS: String(SHARDS),
        // Registrations are acknowledged once a replica has them too: none may be lost with its master.
        REDIS_WAIT_REPLICAS: '1',
        // Sandbox journeys a few scans long during the test; their polls as often.
        SANDBOX_TIME_SCALE: SANDBOX_TIME_SCALE,
        SHARD_LEASE: '1500ms',
        POLL_STALLED_LOCK: '2s',
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
        WEBHOOK_RETRY_FACTOR: '0.001',
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Boutique <suivi@shop.example>',
        SMTP_RETRY_FACTOR: '0.001',
      },
      {},
      { logger: logs.logger },
    )
    control = connectControl(harness)
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await receiver?.close()
    await smtp?.close()
    await cluster?.dispose()
  })

  it(
    "answers 503 only on the dead master's shards until its replica serves them, and loses no registration",
    async () => {
      expect(harness.config.REDIS_WAIT_REPLICAS).toBe(1)
      const { key } = await harness.apiKeys.create(MERCHANT)
      const subscribed = await harness.request(key, '/v1/webhooks', {
        method: 'POST',
        body: JSON.stringify({ url: receiver.url }),
      })
      expect(subscribed.status).toBe(201)
      const { secret } = (await subscribed.json()) as { secret: string }
      const { victim, deadShards } = await masterOfShardsOnly(harness, control)
      const touchesDeadMaster = (answer: TrafficAnswer) =>
        answer.shard === undefined || deadShards.has(answer.shard)
      const onDeadShards = (answer: TrafficAnswer) =>
        answer.shard !== undefined && deadShards.has(answer.shard)

      const traffic = startRegistrationTraffic({
        harness,
        key,
        merchantId: MERCHANT,
        loops: 6,
        maxDurationMs: TRAFFIC_MAX_MS,
        notifyEmail: (trackingNumber) =>
          trackingNumber.endsWith('0') ? `${trackingNumber.toLowerCase()}@example.com` : undefined,
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
        const killedAtWallMs = Date.now()
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
        const replicaBackWallMs = Date.now()
        await traffic.waitFor(
          `${SERVED_AFTER_RECOVERY} registrations confirmed by the new replica`,
          (answers) => okOnDeadShards(answers, 'register', replicaBackAtMs).length >= SERVED_AFTER_RECOVERY,
        )
        const shardOfTracking = new Map(
          [...traffic.acknowledged].map(([trackingNumber, id]) => [
            id,
            shardOfRegistration({ merchantId: MERCHANT, carrier: 'sandbox', trackingNumber }, SHARDS),
          ]),
        )
        // The workers go on without a restart: the dead master's shards are polled and notify again.
        await eventually(
          async () =>
            receivedNotifications(receiver.received).filter(
              (notification) =>
                notification.receivedAtMs > replicaBackWallMs &&
                deadShards.has(shardOfTracking.get(notification.trackingId) ?? -1),
            ).length,
          (count) => count > 0,
          20_000,
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
              .filter(
                (answer) =>
                  answer.startedAtMs > readsBackAtMs &&
                  tookMs(answer) > (answer.kind === 'register' ? REGISTRATION_BOUND_MS : ANSWER_BOUND_MS),
              )
              .map(brief),
            `reads slower than ${ANSWER_BOUND_MS} ms, registrations than ${REGISTRATION_BOUND_MS} ms, once the replica serves`,
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

        // The machine runs the rest of the suite too: a replica's confirmation may take longer than
        // REDIS_WAIT_TIMEOUT, which the API answers 503, and a client sends again.
        console.info(`read back from +${Date.now() - killedAtWallMs} ms`)
        const { retried } = await readBackEveryRegistration(harness, key, traffic.acknowledged, {
          retryUnavailable: true,
        }).catch((error: Error) => {
          throw new Error(
            `${error.message}\nerrors logged in the test:\n${errorsLogged(logs.lines, killedAtWallMs)}`,
          )
        })
        console.info(
          `read back: ${retried} registration(s) sent again after a 503` +
            (retried > 0 ? `; errors logged in the test:\n${errorsLogged(logs.lines, killedAtWallMs)}` : ''),
        )
        // A notification sent again after the failover keeps its webhook-id: once each after dedupe.
        const byNotification = new Map<string, Set<string>>()
        for (const notification of receivedNotifications(receiver.received)) {
          const name = `${notification.trackingId}#${notification.sequence} ${notification.type}`
          byNotification.set(name, (byNotification.get(name) ?? new Set()).add(notification.webhookId))
        }
        expect(byNotification.size).toBeGreaterThan(0)
        const signatures = new Webhook(secret)
        const unsigned = receiver.received.filter((request) => {
          try {
            signatures.verify(request.body, request.headers as Record<string, string>)
            return false
          } catch {
            return true
          }
        })
        expect.soft(unsigned.length, 'deliveries whose signature does not verify').toBe(0)
        expect
          .soft(
            [...byNotification]
              .filter(([, ids]) => ids.size > 1)
              .map(([name, ids]) => `${name}: ${[...ids]}`),
            'notifications delivered under several webhook-ids',
          )
          .toEqual([])
        // A milestone e-mailed again after the failover keeps its Message-ID: once each after dedupe.
        const byMilestone = new Map<string, Set<string>>()
        for (const email of smtp.received) {
          const headers = headersOf(email.raw)
          const milestone = `${email.to.join(',')} ${headers.get('subject')}`
          byMilestone.set(
            milestone,
            (byMilestone.get(milestone) ?? new Set()).add(String(headers.get('message-id'))),
          )
        }
        expect(byMilestone.size, 'milestone e-mails received').toBeGreaterThan(0)
        expect
          .soft(
            [...byMilestone].filter(([, ids]) => ids.size > 1).map(([name, ids]) => `${name}: ${[...ids]}`),
            'milestones e-mailed under several Message-IDs',
          )
          .toEqual([])
      } finally {
        await traffic.stop()
      }
    },
    TEST_TIMEOUT_MS,
  )
})

type LogLine = { level: number; time: string; msg: string; err?: { message?: string } }

/** The distinct errors among log lines, one line each, with when each was first logged (ms after `sinceWallMs`). */
function errorsLogged(lines: readonly LogLine[], sinceWallMs: number): string {
  const first = new Map<string, number>()
  for (const line of lines.filter((candidate) => candidate.level >= 50)) {
    const error = `${line.msg}: ${JSON.stringify(line.err?.message)}`
    if (!first.has(error)) first.set(error, Date.parse(line.time) - sinceWallMs)
  }
  return [...first].map(([error, atMs]) => `+${atMs} ms ${error}`).join('\n') || 'none'
}

/** The notifications a receiver got: which tracking, which of its notifications, under which webhook-id. */
function receivedNotifications(received: readonly ReceivedWebhook[]) {
  return received.map((request) => {
    const payload = JSON.parse(request.body) as {
      type: string
      data: { sequence: number; tracking: { id: string } }
    }
    return {
      webhookId: String(request.headers['webhook-id']),
      type: payload.type,
      trackingId: payload.data.tracking.id,
      sequence: payload.data.sequence,
      receivedAtMs: request.receivedAtMs,
    }
  })
}

/** A sandbox number whose registration by MERCHANT falls in one of `shards`. */
function numberInShards(shards: ReadonlySet<number>, taken: readonly string[] = []): string {
  for (let suffix = 0; suffix < 1000; suffix++) {
    const trackingNumber = `SBXSTALLED${String(suffix).padStart(3, '0')}`
    const shard = shardOfRegistration({ merchantId: MERCHANT, carrier: 'sandbox', trackingNumber }, SHARDS)
    if (shards.has(shard) && !taken.includes(trackingNumber)) return trackingNumber
  }
  throw new Error('no sandbox number falls in those shards')
}

/**
 * Redis replicates asynchronously: a master acknowledges a write before its replica has it. Its replica
 * is frozen (SIGSTOP) and its replication link closed while two registrations reach the master, one through a colis that does not wait
 * for replicas and one through a colis that does (REDIS_WAIT_REPLICAS=1, same keyspace); the master is
 * killed, the replica resumes and is promoted without either write.
 */
describe('what a failover loses: what the master acknowledged before its replica had it', () => {
  let cluster: Awaited<ReturnType<typeof startOwnCluster>>
  let notWaiting: Harness
  let waiting: Harness

  beforeAll(async () => {
    cluster = await startOwnCluster('failover-loss', { nodeTimeoutMs: NODE_TIMEOUT_MS })
    const env = { REDIS_CLUSTER_NODES: cluster.seeds, COLIS_SHARDS: String(SHARDS) }
    notWaiting = await createHarness('failover-loss', { ...env, REDIS_WAIT_REPLICAS: '0' })
    waiting = await createHarness('failover-loss', {
      ...env,
      COLIS_REDIS_PREFIX: notWaiting.config.COLIS_REDIS_PREFIX,
      REDIS_WAIT_REPLICAS: '1',
    })
  })

  afterAll(async () => {
    await waiting?.close()
    await notWaiting?.close()
    await cluster?.dispose()
  })

  it('loses a registration acknowledged without REDIS_WAIT_REPLICAS; with it, that registration is refused', async () => {
    const { key } = await notWaiting.apiKeys.create(MERCHANT)
    const { victim, deadShards } = await masterOfShardsOnly(notWaiting, connectControl(notWaiting))
    const replica = await replicaOf(cluster, victim)
    const unconfirmed = numberInShards(deadShards)
    const refused = numberInShards(deadShards, [unconfirmed])
    const register = (harness: Harness, trackingNumber: string) =>
      harness.request(key, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify({ trackingNumber, carrier: 'sandbox' }),
      })

    // Frozen, then cut off: what the master writes from now on never reaches it (frozen alone, it would
    // still read the stream its socket buffered once it resumes).
    process.kill(replica.pid, 'SIGSTOP')
    let acknowledged: Response
    let notAcknowledged: Response
    try {
      // Its replication links closed: the replica misses what the master writes until it reconnects.
      await commandOnNode(victim, 'CLIENT', 'KILL', 'TYPE', 'replica')
      acknowledged = await register(notWaiting, unconfirmed)
      const refusedAtMs = performance.now()
      notAcknowledged = await register(waiting, refused)
      console.info(
        `with REDIS_WAIT_REPLICAS=1 and no replica: 503 in ${Math.round(performance.now() - refusedAtMs)} ms`,
      )
      await cluster.killNode(Number(victim.split(':')[1]))
    } finally {
      process.kill(replica.pid, 'SIGCONT')
    }
    expect(acknowledged.status).toBe(201)
    const { id } = (await acknowledged.json()) as { id: string }
    expect(notAcknowledged.status).toBe(503)
    expect(await notAcknowledged.json()).toMatchObject({ code: 'redis_unavailable' })

    const replicaAddress = `${replica.host}:${replica.port}`
    await eventually(
      async () => (await cluster.masters()).map((master) => `${master.host}:${master.port}`),
      (masters) => masters.includes(replicaAddress),
      20_000,
    )
    const readAfter = await eventually(
      () => notWaiting.request(key, `/v1/trackings/${id}`),
      (answer) => answer.status !== 503,
      20_000,
    )
    // Acknowledged with 201, gone after the failover: the client was told it was registered.
    expect(readAfter.status).toBe(404)
    expect((await register(notWaiting, unconfirmed)).status).toBe(201)
  })
})
