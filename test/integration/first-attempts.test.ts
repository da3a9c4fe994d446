import { Queue, Worker } from 'bullmq'
import { afterEach, describe, expect, it } from 'vitest'
import { createSilentLogger } from '../../src/logger.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../../src/webhooks/egress-guard.js'
import { WEBHOOK_RETRY_DELAYS_MS } from '../../src/webhooks/retry-schedule.js'
import { createWebhookSecret } from '../../src/webhooks/sign.js'
import { type DeliveryDeps, deliveryBackoff, processDeliveryJob } from '../../workers/deliver-webhook.js'
import type { DeliveryJobData } from '../../workers/jobs.js'
import { startOutboxRelay } from '../../workers/relay-outbox.js'
import { eventually } from '../support/harness.js'
import { testConnections, uniquePrefix } from '../support/redis.js'
import { type ReceiverAnswer, startWebhookReceiver } from '../support/webhook-receiver.js'

/** Makes a retry wait ~1 ms per second of the real schedule (5 s → 5 ms, 5 min → 300 ms). */
const RETRY_FACTOR = 0.001

/**
 * The relay makes each new delivery's first attempt itself; only a retry, or a delivery that finds no
 * free slot, becomes a BullMQ job. Real Redis, real relay, queue and worker, a loopback receiver.
 */
describe('first delivery attempts made by the outbox relay', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function setUp(options: {
    answer?: (index: number) => number | ReceiverAnswer
    slots: number
    attempts: number
    workerConcurrency?: number
    /** Keeps the worker from running until `startWorker()`, so a delayed job stays delayed to be looked at. */
    holdWorker?: boolean
  }) {
    const prefix = uniquePrefix('first-attempts')
    const keys = createRedisKeys(prefix)
    const { connect, quitAll } = testConnections()
    cleanups.push(quitAll)
    const receiver = await startWebhookReceiver((_request, index) => options.answer?.(index) ?? 200)
    cleanups.push(() => receiver.close())
    const webhooks = createWebhookStore(connect(), prefix)
    await webhooks.createEndpoint({
      id: 'whk_a',
      merchantId: 'shop',
      url: receiver.url,
      events: ['tracking.updated'],
      secrets: [{ secret: createWebhookSecret(), createdAt: new Date().toISOString() }],
      createdAt: new Date().toISOString(),
    })
    const dispatcher = createGuardedDispatcher({
      allowed: parseAllowedCidrs('127.0.0.1/32'),
      timeoutMs: 5000,
    })
    cleanups.push(() => dispatcher.close())
    const queue = new Queue<DeliveryJobData>('deliveries', {
      connection: connect(),
      prefix: `${prefix}:bull`,
    })
    cleanups.push(() => queue.close())
    const deliver: DeliveryDeps = {
      webhooks,
      dispatcher,
      timeoutMs: 5000,
      disableAfterMs: 86_400_000,
      attempts: options.attempts,
      logger: createSilentLogger(),
    }
    const jobsRun: DeliveryJobData[] = []
    const worker = new Worker<DeliveryJobData>(
      'deliveries',
      (job) => {
        jobsRun.push(job.data)
        return processDeliveryJob(job, deliver)
      },
      {
        connection: connect(),
        prefix: `${prefix}:bull`,
        concurrency: options.workerConcurrency ?? 5,
        autorun: !options.holdWorker,
        settings: { backoffStrategy: deliveryBackoff(RETRY_FACTOR) },
      },
    )
    cleanups.push(() => worker.close())
    const relay = startOutboxRelay({
      redis: connect(),
      outboxKey: keys.outbox,
      webhooks,
      queue,
      logger: createSilentLogger(),
      consumer: 'test',
      claimIdleMs: 60_000,
      blockMs: 50,
      firstAttempts: { deps: deliver, slots: options.slots, retryFactor: RETRY_FACTOR },
    })
    cleanups.push(() => relay.stop())
    const writer = connect()
    return {
      receiver,
      webhooks,
      queue,
      jobsRun,
      startWorker() {
        void worker.run()
      },
      /** Writes `count` notifications to the outbox, as a poll's save does. */
      async notify(count: number) {
        const pipeline = writer.pipeline()
        for (let index = 0; index < count; index++) {
          const message = {
            type: 'tracking.updated',
            merchantId: 'shop',
            trackingId: `trk_${index}`,
            sequence: 1,
            timestamp: new Date().toISOString(),
            data: JSON.stringify({ tracking: { id: `trk_${index}` } }),
          }
          pipeline.xadd(keys.outbox(0), '*', 'm', JSON.stringify(message))
        }
        await pipeline.exec()
      },
      outboxLength: () => writer.xlen(keys.outbox(0)),
    }
  }

  it('delivers at the first attempt without a BullMQ job, and acknowledges the entries', async () => {
    // More slots than notifications: however slow the machine, none has to wait for one.
    const setup = await setUp({ slots: 30, attempts: 3 })
    await setup.notify(25)
    const log = await eventually(
      () => setup.webhooks.listDeliveries('whk_a', 100),
      (data) => data.length === 25 && data.every((delivery) => delivery.state === 'delivered'),
    )
    await eventually(setup.outboxLength, (length) => length === 0)
    for (const delivery of log) expect(delivery.attempts).toHaveLength(1)
    expect(setup.receiver.received).toHaveLength(25)
    expect(new Set(setup.receiver.received.map((request) => request.headers['webhook-id'])).size).toBe(25)
    expect(setup.jobsRun).toEqual([])
    const counts = await setup.queue.getJobCounts()
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(0)
  })

  it('turns a failed first attempt into a delayed job on the schedule, whose attempts count the first', async () => {
    // Always 500: one attempt in the relay, then the job's until the limit (3 in all).
    // The worker is held: the job's delay is ~5 ms, shorter than a poll of the queue on a busy machine.
    const setup = await setUp({ answer: () => 500, slots: 10, attempts: 3, holdWorker: true })
    await setup.notify(1)
    const [job] = await eventually(
      () => setup.queue.getDelayed(),
      (jobs) => jobs.length === 1,
    )
    const [delivery] = await setup.webhooks.listDeliveries('whk_a', 10)
    expect(job?.id).toBe(delivery?.id)
    expect(job?.data).toEqual({ deliveryId: delivery?.id, endpointId: 'whk_a', attemptsBefore: 1 })
    expect(job?.opts.attempts).toBe(2)
    // The first delay of the schedule (5 s), scaled, ±20 % jitter.
    const first = (WEBHOOK_RETRY_DELAYS_MS[0] as number) * RETRY_FACTOR
    expect(job?.opts.delay).toBeGreaterThanOrEqual(Math.floor(first * 0.8))
    expect(job?.opts.delay).toBeLessThanOrEqual(Math.ceil(first * 1.2))
    setup.startWorker()
    const failed = await eventually(
      () => setup.webhooks.listDeliveries('whk_a', 10),
      ([settled]) => settled?.state === 'failed',
    )
    expect(failed[0]?.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500])
    expect(setup.receiver.received).toHaveLength(3)
    expect(new Set(setup.receiver.received.map((request) => request.headers['webhook-id'])).size).toBe(1)
    await eventually(setup.outboxLength, (length) => length === 0)
  })

  it('delivers on the retry after a failed first attempt, with the same webhook-id', async () => {
    const setup = await setUp({ answer: (index) => (index === 0 ? 503 : 200), slots: 10, attempts: 8 })
    await setup.notify(1)
    const [delivery] = await eventually(
      () => setup.webhooks.listDeliveries('whk_a', 10),
      ([settled]) => settled?.state === 'delivered',
    )
    expect(delivery?.attempts.map((attempt) => attempt.statusCode)).toEqual([503, 200])
    expect(setup.jobsRun).toEqual([{ deliveryId: delivery?.id, endpointId: 'whk_a', attemptsBefore: 1 }])
    const [first, second] = setup.receiver.received
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id'])
  })

  it('hands deliveries to the worker when every slot is busy with a slow endpoint, and loses none', async () => {
    // Every answer takes 400 ms, and the relay has one slot: it waits 100 ms for it, then reads on.
    const setup = await setUp({ answer: () => ({ status: 200, delayMs: 400 }), slots: 1, attempts: 3 })
    await setup.notify(8)
    const log = await eventually(
      () => setup.webhooks.listDeliveries('whk_a', 100),
      (data) => data.length === 8 && data.every((delivery) => delivery.state === 'delivered'),
    )
    for (const delivery of log) expect(delivery.attempts).toHaveLength(1)
    expect(setup.receiver.received).toHaveLength(8)
    // Some went through the worker, and each delivery was made by exactly one of the two.
    expect(setup.jobsRun.length).toBeGreaterThan(0)
    expect(setup.jobsRun.length).toBeLessThan(8)
    await eventually(setup.outboxLength, (length) => length === 0)
  })
})
