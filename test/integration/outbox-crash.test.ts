import { Queue, Worker } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withAlertsAndNotifications } from '../../src/domain/tracking-notifications.js'
import { createSilentLogger } from '../../src/logger.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import type { PollView } from '../../src/store/tracking-store.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../../src/webhooks/egress-guard.js'
import { createWebhookSecret } from '../../src/webhooks/sign.js'
import { processDeliveryJob } from '../../workers/deliver-webhook.js'
import type { DeliveryJobData } from '../../workers/jobs.js'
import { startOutboxRelay } from '../../workers/relay-outbox.js'
import { eventually } from '../support/harness.js'
import { untilOutboxDrained, untilQueueIdle } from '../support/idle.js'
import { testConnections, uniquePrefix } from '../support/redis.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const POLICY = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables' as const,
}
const ENDPOINTS = 2
const PARCELS = 5

/**
 * The state change and its notification intent are one atomic write (outbox). Here the relay that
 * turns the outbox into deliveries dies at each dangerous point; a second relay takes over.
 */
describe.each(['before-enqueue', 'before-ack'] as const)('outbox relay dying %s', (stage) => {
  const prefix = uniquePrefix(`outbox-${stage}`)
  const keys = createRedisKeys(prefix)
  const { connect, quitAll } = testConnections()
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let queue: Queue<DeliveryJobData>
  let worker: Worker<DeliveryJobData>
  const dispatcher = createGuardedDispatcher({ allowed: parseAllowedCidrs('127.0.0.1/32'), timeoutMs: 5000 })

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    queue = new Queue(`deliveries`, { connection: connect(), prefix: `${prefix}:bull` })
  })

  afterAll(async () => {
    await worker?.close()
    await queue.close()
    await dispatcher.close()
    await receiver.close()
    await quitAll()
  })

  it('loses no notification and delivers each (event, endpoint) exactly once', async () => {
    const store = createRedisTrackingStore(connect(), prefix)
    const webhooks = createWebhookStore(connect(), prefix)
    for (let index = 0; index < ENDPOINTS; index++) {
      await webhooks.createEndpoint({
        id: `whk_e${index}`,
        merchantId: 'shop',
        url: receiver.url,
        events: ['tracking.updated', 'tracking.status_changed', 'alert.opened', 'alert.resolved'],
        secrets: [{ secret: createWebhookSecret(), createdAt: new Date().toISOString() }],
        createdAt: new Date().toISOString(),
      })
    }
    // Each parcel gets one scan: a tracking.updated and a tracking.status_changed, written atomically.
    const now = Date.now()
    for (let index = 0; index < PARCELS; index++) {
      const { record } = await store.register(
        { merchantId: 'shop', carrier: 'sandbox', trackingNumber: `SBXDELIVERED${100 + index}` },
        new Date(now),
      )
      const [view] = (await store.loadForPoll([record.id])) as [PollView]
      const event = {
        id: `evt_${index}`,
        occurredAt: new Date(now).toISOString(),
        status: 'in_transit' as const,
        code: 'X',
        description: 'scan',
      }
      const write = withAlertsAndNotifications(
        {
          before: view,
          record: { ...view.record, status: 'in_transit' },
          events: [event],
          nextPoll: { atMs: now + 60_000 },
        },
        { nowMs: now, policy: POLICY },
      )
      expect(await store.save([write])).toEqual(['saved'])
    }
    expect(await connect().xlen(keys.outbox())).toBe(PARCELS * 2)

    const deliver = {
      webhooks,
      dispatcher,
      timeoutMs: 5000,
      disableAfterMs: 60_000,
      attempts: 3,
      logger: createSilentLogger(),
    }
    const firstAttempts = { deps: deliver, slots: 4, retryFactor: 0.001 }
    const crashes: string[] = []
    const doomed = startOutboxRelay({
      redis: connect(),
      outboxKey: keys.outbox(),
      webhooks,
      queue,
      logger: createSilentLogger(),
      consumer: 'doomed',
      claimIdleMs: 60_000,
      blockMs: 100,
      firstAttempts,
      async fault(at, entryId) {
        if (at !== stage) return
        crashes.push(entryId)
        throw new Error(`relay died ${at}`)
      },
    })
    // It reads a few entries at a time (as many as it has first-attempt slots): wait until it has read
    // them all, each read batch dying at `stage`.
    const pendingCount = async () => ((await connect().xpending(keys.outbox(), 'relay')) as [number])[0]
    await eventually(
      async () => crashes.length,
      (count) => count >= 1,
    )
    await eventually(pendingCount, (count) => count === PARCELS * 2)
    await doomed.stop()
    expect(crashes.length).toBeGreaterThanOrEqual(1)
    // The dead relay read every entry and acknowledged none: they wait in its pending list.
    expect(await pendingCount()).toBe(PARCELS * 2)
    expect(await connect().xlen(keys.outbox())).toBe(PARCELS * 2)

    worker = new Worker<DeliveryJobData>('deliveries', (job) => processDeliveryJob(job, deliver), {
      connection: connect(),
      prefix: `${prefix}:bull`,
      concurrency: 5,
    })
    const survivor = startOutboxRelay({
      redis: connect(),
      outboxKey: keys.outbox(),
      webhooks,
      queue,
      logger: createSilentLogger(),
      consumer: 'survivor',
      claimIdleMs: 200,
      blockMs: 100,
      firstAttempts,
    })
    try {
      await eventually(
        async () => receiver.received.length,
        (count) => count >= PARCELS * 2 * ENDPOINTS,
      )
      // Replayed deliveries the dead relay had settled still get a job (sending nothing): all done once
      // the outbox is drained and the queue is idle.
      await untilOutboxDrained(connect(), keys.outbox())
      await untilQueueIdle(queue)
    } finally {
      await survivor.stop()
    }
    expect(receiver.received).toHaveLength(PARCELS * 2 * ENDPOINTS)
    const perMessage = new Map<string, number>()
    for (const request of receiver.received) {
      const id = String(request.headers['webhook-id'])
      perMessage.set(id, (perMessage.get(id) ?? 0) + 1)
    }
    expect(perMessage.size).toBe(PARCELS * 2)
    for (const count of perMessage.values()) expect(count).toBe(ENDPOINTS)
    const deliveries = await Promise.all([0, 1].map((index) => webhooks.listDeliveries(`whk_e${index}`, 100)))
    for (const list of deliveries) {
      expect(list).toHaveLength(PARCELS * 2)
      for (const delivery of list) expect(delivery.attempts).toHaveLength(1)
    }
  })
})
