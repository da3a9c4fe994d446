import nock from 'nock'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCalendarDays, parisDateOf } from '../../src/domain/business-calendar.js'
import { untilAlertSweepSince } from '../support/alert-sweeps.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { openWebhookPipeline } from '../support/webhook-pipeline.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const BASE = 'https://api.laposte.test'
const NUMBER = '6Q01929938641'
const SCANS = [
  { code: 'DI1', label: 'Votre colis est livré.', date: '2026-11-20T11:38:00+01:00' },
  { code: 'MD2', label: 'Votre colis est en cours de livraison.', date: '2026-11-20T08:01:00+01:00' },
  { code: 'PC1', label: 'Votre colis a été déposé.', date: '2026-11-18T14:43:00+01:00' },
]

type TrackingState = { pollingStopped?: string }

type Payload = {
  type: string
  timestamp: string
  data: { sequence: number; tracking: { id: string; status: string }; alert?: { type: string; id: string } }
}

interface LateParcelOptions {
  /** Settings of the harness: the test Redis unless they name another (the test cluster). */
  env?: () => Record<string, string>
  /** Checks the harness once the parcel's story is told (what its keys look like in Redis…). */
  thenCheck?: (harness: Harness) => Promise<void>
}

/**
 * Register → poll (La Poste answered by nock) → timeline → `late` alert → signed webhooks, each sent
 * once, on the colis `options.env` configures.
 */
export function describeLateParcelWebhooks(title: string, options: LateParcelOptions = {}) {
  describe(title, () => lateParcelWebhooks(options))
}

function lateParcelWebhooks({ env = () => ({}), thenCheck }: LateParcelOptions) {
  let harness: Harness
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let delivered = false
  let pipeline: ReturnType<typeof openWebhookPipeline>

  beforeAll(async () => {
    nock.disableNetConnect()
    nock.enableNetConnect('127.0.0.1')
    receiver = await startWebhookReceiver()
    harness = await createHarness('alerts-webhooks', {
      LAPOSTE_BASE_URL: `${BASE}/suivi/v2`,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_FACTOR: '0.001',
      ALERT_SWEEP_INTERVAL: '200ms',
      POLL_PENDING: '300ms-400ms',
      POLL_NEAR_DELIVERY: '300ms-400ms',
      ...env(),
    })
    nock(BASE)
      .persist()
      .get(/\/suivi\/v2\/idships\/.+/)
      .query(true)
      .reply(() =>
        delivered
          ? [200, { returnCode: 200, shipment: { idShip: NUMBER, holder: 4, isFinal: true, event: SCANS } }]
          : [404, { returnCode: 104, returnMessage: 'pas encore', idShip: NUMBER }],
      )
    await harness.startWorkers()
    pipeline = openWebhookPipeline(harness)
  })

  afterAll(async () => {
    await pipeline?.close()
    await harness.close()
    await receiver.close()
    nock.cleanAll()
    nock.enableNetConnect()
  })

  it('signs every delivery, and sends each notification once', async () => {
    const key = (await harness.apiKeys.create('shop-late')).key
    const subscribed = await harness.request(key, '/v1/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url, description: 'back office' }),
    })
    expect(subscribed.status).toBe(201)
    const endpoint = (await subscribed.json()) as { id: string; secret: string; events: string[] }
    expect(endpoint.secret).toMatch(/^whsec_/)
    expect(endpoint.events).toHaveLength(5)

    const yesterday = addCalendarDays(parisDateOf(Date.now()), -1)
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: NUMBER, carrier: 'laposte', promisedDeliveryDate: yesterday }),
    })
    const { id } = (await created.json()) as { id: string }

    const payloads = () => receiver.received.map((request) => JSON.parse(request.body) as Payload)
    await eventually(
      async () => payloads(),
      (all) => all.some((payload) => payload.type === 'alert.opened'),
    )
    const late = (await (await harness.request(key, '/v1/alerts?state=open&type=late')).json()) as {
      data: Array<{ id: string; trackingId: string }>
    }
    expect(late.data.map((alert) => alert.trackingId)).toEqual([id])
    const lateTrackings = (await (await harness.request(key, '/v1/trackings?alert=late')).json()) as {
      data: Array<{ id: string }>
    }
    expect(lateTrackings.data.map((tracking) => tracking.id)).toEqual([id])

    delivered = true
    await eventually(
      async () => payloads(),
      (all) => all.some((payload) => payload.type === 'alert.resolved'),
    )
    // Polls stopped, one more sweep, the relay and the deliveries done: nothing may have been sent twice.
    await eventually(
      async () => (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as TrackingState,
      (tracking) => tracking.pollingStopped !== undefined,
    )
    await untilAlertSweepSince(harness, Date.now())
    await pipeline.untilIdle()

    const webhook = new Webhook(endpoint.secret)
    for (const request of receiver.received) {
      expect(() => webhook.verify(request.body, request.headers as Record<string, string>)).not.toThrow()
    }
    const all = payloads()
    const count = (type: string, check: (payload: Payload) => boolean = () => true) =>
      all.filter((payload) => payload.type === type && check(payload)).length
    expect(count('alert.opened', (payload) => payload.data.alert?.type === 'late')).toBe(1)
    expect(count('alert.resolved', (payload) => payload.data.alert?.type === 'late')).toBe(1)
    expect(count('tracking.status_changed', (payload) => payload.data.tracking.status === 'delivered')).toBe(
      1,
    )
    expect(count('tracking.updated')).toBe(1)
    const ids = receiver.received.map((request) => request.headers['webhook-id'])
    expect(new Set(ids).size).toBe(ids.length)
    const sequences = all.map((payload) => payload.data.sequence).sort((a, b) => a - b)
    expect(new Set(sequences).size).toBe(sequences.length)

    const tracking = (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as {
      status: string
      events: Array<{ code: string }>
      alerts: Array<{ type: string; resolvedAt?: string }>
    }
    expect(tracking.status).toBe('delivered')
    expect(tracking.events.map((event) => event.code)).toEqual(['PC1', 'MD2', 'DI1'])
    expect(tracking.alerts).toEqual([
      expect.objectContaining({ type: 'late', resolvedAt: expect.any(String) }),
    ])

    const deliveries = (await (
      await harness.request(key, `/v1/webhooks/${endpoint.id}/deliveries`)
    ).json()) as {
      data: Array<{ state: string; attempts: Array<{ statusCode: number }> }>
    }
    expect(deliveries.data).toHaveLength(receiver.received.length)
    for (const delivery of deliveries.data) {
      expect(delivery.state).toBe('delivered')
      expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([200])
    }
    await thenCheck?.(harness)
  })
}
