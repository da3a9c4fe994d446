import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-events.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createWebhookSecret } from '../../src/webhooks/sign.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { DOCUMENTED_TRACKING_FIELDS } from '../support/tracking-fields.js'
import { type ReceivedWebhook, startWebhookReceiver } from '../support/webhook-receiver.js'

/**
 * Webhook delivery end to end: the real API, the real poll/relay/delivery workers, the sandbox carrier
 * (a whole DELIVERED journey plays in about 4 s) and loopback receivers reached through
 * WEBHOOK_ALLOWED_CIDRS. Timing is only ever checked as a lower bound: the machine is shared.
 */

const TRACKING_FIELDS = new Set(DOCUMENTED_TRACKING_FIELDS)

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>

interface TrackingView {
  id: string
  status: string
  events: Array<{ id: string }>
  [field: string]: unknown
}

interface Payload {
  type: string
  timestamp: string
  data: {
    tracking: TrackingView
    newEvents?: Array<{ id: string }>
    alert?: unknown
    sequence: number
  }
}

interface CreatedEndpoint {
  id: string
  url: string
  events: string[]
  secret: string
  trackingId?: string
}

interface EndpointView {
  id: string
  url: string
  events: string[]
  trackingId?: string
  disabledAt?: string
  disabledReason?: string
  secret?: string
}

interface Delivery {
  id: string
  endpointId: string
  messageId: string
  type: string
  trackingId: string
  createdAt: string
  state: string
  attempts: Array<{ at: string; statusCode?: number; durationMs: number; error?: string }>
}

const payloadOf = (request: ReceivedWebhook) => JSON.parse(request.body) as Payload
const headersOf = (request: ReceivedWebhook) => request.headers as Record<string, string>
const webhookId = (request: ReceivedWebhook) => String(request.headers['webhook-id'])
const signaturesOf = (request: ReceivedWebhook) => String(request.headers['webhook-signature']).split(' ')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Requests grouped by `webhook-id`, in the order they arrived. */
function byWebhookId(received: readonly ReceivedWebhook[]): Map<string, ReceivedWebhook[]> {
  const groups = new Map<string, ReceivedWebhook[]>()
  for (const request of received) {
    const group = groups.get(webhookId(request)) ?? []
    group.push(request)
    groups.set(webhookId(request), group)
  }
  return groups
}

/** Every request verifies with `secret` (an independent implementation: the standardwebhooks package). */
function expectAllVerify(received: readonly ReceivedWebhook[], secret: string) {
  expect(received.length).toBeGreaterThan(0)
  const webhook = new Webhook(secret)
  for (const request of received) {
    expect(() => webhook.verify(request.body, headersOf(request))).not.toThrow()
  }
}

/** The answer of one receiver: `first` the first time a webhook-id comes, 200 afterwards. */
function failFirstAttempt<T>(first: T) {
  const seen = new Set<string>()
  return (request: ReceivedWebhook) => {
    const id = webhookId(request)
    if (seen.has(id)) return 200
    seen.add(id)
    return first
  }
}

function api(harness: () => Harness) {
  async function json<T>(key: string, path: string, init?: RequestInit, status = 200): Promise<T> {
    const response = await harness().request(key, path, init)
    const text = await response.text()
    expect(response.status, `${init?.method ?? 'GET'} ${path}: ${text}`).toBe(status)
    return (text ? JSON.parse(text) : undefined) as T
  }
  return {
    json,
    async merchant(name: string): Promise<string> {
      return (await harness().apiKeys.create(name)).key
    },
    subscribe(key: string, url: string, events?: string[]): Promise<CreatedEndpoint> {
      return json(key, '/v1/webhooks', { method: 'POST', body: JSON.stringify({ url, events }) }, 201)
    },
    async register(key: string, trackingNumber: string): Promise<string> {
      const created = await json<{ id: string }>(
        key,
        '/v1/trackings',
        { method: 'POST', body: JSON.stringify({ trackingNumber, carrier: 'sandbox' }) },
        201,
      )
      return created.id
    },
    tracking: (key: string, id: string) => json<TrackingView>(key, `/v1/trackings/${id}`),
    endpoint: (key: string, id: string) => json<EndpointView>(key, `/v1/webhooks/${id}`),
    async deliveries(key: string, endpointId: string): Promise<Delivery[]> {
      return (await json<{ data: Delivery[] }>(key, `/v1/webhooks/${endpointId}/deliveries?limit=100`)).data
    },
  }
}

/** Waits for the last notification of a DELIVERED journey (its status_changed to delivered) at `receiver`. */
function journeyEnd(receiver: Receiver, trackingId: string, timeoutMs = 30_000) {
  return eventually(
    async () => receiver.received.map(payloadOf),
    (payloads) =>
      payloads.some(
        (payload) =>
          payload.type === 'tracking.status_changed' &&
          payload.data.tracking.id === trackingId &&
          payload.data.tracking.status === 'delivered',
      ),
    timeoutMs,
  )
}

describe('webhook delivery through the API, the workers and loopback receivers', () => {
  let harness: Harness
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
  })

  afterAll(async () => {
    await harness?.close()
    await Promise.all(receivers.map((started) => started.close()))
  })

  it('signs every attempt (standardwebhooks verifies it) and keeps webhook-id across the retries of a delivery', async () => {
    // Every first attempt is held 1.1 s, then answered 500: the retry is signed in a later second.
    const hook = await receiver(failFirstAttempt({ status: 500, delayMs: 1100 }))
    const key = await client.merchant('shop-retry')
    const endpoint = await client.subscribe(key, hook.url)
    const trackingId = await client.register(key, 'SBXDELIVERED001')

    const payloads = await journeyEnd(hook, trackingId)
    const notifications = Math.max(...payloads.map((payload) => payload.data.sequence))
    const log = await eventually(
      () => client.deliveries(key, endpoint.id),
      (data) => data.length === notifications && data.every((delivery) => delivery.state === 'delivered'),
    )

    expectAllVerify(hook.received, endpoint.secret)
    const groups = byWebhookId(hook.received)
    expect(groups.size).toBe(notifications)
    for (const [id, requests] of groups) {
      expect(requests, id).toHaveLength(2)
      const [first, retry] = requests as [ReceivedWebhook, ReceivedWebhook]
      expect(retry.body).toBe(first.body)
      expect(Number(retry.headers['webhook-timestamp'])).toBeGreaterThan(
        Number(first.headers['webhook-timestamp']),
      )
      // A new timestamp means a new signature, over the same body.
      expect(retry.headers['webhook-signature']).not.toBe(first.headers['webhook-signature'])
    }

    for (const delivery of log) {
      expect(groups.has(delivery.messageId)).toBe(true)
      expect(delivery.endpointId).toBe(endpoint.id)
      expect(delivery.trackingId).toBe(trackingId)
      expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 200])
      const [failed, succeeded] = delivery.attempts as [Delivery['attempts'][0], Delivery['attempts'][0]]
      expect(failed.error).toMatch(/500/)
      expect(failed.durationMs).toBeGreaterThanOrEqual(900)
      expect(succeeded.durationMs).toBeGreaterThanOrEqual(0)
      expect(succeeded.error).toBeUndefined()
      expect(Date.parse(succeeded.at)).toBeGreaterThan(Date.parse(failed.at))
    }
  })

  it('disables an endpoint that answers 410 Gone, and sends it nothing more', async () => {
    const gone = await receiver(() => 410)
    const control = await receiver()
    const key = await client.merchant('shop-gone')
    const endpoint = await client.subscribe(key, gone.url)
    await client.subscribe(key, control.url)
    const first = await client.register(key, 'SBXDELIVERED002')

    const disabled = await eventually(
      () => client.endpoint(key, endpoint.id),
      (view) => view.disabledAt !== undefined,
    )
    expect(disabled.disabledReason).toMatch(/410/)
    expect(Date.parse(disabled.disabledAt ?? '')).not.toBeNaN()

    // Attempts already under way when it was disabled may still land; give them a moment.
    await sleep(1000)
    const listed = await client.json<{ data: EndpointView[] }>(key, '/v1/webhooks')
    expect(listed.data.find((view) => view.id === endpoint.id)).toEqual(
      await client.endpoint(key, endpoint.id),
    )
    const reached = gone.received.length
    expect(reached).toBeGreaterThan(0)
    // A journey that starts only now: its notifications reach the control endpoint, never the disabled one.
    const second = await client.register(key, 'SBXDELIVERED003')
    await journeyEnd(control, second)
    await journeyEnd(control, first)
    await sleep(500)
    expect(gone.received).toHaveLength(reached)

    const log = await client.deliveries(key, endpoint.id)
    expect(log.some((delivery) => delivery.trackingId === second)).toBe(false)
    const answered = log.filter((delivery) => delivery.attempts.some((attempt) => attempt.statusCode === 410))
    expect(answered.length).toBeGreaterThan(0)
    for (const delivery of answered) expect(delivery.state).toBe('endpoint_disabled')
    // Nothing was retried against it: every attempt is a single 410, or no request at all.
    for (const delivery of log) {
      expect(delivery.state).toBe('endpoint_disabled')
      expect(delivery.attempts).toHaveLength(1)
    }
    expect(gone.received).toHaveLength(answered.length)
  })

  it('honours Retry-After on 429 and 503, then delivers', async () => {
    const tooMany = await receiver(failFirstAttempt({ status: 429, headers: { 'retry-after': '1' } }))
    // 3600 s × WEBHOOK_RETRY_FACTOR 0.0002 = 720 ms, well above the scheduled 1 ms first retry.
    const unavailable = await receiver(failFirstAttempt({ status: 503, headers: { 'retry-after': '3600' } }))
    const key = await client.merchant('shop-retry-after')
    const tooManyEndpoint = await client.subscribe(key, tooMany.url)
    const unavailableEndpoint = await client.subscribe(key, unavailable.url)
    const trackingId = await client.register(key, 'SBXDELIVERED004')

    await journeyEnd(tooMany, trackingId)
    await journeyEnd(unavailable, trackingId)
    for (const [endpoint, hook, status] of [
      [tooManyEndpoint, tooMany, 429],
      [unavailableEndpoint, unavailable, 503],
    ] as const) {
      const log = await eventually(
        () => client.deliveries(key, endpoint.id),
        (data) => data.length > 0 && data.every((delivery) => delivery.state === 'delivered'),
      )
      for (const delivery of log) {
        expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([status, 200])
        expect(delivery.attempts[0]?.error).toMatch(String(status))
      }
      const groups = byWebhookId(hook.received)
      expect(groups.size).toBe(log.length)
      for (const requests of groups.values()) expect(requests).toHaveLength(2)
      expectAllVerify(hook.received, endpoint.secret)
    }
    // Only a lower bound: the 503's Retry-After pushed each retry back (~720 ms, not the 1 ms of the schedule).
    for (const requests of byWebhookId(unavailable.received).values()) {
      const [first, retry] = requests as [ReceivedWebhook, ReceivedWebhook]
      expect(retry.receivedAtMs - first.receivedAtMs).toBeGreaterThanOrEqual(600)
    }
  })

  it('does not follow redirects: a 302 or 307 is a failed attempt, and the target gets nothing', async () => {
    const target = await receiver()
    const found = await receiver(() => ({ status: 302, headers: { location: target.url } }))
    const temporary = await receiver(() => ({ status: 307, headers: { location: target.url } }))
    const key = await client.merchant('shop-redirect')
    const foundEndpoint = await client.subscribe(key, found.url)
    const temporaryEndpoint = await client.subscribe(key, temporary.url)
    await client.register(key, 'SBXDELIVERED005')

    for (const [endpoint, status] of [
      [foundEndpoint, 302],
      [temporaryEndpoint, 307],
    ] as const) {
      const log = await eventually(
        () => client.deliveries(key, endpoint.id),
        (data) => data.some((delivery) => delivery.attempts.length >= 3),
      )
      for (const delivery of log) {
        expect(delivery.state).not.toBe('delivered')
        for (const attempt of delivery.attempts) {
          expect(attempt.statusCode).toBe(status)
          expect(attempt.error).toMatch(/redirect/)
        }
      }
      const view = await client.endpoint(key, endpoint.id)
      expect(view.disabledAt).toBeUndefined()
    }
    await sleep(500)
    expect(found.received.length).toBeGreaterThanOrEqual(3)
    expect(temporary.received.length).toBeGreaterThanOrEqual(3)
    expect(target.received).toHaveLength(0)
  })

  it('signs with the old and the new secret after rotate-secret', async () => {
    const hook = await receiver()
    const key = await client.merchant('shop-rotate')
    const endpoint = await client.subscribe(key, hook.url)
    const first = await client.register(key, 'SBXDELIVERED006')
    await eventually(
      async () => hook.received.length,
      (count) => count > 0,
    )

    const beforeRotation = hook.received.length
    const rotated = await client.json<{ id: string; secret: string; previousSecretExpiresAt: string }>(
      key,
      `/v1/webhooks/${endpoint.id}/rotate-secret`,
      { method: 'POST' },
    )
    expect(rotated.id).toBe(endpoint.id)
    expect(rotated.secret).toMatch(/^whsec_/)
    expect(rotated.secret).not.toBe(endpoint.secret)
    const overlapMs = Date.parse(rotated.previousSecretExpiresAt) - Date.now()
    expect(overlapMs).toBeGreaterThan(23 * 3600_000)
    expect(overlapMs).toBeLessThanOrEqual(24 * 3600_000)

    // A journey that starts after the rotation: all of it is signed with both secrets.
    const second = await client.register(key, 'SBXDELIVERED007')
    await journeyEnd(hook, second)
    await journeyEnd(hook, first)

    expectAllVerify(hook.received, endpoint.secret)
    for (const request of hook.received.slice(0, beforeRotation))
      expect(signaturesOf(request)).toHaveLength(1)
    const afterRotation = hook.received.filter((request) => payloadOf(request).data.tracking.id === second)
    expect(afterRotation.length).toBeGreaterThan(0)
    for (const request of afterRotation) {
      const signatures = signaturesOf(request)
      expect(signatures).toHaveLength(2)
      for (const signature of signatures) expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/)
    }
    expectAllVerify(afterRotation, rotated.secret)
    expectAllVerify(afterRotation, endpoint.secret)
    const stranger = new Webhook(createWebhookSecret())
    for (const request of afterRotation) {
      expect(() => stranger.verify(request.body, headersOf(request))).toThrow()
    }
  })

  it('keeps a rotation made while an attempt is under way (the worker writes back no stale endpoint)', async () => {
    let mode: 'ok' | 'flaky' = 'ok'
    let failed = false
    // Once flaky: the next attempt fails (the endpoint is then "failing since"), the retry succeeds slowly.
    const hook = await receiver(() => {
      if (mode === 'ok') return 200
      if (failed) return { status: 200, delayMs: 1500 }
      failed = true
      return 500
    })
    const key = await client.merchant('shop-rotate-race')
    const endpoint = await client.subscribe(key, hook.url)
    const trackingId = await client.register(key, 'SBXDELIVERED013')
    await journeyEnd(hook, trackingId)
    const [delivery] = await eventually(
      () => client.deliveries(key, endpoint.id),
      (data) => data.length > 0 && data.every((entry) => entry.state === 'delivered'),
    )
    if (!delivery) throw new Error('no delivery')
    const sent = hook.received.length

    mode = 'flaky'
    await client.json(
      key,
      `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`,
      { method: 'POST' },
      202,
    )
    // The retry is being answered, slowly: its job read the endpoint before the rotation below.
    await eventually(
      async () => hook.received.length,
      (count) => count === sent + 2,
    )
    const rotated = await client.json<{ secret: string }>(key, `/v1/webhooks/${endpoint.id}/rotate-secret`, {
      method: 'POST',
    })
    const log = await eventually(
      async () => (await client.deliveries(key, endpoint.id)).find((entry) => entry.id === delivery.id),
      (entry) => entry?.attempts.length === 3,
    )
    expect(log?.attempts.map((attempt) => attempt.statusCode)).toEqual([200, 500, 200])
    await sleep(300)

    const webhooks = createWebhookStore(harness.redis, harness.config.COLIS_REDIS_PREFIX)
    const stored = await webhooks.getEndpoint(endpoint.id)
    expect(stored?.secrets.map((secret) => secret.secret)).toEqual([rotated.secret, endpoint.secret])
    expect(stored?.failingSince).toBeUndefined()
    // The next attempt is signed with both secrets.
    mode = 'ok'
    await client.json(
      key,
      `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`,
      { method: 'POST' },
      202,
    )
    const last = await eventually(
      async () => hook.received.at(sent + 2),
      (request) => request !== undefined,
    )
    if (!last) throw new Error('no redelivery')
    expect(signaturesOf(last)).toHaveLength(2)
    expectAllVerify([last], rotated.secret)
  })

  it('keeps an endpoint disabled by a 410 while another attempt was under way', async () => {
    let mode: 'ok' | 'flaky' | 'gone' = 'ok'
    let failed = false
    const hook = await receiver(() => {
      if (mode === 'ok') return 200
      if (mode === 'gone') return 410
      if (failed) return { status: 200, delayMs: 1500 }
      failed = true
      return 500
    })
    const key = await client.merchant('shop-gone-race')
    const endpoint = await client.subscribe(key, hook.url)
    const trackingId = await client.register(key, 'SBXDELIVERED015')
    await journeyEnd(hook, trackingId)
    const [slow, gone] = await eventually(
      () => client.deliveries(key, endpoint.id),
      (data) => data.length > 1 && data.every((entry) => entry.state === 'delivered'),
    )
    if (!slow || !gone) throw new Error('not enough deliveries')
    const sent = hook.received.length

    mode = 'flaky'
    await client.json(
      key,
      `/v1/webhooks/${endpoint.id}/deliveries/${slow.id}/redeliver`,
      { method: 'POST' },
      202,
    )
    await eventually(
      async () => hook.received.length,
      (count) => count === sent + 2,
    )
    // While that retry is answered (slowly), another attempt is told 410 Gone.
    mode = 'gone'
    await client.json(
      key,
      `/v1/webhooks/${endpoint.id}/deliveries/${gone.id}/redeliver`,
      { method: 'POST' },
      202,
    )
    await eventually(
      () => client.endpoint(key, endpoint.id),
      (view) => view.disabledAt !== undefined,
    )
    await eventually(
      async () => (await client.deliveries(key, endpoint.id)).find((entry) => entry.id === slow.id),
      (entry) => entry?.attempts.length === 3,
    )
    await sleep(300)
    const view = await client.endpoint(key, endpoint.id)
    expect(view.disabledAt).toEqual(expect.any(String))
    expect(view.disabledReason).toMatch(/410/)
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
    await sleep(500)

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
    await sleep(500)

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

  it('redelivers a delivery with the same webhook-id, as one more attempt', async () => {
    const hook = await receiver()
    const key = await client.merchant('shop-redeliver')
    const endpoint = await client.subscribe(key, hook.url)
    const trackingId = await client.register(key, 'SBXDELIVERED011')
    await journeyEnd(hook, trackingId)

    const [delivery] = await eventually(
      () => client.deliveries(key, endpoint.id),
      (data) => data.some((entry) => entry.state === 'delivered'),
    ).then((data) => data.filter((entry) => entry.state === 'delivered'))
    if (!delivery) throw new Error('no delivered delivery')
    expect(delivery.attempts).toHaveLength(1)
    const original = hook.received.find((request) => webhookId(request) === delivery.messageId)
    if (!original) throw new Error(`no request with webhook-id ${delivery.messageId}`)

    const queued = await client.json<{ id: string; redelivery: string }>(
      key,
      `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`,
      { method: 'POST' },
      202,
    )
    expect(queued).toEqual({ id: delivery.id, redelivery: 'queued' })

    const again = await eventually(
      async () => hook.received.filter((request) => webhookId(request) === delivery.messageId),
      (requests) => requests.length === 2,
    )
    const redelivered = again[1] as ReceivedWebhook
    expect(redelivered.body).toBe(original.body)
    expect(Number(redelivered.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(
      Number(original.headers['webhook-timestamp']),
    )
    expectAllVerify(again, endpoint.secret)
    const updated = await eventually(
      async () => (await client.deliveries(key, endpoint.id)).find((entry) => entry.id === delivery.id),
      (entry) => entry?.attempts.length === 2,
    )
    expect(updated?.state).toBe('delivered')
    expect(updated?.attempts.map((attempt) => attempt.statusCode)).toEqual([200, 200])
    expect(updated?.messageId).toBe(delivery.messageId)

    await sleep(500)
    expect(hook.received.filter((request) => webhookId(request) === delivery.messageId)).toHaveLength(2)
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
        await sleep(20)
      }
    })()
    try {
      await journeyEnd(hook, trackingId)
      await eventually(
        () => client.tracking(key, trackingId),
        (view) => view.pollingStopped !== undefined,
      )
      await sleep(500)
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

    // The last notification carries exactly what the API shows once the journey is over…
    const last = payloads.at(-1) as Payload
    expect(last.type).toBe('tracking.status_changed')
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

describe('an endpoint failing everything for longer than WEBHOOK_DISABLE_AFTER', () => {
  let harness: Harness
  const receivers: Receiver[] = []
  const client = api(() => harness)

  beforeAll(async () => {
    harness = await createHarness('webhook-disable-after', {
      ...FAST_SANDBOX_POLLING,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_FACTOR: '0.0002',
      WEBHOOK_DISABLE_AFTER: '2s',
    })
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await Promise.all(receivers.map((started) => started.close()))
  })

  it('is disabled, and then receives nothing more', async () => {
    const failing = await startWebhookReceiver(() => 500)
    const control = await startWebhookReceiver()
    receivers.push(failing, control)
    const key = await client.merchant('shop-failing')
    const endpoint = await client.subscribe(key, failing.url)
    await client.subscribe(key, control.url)
    const first = await client.register(key, 'SBXDELIVERED020')

    const disabled = await eventually(
      () => client.endpoint(key, endpoint.id),
      (view) => view.disabledAt !== undefined,
      30_000,
    )
    expect(disabled.disabledReason).toMatch(/too long/)
    const firstRequest = failing.received[0] as ReceivedWebhook
    // Only a lower bound: it was not disabled before failing for WEBHOOK_DISABLE_AFTER (2 s).
    expect(Date.parse(disabled.disabledAt ?? '') - firstRequest.receivedAtMs).toBeGreaterThanOrEqual(1500)
    // It failed more than once before that (the retries ran), every time with a 500.
    expect(failing.received.length).toBeGreaterThan(1)
    expectAllVerify(failing.received, endpoint.secret)

    await sleep(1000)
    const reached = failing.received.length
    const second = await client.register(key, 'SBXDELIVERED021')
    await journeyEnd(control, second)
    await journeyEnd(control, first)
    await sleep(500)
    expect(failing.received).toHaveLength(reached)

    const log = await client.deliveries(key, endpoint.id)
    expect(log.some((delivery) => delivery.trackingId === second)).toBe(false)
    expect(log.some((delivery) => delivery.state === 'endpoint_disabled')).toBe(true)
    expect(log.some((delivery) => delivery.state === 'delivered')).toBe(false)
    for (const delivery of log)
      for (const attempt of delivery.attempts)
        if (attempt.statusCode !== undefined) expect(attempt.statusCode).toBe(500)
  })
})

describe('the SSRF guard at delivery time, without WEBHOOK_ALLOWED_CIDRS', () => {
  let harness: Harness
  let hook: Receiver
  const client = api(() => harness)

  beforeAll(async () => {
    hook = await startWebhookReceiver()
    harness = await createHarness('webhook-egress', {
      ...FAST_SANDBOX_POLLING,
      WEBHOOK_RETRY_FACTOR: '0.0002',
    })
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await hook?.close()
  })

  it('never connects to a loopback endpoint that got past the subscription check (IP literal or name)', async () => {
    const key = await client.merchant('shop-egress')
    // The API refuses these URLs…
    for (const url of [hook.url, hook.url.replace('127.0.0.1', 'localhost')]) {
      const refused = await client.json<{ code: string }>(
        key,
        '/v1/webhooks',
        { method: 'POST', body: JSON.stringify({ url }) },
        422,
      )
      expect(refused.code).toBe('invalid_webhook_url')
    }
    // …so they are written straight to the store, as if the guard had been looser when they were made
    // (or a name had resolved elsewhere then).
    const merchantId = 'shop-egress'
    const webhooks = createWebhookStore(harness.redis, harness.config.COLIS_REDIS_PREFIX)
    const endpoints = [hook.url, hook.url.replace('127.0.0.1', 'localhost')].map((url, index) => ({
      id: `whk_egress${index}`,
      merchantId,
      url,
      events: [...WEBHOOK_EVENT_TYPES],
      secrets: [{ secret: createWebhookSecret(), createdAt: new Date().toISOString() }],
      createdAt: new Date().toISOString(),
    }))
    for (const endpoint of endpoints) await webhooks.createEndpoint(endpoint)
    const listed = await client.json<{ data: EndpointView[] }>(key, '/v1/webhooks')
    expect(listed.data.map((view) => view.id).sort()).toEqual(endpoints.map((endpoint) => endpoint.id))

    await client.register(key, 'SBXDELIVERED030')
    for (const endpoint of endpoints) {
      const log = await eventually(
        () => client.deliveries(key, endpoint.id),
        (data) => data.some((delivery) => delivery.attempts.length >= 2),
      )
      for (const delivery of log) {
        expect(delivery.state).not.toBe('delivered')
        for (const attempt of delivery.attempts) {
          expect(attempt.statusCode).toBeUndefined()
          expect(attempt.error).toMatch(/^egress blocked: .*loopback/)
        }
      }
    }
    await sleep(300)
    expect(hook.received).toHaveLength(0)
  })
})
