import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-events.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { DOCUMENTED_TRACKING_FIELDS } from '../support/tracking-fields.js'
import {
  api,
  type CreatedEndpoint,
  type EndpointView,
  expectAllVerify,
  headersOf,
  journeyEnd,
  type Payload,
  payloadOf,
  type Receiver,
  type TrackingView,
  webhookId,
} from '../support/webhook-api.js'
import { openWebhookPipeline } from '../support/webhook-pipeline.js'
import { type ReceivedWebhook, startWebhookReceiver } from '../support/webhook-receiver.js'

/**
 * Webhook delivery end to end, one whole sandbox journey per behaviour: the real API, the real
 * poll/relay/delivery workers, the sandbox carrier (a whole DELIVERED journey plays in about 4 s) and
 * loopback receivers reached through WEBHOOK_ALLOWED_CIDRS. The journeys play at the same time; what
 * each attempt does is in webhook-attempts.test.ts. Absence is checked once the pipeline is idle.
 */

const TRACKING_FIELDS = new Set(DOCUMENTED_TRACKING_FIELDS)
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe.concurrent('webhook delivery through the API, the workers and loopback receivers', () => {
  let harness: Harness
  let pipeline: ReturnType<typeof openWebhookPipeline>
  const receivers: Receiver[] = []
  const client = api(() => harness)
  const receiver = async (...args: Parameters<typeof startWebhookReceiver>) => {
    const started = await startWebhookReceiver(...args)
    receivers.push(started)
    return started
  }

  beforeAll(async () => {
    harness = await createHarness('webhook-delivery', {
      ...FAST_SANDBOX_POLLING,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      // 5 s, 5 min, 30 min… become 1 ms, 60 ms, 360 ms…
      WEBHOOK_RETRY_FACTOR: '0.0002',
    })
    await harness.startWorkers()
    pipeline = openWebhookPipeline(harness)
  })

  afterAll(async () => {
    await pipeline?.close()
    await harness?.close()
    await Promise.all(receivers.map((started) => started.close()))
  })

  it('sends an endpoint only the event types it subscribed to', async () => {
    const everything = await receiver()
    const statusOnly = await receiver()
    const alertsOnly = await receiver()
    const key = await client.merchant('shop-filter')
    await client.subscribe(key, everything.url)
    const statusEndpoint = await client.subscribe(key, statusOnly.url, ['tracking.status_changed'])
    expect(statusEndpoint.events).toEqual(['tracking.status_changed'])
    const alertsEndpoint = await client.subscribe(key, alertsOnly.url, ['alert.opened', 'alert.resolved'])
    const trackingId = await client.register(key, 'SBXDELIVERED008')

    await journeyEnd(everything, trackingId)
    await journeyEnd(statusOnly, trackingId)
    await pipeline.untilIdle()

    const all = everything.received.map(payloadOf)
    const statusChanges = all.filter((payload) => payload.type === 'tracking.status_changed')
    expect(all.some((payload) => payload.type === 'tracking.updated')).toBe(true)
    const received = statusOnly.received.map(payloadOf)
    expect(received.map((payload) => payload.type)).toEqual(received.map(() => 'tracking.status_changed'))
    expect(received.map((payload) => payload.data.sequence).sort((a, b) => a - b)).toEqual(
      statusChanges.map((payload) => payload.data.sequence).sort((a, b) => a - b),
    )
    expectAllVerify(statusOnly.received, statusEndpoint.secret)
    const log = await client.deliveries(key, statusEndpoint.id)
    expect(log.map((delivery) => delivery.type)).toEqual(log.map(() => 'tracking.status_changed'))
    // The sandbox journey opens no alert: nothing for an alerts-only endpoint, not even a delivery record.
    expect(alertsOnly.received).toHaveLength(0)
    expect(await client.deliveries(key, alertsEndpoint.id)).toEqual([])
  })

  it("sends a shopper subscription only its own tracking's notifications; it goes away with the tracking", async () => {
    const merchantHook = await receiver()
    const shopperHook = await receiver()
    const key = await client.merchant('shop-shopper')
    const merchantEndpoint = await client.subscribe(key, merchantHook.url)
    const followed = await client.register(key, 'SBXDELIVERED009')
    const other = await client.register(key, 'SBXDELIVERED010')

    const subscription = await client.json<CreatedEndpoint>(
      key,
      `/v1/trackings/${followed}/subscriptions`,
      { method: 'POST', body: JSON.stringify({ url: shopperHook.url }) },
      201,
    )
    expect(subscription).toMatchObject({
      url: shopperHook.url,
      events: [...WEBHOOK_EVENT_TYPES],
      trackingId: followed,
      secret: expect.stringMatching(/^whsec_/),
    })
    const listed = await client.json<{ data: EndpointView[] }>(key, `/v1/trackings/${followed}/subscriptions`)
    expect(listed.data.map((view) => view.id)).toEqual([subscription.id])
    expect(listed.data[0]?.secret).toBeUndefined()
    const otherListed = await client.json<{ data: EndpointView[] }>(
      key,
      `/v1/trackings/${other}/subscriptions`,
    )
    expect(otherListed.data).toEqual([])
    const merchantList = await client.json<{ data: EndpointView[] }>(key, '/v1/webhooks')
    expect(merchantList.data.map((view) => view.id)).toEqual([merchantEndpoint.id])
    await client.json(key, `/v1/webhooks/${subscription.id}`, undefined, 404)

    await journeyEnd(shopperHook, followed)
    await journeyEnd(merchantHook, followed)
    await journeyEnd(merchantHook, other)
    await pipeline.untilIdle()

    const shopperPayloads = shopperHook.received.map(payloadOf)
    expect(shopperPayloads.map((payload) => payload.data.tracking.id)).toEqual(
      shopperPayloads.map(() => followed),
    )
    const merchantPayloads = merchantHook.received.map(payloadOf)
    expect(merchantPayloads.some((payload) => payload.data.tracking.id === other)).toBe(true)
    // From its subscription on, the shopper got every notification of its tracking, as the merchant did
    // (the first ones may have been relayed before the subscription existed).
    const sequencesOf = (payloads: Payload[]) =>
      payloads
        .filter((payload) => payload.data.tracking.id === followed)
        .map((payload) => payload.data.sequence)
        .sort((a, b) => a - b)
    const shopperSequences = sequencesOf(shopperPayloads)
    const since = shopperSequences[0] ?? 0
    expect(shopperSequences).toEqual(sequencesOf(merchantPayloads).filter((sequence) => sequence >= since))
    expectAllVerify(shopperHook.received, subscription.secret)
    expect(() =>
      new Webhook(merchantEndpoint.secret).verify(
        shopperHook.received[0]?.body ?? '',
        headersOf(shopperHook.received[0] as ReceivedWebhook),
      ),
    ).toThrow()

    await client.json(key, `/v1/trackings/${followed}`, { method: 'DELETE' }, 204)
    await client.json(key, `/v1/trackings/${followed}/subscriptions`, undefined, 404)
    const webhooks = createWebhookStore(harness.redis, harness.config.COLIS_REDIS_PREFIX)
    expect(await webhooks.getEndpoint(subscription.id)).toBeUndefined()
    expect(await webhooks.listEndpoints({ trackingId: followed })).toEqual([])
    const afterDelete = await client.json<{ data: EndpointView[] }>(key, '/v1/webhooks')
    expect(afterDelete.data.map((view) => view.id)).toEqual([merchantEndpoint.id])
  })

  it('sends {type, timestamp, data: {tracking, newEvents?, alert?, sequence}}, tracking as the API shows it', async () => {
    const hook = await receiver()
    const key = await client.merchant('shop-payload')
    await client.subscribe(key, hook.url)
    const trackingId = await client.register(key, 'SBXDELIVERED012')

    // What GET /v1/trackings/{id} shows along the journey, to compare each payload with.
    const snapshots: TrackingView[] = []
    let watching = true
    const watcher = (async () => {
      while (watching) {
        snapshots.push(await client.tracking(key, trackingId))
        await pause(20)
      }
    })()
    try {
      await journeyEnd(hook, trackingId)
      await eventually(
        () => client.tracking(key, trackingId),
        (view) => view.pollingStopped !== undefined,
      )
      await pipeline.untilIdle()
    } finally {
      watching = false
      await watcher
    }
    const final = await client.tracking(key, trackingId)
    expect(final.status).toBe('delivered')

    const payloads = hook.received.map(payloadOf).sort((a, b) => a.data.sequence - b.data.sequence)
    for (const payload of payloads) {
      expect(Object.keys(payload).sort()).toEqual(['data', 'timestamp', 'type'])
      expect(WEBHOOK_EVENT_TYPES).toContain(payload.type)
      expect(new Date(payload.timestamp).toISOString()).toBe(payload.timestamp)
      const allowed = ['tracking', 'newEvents', 'alert', 'sequence']
      for (const field of Object.keys(payload.data)) expect(allowed).toContain(field)
      expect(Number.isInteger(payload.data.sequence)).toBe(true)
      const { tracking } = payload.data
      expect(tracking.id).toBe(trackingId)
      for (const field of Object.keys(tracking)) expect(TRACKING_FIELDS.has(field), field).toBe(true)
      for (const field of ['id', 'carrier', 'trackingNumber', 'status', 'events', 'alerts', 'createdAt'])
        expect(tracking, field).toHaveProperty(field)
      if (payload.type === 'tracking.updated') {
        const eventIds = new Set(tracking.events.map((event) => event.id))
        expect(payload.data.newEvents?.length).toBeGreaterThan(0)
        for (const event of payload.data.newEvents ?? []) expect(eventIds.has(event.id)).toBe(true)
      } else {
        expect(payload.data.newEvents).toBeUndefined()
      }
      if (payload.type.startsWith('tracking.')) expect(payload.data.alert).toBeUndefined()
      else expect(payload.data.alert).toBeDefined()
    }

    // Every notification once, none lost: sequences 1…n for this tracking, strictly increasing,
    // and in that order time and the timeline only move forward.
    expect(payloads.map((payload) => payload.data.sequence)).toEqual(payloads.map((_, index) => index + 1))
    expect(new Set(hook.received.map(webhookId)).size).toBe(payloads.length)
    for (let index = 1; index < payloads.length; index++) {
      const previous = payloads[index - 1] as Payload
      const current = payloads[index] as Payload
      expect(Date.parse(current.timestamp)).toBeGreaterThanOrEqual(Date.parse(previous.timestamp))
      expect(current.data.tracking.events.length).toBeGreaterThanOrEqual(previous.data.tracking.events.length)
    }

    // The last notification carries exactly what the API shows once the journey is over, the page
    // link included…
    const last = payloads.at(-1) as Payload
    expect(last.type).toBe('tracking.status_changed')
    expect(final.trackingPageUrl).toEqual(expect.any(String))
    expect(last.data.tracking).toEqual(final)
    // …and each one what the API showed at that moment (nextCheckAt aside: the API shows the live schedule).
    const withoutSchedule = ({ nextCheckAt: _next, ...view }: TrackingView) => view
    let matched = 0
    for (const payload of payloads) {
      const sameMoment = snapshots.filter(
        (snapshot) =>
          snapshot.updatedAt === payload.data.tracking.updatedAt &&
          snapshot.lastCheckedAt === payload.data.tracking.lastCheckedAt,
      )
      for (const snapshot of sameMoment) {
        expect(withoutSchedule(payload.data.tracking)).toEqual(withoutSchedule(snapshot))
        matched++
      }
    }
    expect(matched).toBeGreaterThan(0)
  })
})
