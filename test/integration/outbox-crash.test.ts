import { Queue, Worker } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withAlertsAndNotifications } from '../../src/domain/tracking-notifications.js'
import { createSmtpSender } from '../../src/email/smtp-sender.js'
import { createSilentLogger } from '../../src/logger.js'
import { createEmailSubscriptionStore } from '../../src/store/email-subscription-store.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import type { PollView } from '../../src/store/tracking-store.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../../src/webhooks/egress-guard.js'
import { createWebhookSecret } from '../../src/webhooks/sign.js'
import { processDeliveryJob } from '../../workers/deliver-webhook.js'
import type { DeliveryJobData, EmailJobData } from '../../workers/jobs.js'
import { createEmailRelay } from '../../workers/relay-emails.js'
import { startOutboxRelay } from '../../workers/relay-outbox.js'
import { emailBackoff, processEmailJob } from '../../workers/send-email.js'
import { subscription } from '../store/email-subscription-store-contract.js'
import { eventually } from '../support/harness.js'
import { untilOutboxDrained, untilQueueIdle } from '../support/idle.js'
import { testConnections, uniquePrefix } from '../support/redis.js'
import { headersOf, type SmtpSink, startSmtpSink } from '../support/smtp-sink.js'
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
  let smtp: SmtpSink
  let emailQueue: Queue<EmailJobData>
  let emailWorker: Worker<EmailJobData>
  const dispatcher = createGuardedDispatcher({ allowed: parseAllowedCidrs('127.0.0.1/32'), timeoutMs: 5000 })

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    queue = new Queue(`deliveries`, { connection: connect(), prefix: `${prefix}:bull` })
    smtp = await startSmtpSink()
    emailQueue = new Queue('emails', {
      connection: connect(),
      prefix: `${prefix}:bull`,
      defaultJobOptions: { attempts: 3, backoff: { type: 'custom' } },
    })
  })

  afterAll(async () => {
    await worker?.close()
    await emailWorker?.close()
    await queue.close()
    await emailQueue.close()
    await smtp.close()
    await dispatcher.close()
    await receiver.close()
    await quitAll()
  })

  it('loses no notification and delivers each (event, endpoint) and each (milestone, e-mail) exactly once', async () => {
    const store = createRedisTrackingStore(connect(), prefix)
    const webhooks = createWebhookStore(connect(), prefix)
    const emails = createEmailSubscriptionStore(connect(), prefix)
    const emailRelay = createEmailRelay({ emails, queue: emailQueue, pickupHoldDays: () => 10 })
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
      // Each parcel's first scan is a `shipped` milestone for its shopper.
      await emails.add(
        {
          ...subscription(`ntf_p${index}`, record.id),
          to: `shopper${index}@example.com`,
          events: ['shipped'],
        },
        { max: 3 },
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
    expect(await connect().xlen(keys.outbox(0))).toBe(PARCELS * 2)

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
      outboxKey: keys.outbox,
      webhooks,
      queue,
      logger: createSilentLogger(),
      consumer: 'doomed',
      claimIdleMs: 60_000,
      blockMs: 100,
      firstAttempts,
      emails: emailRelay,
      async fault(at, entryId) {
        if (at !== stage) return
        crashes.push(entryId)
        throw new Error(`relay died ${at}`)
      },
    })
    // It reads a few entries at a time (as many as it has first-attempt slots): wait until it has read
    // them all, each read batch dying at `stage`.
    const pendingCount = async () => ((await connect().xpending(keys.outbox(0), 'relay')) as [number])[0]
    await eventually(
      async () => crashes.length,
      (count) => count >= 1,
    )
    await eventually(pendingCount, (count) => count === PARCELS * 2)
    await doomed.stop()
    expect(crashes.length).toBeGreaterThanOrEqual(1)
    // The dead relay read every entry and acknowledged none: they wait in its pending list.
    expect(await pendingCount()).toBe(PARCELS * 2)
    expect(await connect().xlen(keys.outbox(0))).toBe(PARCELS * 2)

    worker = new Worker<DeliveryJobData>('deliveries', (job) => processDeliveryJob(job, deliver), {
      connection: connect(),
      prefix: `${prefix}:bull`,
      concurrency: 5,
    })
    const survivor = startOutboxRelay({
      redis: connect(),
      outboxKey: keys.outbox,
      webhooks,
      queue,
      logger: createSilentLogger(),
      consumer: 'survivor',
      claimIdleMs: 200,
      blockMs: 100,
      firstAttempts,
      emails: emailRelay,
    })
    const sender = createSmtpSender({ url: smtp.url, from: 'shop@example.com', maxConnections: 2 })
    emailWorker = new Worker<EmailJobData>(
      'emails',
      (job) =>
        processEmailJob(job, {
          emails,
          sender,
          publicBaseUrl: 'http://colis.test',
          attempts: 3,
          logger: createSilentLogger(),
        }),
      {
        connection: connect(),
        prefix: `${prefix}:bull`,
        concurrency: 4,
        settings: { backoffStrategy: emailBackoff(0.0001) },
      },
    )
    try {
      await eventually(
        async () => receiver.received.length,
        (count) => count >= PARCELS * 2 * ENDPOINTS,
      )
      // Replayed deliveries the dead relay had settled still get a job (sending nothing): all done once
      // the outbox is drained and the queue is idle.
      await untilOutboxDrained(connect(), keys.outbox(0))
      await untilQueueIdle(queue)
      await untilQueueIdle(emailQueue)
    } finally {
      await survivor.stop()
      sender.close()
    }
    // One `shipped` e-mail per parcel, whatever the relay had done before it died.
    expect(smtp.received).toHaveLength(PARCELS)
    expect(new Set(smtp.received.map((email) => email.to.join()))).toEqual(
      new Set(Array.from({ length: PARCELS }, (_, index) => `shopper${index}@example.com`)),
    )
    expect(new Set(smtp.received.map((email) => headersOf(email.raw).get('message-id'))).size).toBe(PARCELS)
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
