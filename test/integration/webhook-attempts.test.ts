import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-events.js'
import { createId } from '../../src/store/record-ids.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createWebhookSecret } from '../../src/webhooks/sign.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import {
  api,
  byWebhookId,
  type Delivery,
  type EndpointView,
  expectAllVerify,
  failFirstAttempt,
  headersOf,
  payloadOf,
  type Receiver,
  signaturesOf,
  webhookId,
} from '../support/webhook-api.js'
import { openWebhookPipeline } from '../support/webhook-pipeline.js'
import { type ReceivedWebhook, startWebhookReceiver } from '../support/webhook-receiver.js'

/**
 * How each attempt goes (signatures, retries, Retry-After, redirects, 410, rotation, redelivery, the
 * SSRF guard), on the real API and delivery workers: notifications are written straight to the outbox,
 * as a saved poll writes them (whole journeys are played in webhook-delivery.test.ts). Absence is
 * checked once the pipeline is idle: outbox relayed, every delivery job settled. Timing is only ever
 * checked as a lower bound: the machine is shared.
 */

/** A harness with its workers, its webhook pipeline and its receivers, closed together. */
function setUp(name: string, env: Record<string, string>) {
  const state: { harness?: Harness; pipeline?: ReturnType<typeof openWebhookPipeline> } = {}
  const receivers: Receiver[] = []
  beforeAll(async () => {
    const harness = await createHarness(name, { WEBHOOK_RETRY_FACTOR: '0.0002', ...env })
    state.harness = harness
    await harness.startWorkers()
    state.pipeline = openWebhookPipeline(harness)
  })
  afterAll(async () => {
    await state.pipeline?.close()
    await state.harness?.close()
    await Promise.all(receivers.map((started) => started.close()))
  })
  const harness = () => {
    if (!state.harness) throw new Error('no harness yet')
    return state.harness
  }
  return {
    harness,
    client: api(harness),
    pipeline: () => {
      if (!state.pipeline) throw new Error('no pipeline yet')
      return state.pipeline
    },
    async receiver(...args: Parameters<typeof startWebhookReceiver>) {
      const started = await startWebhookReceiver(...args)
      receivers.push(started)
      return started
    },
  }
}

/** The deliveries of an endpoint once `count` of them are in a state `settled` accepts. */
function deliveriesOnceSettled(
  client: ReturnType<typeof api>,
  key: string,
  endpointId: string,
  count: number,
  settled = (delivery: Delivery) => delivery.state === 'delivered',
) {
  return eventually(
    () => client.deliveries(key, endpointId),
    (data) => data.length === count && data.every(settled),
  )
}

describe('webhook attempts through the API and the delivery workers', () => {
  // 5 s, 5 min, 30 min… become 1 ms, 60 ms, 360 ms…
  const { harness, client, pipeline, receiver } = setUp('webhook-attempts', {
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
  })

  it('signs every attempt (standardwebhooks verifies it) and keeps webhook-id across the retries of a delivery', async () => {
    // Every first attempt is held 1.1 s, then answered 500: the retry is signed in a later second.
    const hook = await receiver(failFirstAttempt({ status: 500, delayMs: 1100 }))
    const merchantId = 'shop-retry'
    const key = await client.merchant(merchantId)
    const endpoint = await client.subscribe(key, hook.url)
    const trackingId = 'trk_retry'
    const notifications = 2
    await pipeline().seed({ merchantId, trackingId }, notifications)

    const log = await deliveriesOnceSettled(client, key, endpoint.id, notifications)

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
    const merchantId = 'shop-gone'
    const key = await client.merchant(merchantId)
    const endpoint = await client.subscribe(key, gone.url)
    await client.subscribe(key, control.url)
    await pipeline().seed({ merchantId, trackingId: 'trk_gone_first' }, 2)

    const disabled = await eventually(
      () => client.endpoint(key, endpoint.id),
      (view) => view.disabledAt !== undefined,
    )
    expect(disabled.disabledReason).toMatch(/410/)
    expect(Date.parse(disabled.disabledAt ?? '')).not.toBeNaN()

    // Attempts already under way when it was disabled may still land: wait until they have.
    await pipeline().untilIdle()
    const listed = await client.json<{ data: EndpointView[] }>(key, '/v1/webhooks')
    expect(listed.data.find((view) => view.id === endpoint.id)).toEqual(
      await client.endpoint(key, endpoint.id),
    )
    const reached = gone.received.length
    expect(reached).toBeGreaterThan(0)
    // Notifications written only now reach the control endpoint, never the disabled one.
    const second = 'trk_gone_second'
    await pipeline().seed({ merchantId, trackingId: second }, 2)
    await eventually(
      async () => control.received.filter((request) => payloadOf(request).data.tracking.id === second),
      (requests) => requests.length === 2,
    )
    await pipeline().untilIdle()
    expect(control.received).toHaveLength(4)
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
    const merchantId = 'shop-retry-after'
    const key = await client.merchant(merchantId)
    const tooManyEndpoint = await client.subscribe(key, tooMany.url)
    const unavailableEndpoint = await client.subscribe(key, unavailable.url)
    const notifications = 2
    await pipeline().seed({ merchantId, trackingId: 'trk_retry_after' }, notifications)

    for (const [endpoint, hook, status] of [
      [tooManyEndpoint, tooMany, 429],
      [unavailableEndpoint, unavailable, 503],
    ] as const) {
      const log = await deliveriesOnceSettled(client, key, endpoint.id, notifications)
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

  it('signs with the old and the new secret after rotate-secret', async () => {
    const hook = await receiver()
    const merchantId = 'shop-rotate'
    const key = await client.merchant(merchantId)
    const endpoint = await client.subscribe(key, hook.url)
    await pipeline().seed({ merchantId, trackingId: 'trk_rotate_first' }, 2)
    await eventually(
      async () => hook.received.length,
      (count) => count === 2,
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

    // Notifications written after the rotation: all signed with both secrets.
    const second = 'trk_rotate_second'
    await pipeline().seed({ merchantId, trackingId: second }, 2)
    await eventually(
      async () => hook.received.length,
      (count) => count === 4,
    )

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
    const merchantId = 'shop-rotate-race'
    const key = await client.merchant(merchantId)
    const endpoint = await client.subscribe(key, hook.url)
    await pipeline().seed({ merchantId, trackingId: 'trk_rotate_race' })
    const [delivery] = await deliveriesOnceSettled(client, key, endpoint.id, 1)
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
    // The job writes the endpoint back after recording its attempt: read it once the job is over.
    await pipeline().untilIdle()

    const webhooks = createWebhookStore(harness().redis, harness().config.COLIS_REDIS_PREFIX)
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
    const merchantId = 'shop-gone-race'
    const key = await client.merchant(merchantId)
    const endpoint = await client.subscribe(key, hook.url)
    await pipeline().seed({ merchantId, trackingId: 'trk_gone_race' }, 2)
    const [slow, gone] = await deliveriesOnceSettled(client, key, endpoint.id, 2)
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
    // The slow job writes the endpoint back after recording its attempt: read it once the job is over.
    await pipeline().untilIdle()
    const view = await client.endpoint(key, endpoint.id)
    expect(view.disabledAt).toEqual(expect.any(String))
    expect(view.disabledReason).toMatch(/410/)
  })

  it('redelivers a delivery with the same webhook-id, as one more attempt', async () => {
    const hook = await receiver()
    const merchantId = 'shop-redeliver'
    const key = await client.merchant(merchantId)
    const endpoint = await client.subscribe(key, hook.url)
    await pipeline().seed({ merchantId, trackingId: 'trk_redeliver' }, 2)

    const [delivery] = await deliveriesOnceSettled(client, key, endpoint.id, 2)
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

    await pipeline().untilIdle()
    expect(hook.received.filter((request) => webhookId(request) === delivery.messageId)).toHaveLength(2)
  })
})

// Redirected deliveries keep being retried for the whole (scaled) schedule: a harness of their own, so
// that the other tests' idle signal does not wait for them.
describe('a receiver answering with a redirect', () => {
  const { client, pipeline, receiver } = setUp('webhook-redirect', { WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' })

  it('does not follow redirects: a 302 or 307 is a failed attempt, and the target gets nothing', async () => {
    const target = await receiver()
    const found = await receiver(() => ({ status: 302, headers: { location: target.url } }))
    const temporary = await receiver(() => ({ status: 307, headers: { location: target.url } }))
    const merchantId = 'shop-redirect'
    const key = await client.merchant(merchantId)
    const foundEndpoint = await client.subscribe(key, found.url)
    const temporaryEndpoint = await client.subscribe(key, temporary.url)
    await pipeline().seed({ merchantId, trackingId: 'trk_redirect' })

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
    // An attempt is recorded once its answer is in: had a redirect been followed, the target would
    // have been asked before these three attempts were written down.
    expect(found.received.length).toBeGreaterThanOrEqual(3)
    expect(temporary.received.length).toBeGreaterThanOrEqual(3)
    expect(target.received).toHaveLength(0)
  })
})

describe('an endpoint failing everything for longer than WEBHOOK_DISABLE_AFTER', () => {
  const { client, pipeline, receiver } = setUp('webhook-disable-after', {
    WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
    WEBHOOK_DISABLE_AFTER: '2s',
  })

  it('is disabled, and then receives nothing more', async () => {
    const failing = await receiver(() => 500)
    const control = await receiver()
    const merchantId = 'shop-failing'
    const key = await client.merchant(merchantId)
    const endpoint = await client.subscribe(key, failing.url)
    await client.subscribe(key, control.url)
    await pipeline().seed({ merchantId, trackingId: 'trk_failing_first' })

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

    // Retries already scheduled when it was disabled settle without a request.
    await pipeline().untilIdle()
    const reached = failing.received.length
    const second = 'trk_failing_second'
    await pipeline().seed({ merchantId, trackingId: second }, 2)
    await eventually(
      async () => control.received.filter((request) => payloadOf(request).data.tracking.id === second),
      (requests) => requests.length === 2,
    )
    await pipeline().untilIdle()
    expect(control.received).toHaveLength(3)
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
  const { harness, client, pipeline, receiver } = setUp('webhook-egress', {})

  it('never connects to a loopback endpoint that got past the subscription check (IP literal or name)', async () => {
    const hook = await receiver()
    const merchantId = 'shop-egress'
    const key = await client.merchant(merchantId)
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
    const webhooks = createWebhookStore(harness().redis, harness().config.COLIS_REDIS_PREFIX)
    const endpoints = [hook.url, hook.url.replace('127.0.0.1', 'localhost')].map((url) => ({
      id: createId('whk'),
      merchantId,
      url,
      events: [...WEBHOOK_EVENT_TYPES],
      secrets: [{ secret: createWebhookSecret(), createdAt: new Date().toISOString() }],
      createdAt: new Date().toISOString(),
    }))
    for (const endpoint of endpoints) await webhooks.createEndpoint(endpoint)
    const listed = await client.json<{ data: EndpointView[] }>(key, '/v1/webhooks')
    expect(listed.data.map((view) => view.id).sort()).toEqual(endpoints.map((endpoint) => endpoint.id).sort())

    await pipeline().seed({ merchantId, trackingId: 'trk_egress' })
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
    // The guard refuses before connecting, and each refusal is recorded: none of them reached the hook.
    expect(hook.received).toHaveLength(0)
  })
})
