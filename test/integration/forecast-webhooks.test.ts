import nock from 'nock'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addBusinessDays, addCalendarDays, parisDateOf } from '../../src/domain/business-calendar.js'
import { createForecastModelHolder, type ForecastModelHolder } from '../../src/main/forecast-models.js'
import { untilAlertSweepSince } from '../support/alert-sweeps.js'
import { markFinished } from '../support/finished-tracking.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { openWebhookPipeline } from '../support/webhook-pipeline.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const BASE = 'https://api.laposte.test'
const NUMBER = '6Q01929938641'
/** Transit times of the lane's past parcels, in business days: 10, 20 and 10 of them. */
const HISTORY_DAYS = [...Array(10).fill(2), ...Array(20).fill(3), ...Array(10).fill(4)] as number[]

interface Forecast {
  from: string
  to: string
  mostLikely: string
  basis: { level: string; samples: number }
}
type Payload = {
  type: string
  data: {
    sequence: number
    tracking: { id: string; status: string; deliveryForecast?: Forecast }
    alert?: { type: string; details: Record<string, unknown> }
    previousForecast?: { from: string; to: string }
  }
}

/** Finished parcels of the lane, handed over two weeks ago (Paris), as the workers' polls would save them. */
async function seedHistory(harness: Harness): Promise<void> {
  const handedOver = addCalendarDays(parisDateOf(Date.now()), -14)
  for (const [index, days] of HISTORY_DAYS.entries()) {
    const { record } = await harness.store.register(
      {
        merchantId: 'shop-history',
        carrier: 'laposte',
        trackingNumber: `HISTORY${String(index).padStart(4, '0')}`,
        destinationCountry: 'FR',
        destinationPostalCode: '75011',
      },
      new Date(`${handedOver}T06:00:00Z`),
    )
    const deliveredOn = addBusinessDays(handedOver, days, 'ouvrables', '75011')
    await markFinished(harness.store, record.id, 'delivered', [
      { occurredAt: `${handedOver}T09:00:00+01:00`, status: 'in_transit' },
      { occurredAt: `${deliveredOn}T14:00:00+01:00`, status: 'delivered' },
    ])
  }
}

describe('delivery forecasts in webhooks: on the tracking, forecast_changed, predictive at_risk', () => {
  let harness: Harness
  let holder: ForecastModelHolder
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let pipeline: ReturnType<typeof openWebhookPipeline>
  let outForDelivery = false
  const handedOverAt = new Date(Date.now() - 3_600_000).toISOString()
  const outAt = new Date(Date.now() - 1_800_000).toISOString()

  beforeAll(async () => {
    nock.disableNetConnect()
    nock.enableNetConnect('127.0.0.1')
    receiver = await startWebhookReceiver()
    let forecasts: ForecastModelHolder | undefined
    const source = { model: () => forecasts?.model() }
    harness = await createHarness(
      'forecast-webhooks',
      {
        LAPOSTE_BASE_URL: `${BASE}/suivi/v2`,
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
        ALERT_SWEEP_INTERVAL: '200ms',
        POLL_PENDING: '200ms-300ms',
        POLL_IN_TRANSIT: '200ms-300ms',
        POLL_NEAR_DELIVERY: '200ms-300ms',
      },
      {},
      { forecasts: source, app: { forecasts: source } },
    )
    holder = createForecastModelHolder({ analytics: harness.analytics, historyWeeks: 26 })
    forecasts = holder
    await seedHistory(harness)
    await holder.refresh()
    nock(BASE)
      .persist()
      .get(/\/suivi\/v2\/idships\/.+/)
      .query(true)
      .reply(() => {
        const event = [{ code: 'PC1', label: 'Votre colis a été déposé.', date: handedOverAt }]
        if (outForDelivery) {
          event.unshift({ code: 'MD2', label: 'Votre colis est en cours de livraison.', date: outAt })
        }
        return [200, { returnCode: 200, shipment: { idShip: NUMBER, holder: 4, event } }]
      })
    await harness.startWorkers()
    pipeline = openWebhookPipeline(harness)
  })

  afterAll(async () => {
    await pipeline?.close()
    await harness?.close()
    await receiver?.close()
    nock.cleanAll()
    nock.enableNetConnect()
  })

  it('sends the window with the tracking, revises it once it moves, and predicts the delay', async () => {
    expect(holder.model()).toBeDefined()
    const key = (await harness.apiKeys.create('shop-forecast')).key
    const subscribed = await harness.request(key, '/v1/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url }),
    })
    const endpoint = (await subscribed.json()) as { secret: string; events: string[] }
    expect(endpoint.events).toContain('tracking.forecast_changed')
    const today = parisDateOf(Date.now())
    // Promised for today, handed over an hour ago: no past parcel of the lane came the same day.
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({
        trackingNumber: NUMBER,
        carrier: 'laposte',
        destinationPostalCode: '75011',
        promisedDeliveryDate: today,
      }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    const payloads = () => receiver.received.map((request) => JSON.parse(request.body) as Payload)

    const atRisk = await eventually(
      async () => payloads(),
      (all) => all.some((payload) => payload.type === 'alert.opened'),
    )
    const firstWindow = {
      from: addBusinessDays(today, 2, 'ouvrables', '75011'),
      to: addBusinessDays(today, 4, 'ouvrables', '75011'),
    }
    const updated = atRisk.find((payload) => payload.type === 'tracking.updated')
    // The past parcels were saved without a service and La Poste names this one's: the carrier speaks.
    expect(updated?.data.tracking.deliveryForecast).toMatchObject({
      ...firstWindow,
      basis: { level: 'carrier', samples: HISTORY_DAYS.length },
    })
    const opened = atRisk.find((payload) => payload.type === 'alert.opened')
    expect(opened?.data.alert).toMatchObject({
      type: 'at_risk',
      details: { source: 'forecast', promisedDeliveryDate: today, probabilityLate: 1 },
    })

    outForDelivery = true
    const revised = await eventually(
      async () => payloads(),
      (all) => all.some((payload) => payload.type === 'tracking.forecast_changed'),
    )
    const changed = revised.find((payload) => payload.type === 'tracking.forecast_changed')
    expect(changed?.data.previousForecast).toEqual(firstWindow)
    expect(changed?.data.tracking).toMatchObject({
      id,
      status: 'out_for_delivery',
      deliveryForecast: { from: today, to: today, mostLikely: today, basis: { level: 'stage', samples: 0 } },
    })
    // Out for delivery today, promised today: the predicted delay is over.
    await eventually(
      async () => payloads(),
      (all) => all.some((payload) => payload.type === 'alert.resolved'),
    )
    await untilAlertSweepSince(harness, Date.now())
    await pipeline.untilIdle()

    const webhook = new Webhook(endpoint.secret)
    for (const request of receiver.received) {
      expect(() => webhook.verify(request.body, request.headers as Record<string, string>)).not.toThrow()
    }
    const count = (type: string) => payloads().filter((payload) => payload.type === type).length
    expect(count('tracking.forecast_changed')).toBe(1)
    expect(count('alert.opened')).toBe(1)
    expect(count('alert.resolved')).toBe(1)
    const view = (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as {
      deliveryForecast?: Forecast
    }
    expect(view.deliveryForecast).toEqual(changed?.data.tracking.deliveryForecast)
  })
})
