import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withEventId } from '../../src/domain/tracking-event.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import { createForecastModelHolder, type ForecastModelHolder } from '../../src/main/forecast-models.js'
import { createMemoryStores, type MemoryStores } from '../../src/main/stores.js'
import { markFinished } from '../support/finished-tracking.js'
import { validateJsonSchema } from '../support/json-schema.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { fetchSpec, type Spec } from './openapi-spec.js'

// Wednesday: no public holiday from the handovers below to it.
const NOW = new Date('2026-12-02T10:00:00+01:00')

/** Handed over Monday 16 November, delivered 1, 2 or 3 business days later: 10, 12 and 8 parcels. */
const TRANSIT_DAYS = [...Array(10).fill(1), ...Array(12).fill(2), ...Array(8).fill(3)] as number[]
const DELIVERED_ON = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19']

interface View {
  id: string
  status: string
  deliveryForecast?: {
    from: string
    to: string
    mostLikely: string
    probability: number
    basis: { level: string; samples: number }
  }
  [field: string]: unknown
}

interface Setup {
  stores: MemoryStores
  holder: ForecastModelHolder
  harness: MemoryHarness
  key: string
}

async function setUp(name: string): Promise<Setup> {
  const stores = createMemoryStores()
  const holder = createForecastModelHolder({ analytics: stores.analytics, historyWeeks: 26, now: () => NOW })
  const harness = await createMemoryHarness(
    name,
    {},
    {},
    { stores, app: { now: () => NOW, forecasts: holder } },
  )
  const key = (await harness.apiKeys.create(`shop-${name}`)).key
  return { stores, holder, harness, key }
}

async function register(setup: Setup, trackingNumber: string): Promise<{ status: number; view: View }> {
  const response = await setup.harness.request(setup.key, '/v1/trackings', {
    method: 'POST',
    body: JSON.stringify({ trackingNumber, carrier: 'sandbox', destinationPostalCode: '75011' }),
  })
  const view = (await response.json()) as View
  expect(response.status, JSON.stringify(view)).toBeLessThan(300)
  return { status: response.status, view }
}

/** The carrier's timeline of a registered parcel, as a poll would save it. */
async function scanned(
  setup: Setup,
  id: string,
  scans: Array<{ occurredAt: string; status: EventStatus }>,
  carrierSays: { estimatedDelivery?: string } = {},
) {
  const [before] = await setup.stores.trackings.loadForPoll([id])
  if (!before) throw new Error('not stored')
  const events = scans.map((scan) =>
    withEventId('sandbox', before.record.trackingNumber, { ...scan, code: 'ET', description: scan.status }),
  )
  const status = scans.at(-1)?.status ?? 'in_transit'
  const record = {
    ...before.record,
    ...carrierSays,
    status: status === 'unknown' ? before.record.status : status,
  }
  const saved = await setup.stores.trackings.save([{ before, record, events, nextPoll: undefined }])
  expect(saved).toEqual(['saved'])
}

async function registerInTransit(
  setup: Setup,
  trackingNumber: string,
  handedOverAt: string,
  carrierSays: { estimatedDelivery?: string } = {},
) {
  const { view } = await register(setup, trackingNumber)
  await scanned(setup, view.id, [{ occurredAt: handedOverAt, status: 'in_transit' }], carrierSays)
  return view.id
}

async function read(setup: Setup, id: string): Promise<View> {
  const response = await setup.harness.request(setup.key, `/v1/trackings/${id}`)
  expect(response.status).toBe(200)
  return (await response.json()) as View
}

describe('deliveryForecast on trackings', () => {
  let setup: Setup
  let spec: Spec

  beforeAll(async () => {
    setup = await setUp('forecast')
    spec = await fetchSpec(setup.harness.app)
    for (const [index, days] of TRANSIT_DAYS.entries()) {
      const { view } = await register(setup, `SBXDELIVERED${String(index).padStart(3, '0')}`)
      await markFinished(setup.stores.trackings, view.id, 'delivered', [
        { occurredAt: '2026-11-16T08:00:00+01:00', status: 'in_transit' },
        { occurredAt: `${DELIVERED_ON[days]}T14:00:00+01:00`, status: 'delivered' },
      ])
    }
    await setup.holder.refresh()
  })
  afterAll(() => setup.harness.close())

  it('forecasts a parcel handed over yesterday from the finished parcels of its lane', async () => {
    const id = await registerInTransit(setup, 'SBXSTALLED101', '2026-12-01T09:00:00+01:00', {
      estimatedDelivery: '2026-12-07',
    })
    const view = await read(setup, id)
    expect(view.estimatedDelivery).toBe('2026-12-07')
    // One business day gone: every past parcel is still possible (10, 12 and 8 at days 1, 2, 3); the
    // shortest run holding 80 % is days 1 to 3, and day 2 is the likeliest.
    expect(view.deliveryForecast).toEqual({
      from: '2026-12-02',
      to: '2026-12-04',
      mostLikely: '2026-12-03',
      probability: 0.8,
      basis: { level: 'carrier_service_region', samples: 30 },
    })
    expect(
      validateJsonSchema({ $ref: '#/components/schemas/Tracking' }, view, { root: spec, closed: true }),
    ).toEqual([])
  })

  it("shows the same window on the shopper's page, beside the carrier's estimate", async () => {
    const id = await registerInTransit(setup, 'SBXSTALLED108', '2026-12-01T09:00:00+01:00', {
      estimatedDelivery: '2026-12-07',
    })
    const { trackingPageUrl } = (await read(setup, id)) as View & { trackingPageUrl: string }
    const path = new URL(trackingPageUrl).pathname
    const french = await (await setup.harness.app.request(`${path}?lang=fr`)).text()
    expect(french).toContain('Livraison estimée :')
    expect(french).toMatch(
      /D’après les colis de ce transporteur : entre mercredi 2 décembre et vendredi 4 décembre \(8 chances sur 10\)/,
    )
    const english = await (await setup.harness.app.request(`${path}?lang=en`)).text()
    expect(english).toMatch(
      /From this carrier’s parcels: between Wednesday 2 December and Friday 4 December \(8 chances in 10\)/,
    )
  })

  it('conditions on the days gone: a parcel handed over earlier rests on the slower parcels, or has none', async () => {
    const twoDays = await read(
      setup,
      await registerInTransit(setup, 'SBXSTALLED102', '2026-11-30T09:00:00+01:00'),
    )
    expect(twoDays.deliveryForecast).toEqual({
      from: '2026-12-02',
      to: '2026-12-03',
      mostLikely: '2026-12-02',
      probability: 0.8,
      basis: { level: 'carrier_service_region', samples: 20 },
    })
    const longAgo = await read(
      setup,
      await registerInTransit(setup, 'SBXSTALLED103', '2026-11-26T09:00:00+01:00'),
    )
    expect(longAgo.status).toBe('in_transit')
    expect(longAgo).not.toHaveProperty('deliveryForecast')
  })

  it('gives the forecast in the list and in the answer to a repeated registration', async () => {
    const id = await registerInTransit(setup, 'SBXSTALLED104', '2026-12-01T09:00:00+01:00')
    const again = await register(setup, 'SBXSTALLED104')
    expect(again.status).toBe(200)
    expect(again.view.deliveryForecast?.basis).toEqual({ level: 'carrier_service_region', samples: 30 })
    // The listed parcels' timelines are read in one store call, whatever the page's length.
    const store = setup.stores.trackings
    const reads: number[] = []
    const { loadForPoll, get } = store
    store.loadForPoll = (ids) => {
      reads.push(ids.length)
      return loadForPoll(ids)
    }
    store.get = () => Promise.reject(new Error('a list page reads no tracking one by one'))
    const page = (await (
      await setup.harness.request(setup.key, '/v1/trackings?status=in_transit')
    ).json()) as {
      data: View[]
    }
    Object.assign(store, { loadForPoll, get })
    expect(reads).toEqual([page.data.length])
    expect(page.data.length).toBeGreaterThan(1)
    const listed = page.data.find((view) => view.id === id)
    expect(listed?.deliveryForecast).toEqual(again.view.deliveryForecast)
    const finished = page.data.filter((view) => view.status !== 'in_transit')
    expect(finished).toEqual([])
  })

  it('gives none before the handover, nor once delivered', async () => {
    const { view: pending } = await register(setup, 'SBXSTALLED105')
    expect(pending).not.toHaveProperty('deliveryForecast')
    const labelOnly = await registerInTransit(setup, 'SBXSTALLED106', '2026-12-01T09:00:00+01:00')
    await scanned(setup, labelOnly, [{ occurredAt: '2026-12-01T09:00:00+01:00', status: 'info_received' }])
    expect(await read(setup, labelOnly)).not.toHaveProperty('deliveryForecast')
    const { view: done } = await register(setup, 'SBXDELIVERED000')
    expect(done.status).toBe('delivered')
    expect(done).not.toHaveProperty('deliveryForecast')
    expect(await read(setup, done.id)).not.toHaveProperty('deliveryForecast')
  })

  it('says today once the parcel is out for delivery', async () => {
    const id = await registerInTransit(setup, 'SBXSTALLED107', '2026-11-26T09:00:00+01:00')
    await scanned(setup, id, [
      { occurredAt: '2026-11-26T09:00:00+01:00', status: 'in_transit' },
      { occurredAt: '2026-12-02T07:00:00+01:00', status: 'out_for_delivery' },
    ])
    expect((await read(setup, id)).deliveryForecast).toEqual({
      from: '2026-12-02',
      to: '2026-12-02',
      mostLikely: '2026-12-02',
      probability: 0.8,
      basis: { level: 'stage', samples: 0 },
    })
  })
})

describe('deliveryForecast without history', () => {
  it('is absent, never invented, before any parcel finished', async () => {
    const setup = await setUp('forecast-empty')
    try {
      await setup.holder.refresh()
      const id = await registerInTransit(setup, 'SBXSTALLED201', '2026-12-01T09:00:00+01:00')
      expect(await read(setup, id)).not.toHaveProperty('deliveryForecast')
      // No history is no model at all: answers cost what they did before forecasts existed.
      expect(setup.holder.model()).toBeUndefined()
    } finally {
      await setup.harness.close()
    }
  })
})
