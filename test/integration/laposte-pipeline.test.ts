import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, eventually, type Harness } from '../support/harness.js'

const BASE = 'https://api.laposte.test'
const NUMBER = '8K00009775862'

type Scan = { code: string; label: string; date: string }
const HISTORY: Scan[] = [
  { code: 'PC1', label: 'Votre colis a été déposé dans un point postal.', date: '2026-03-27T14:43:00+01:00' },
  {
    code: 'ET1',
    label: 'Votre colis est en transit sur nos plateformes logistiques.',
    date: '2026-03-28T07:34:12+01:00',
  },
  { code: 'MD2', label: 'Votre colis est dans le site de livraison.', date: '2026-03-30T08:01:00+02:00' },
  { code: 'DI1', label: 'Votre colis est livré.', date: '2026-03-30T11:38:00+02:00' },
]

/** A La Poste answer for the first `visible` scans, newest first as La Poste sends them. */
function shipmentBody(number: string, visible: number) {
  const events = HISTORY.slice(0, visible).reverse()
  const delivered = visible === HISTORY.length
  return {
    lang: 'fr_FR',
    scope: 'open',
    returnCode: 200,
    shipment: {
      idShip: number,
      holder: 4,
      product: 'colissimo',
      isFinal: delivered,
      ...(delivered ? { deliveryDate: HISTORY[3]?.date } : {}),
      event: events,
      timeline: [],
    },
  }
}

const NOT_YET = { returnCode: 104, returnMessage: "Votre suivi n'est pas encore disponible.", idShip: NUMBER }

describe('La Poste parcel from registration to delivered through BullMQ', () => {
  let harness: Harness
  let key: string
  let visible = 0
  const requests: string[] = []

  beforeAll(async () => {
    nock.disableNetConnect()
    harness = await createHarness('laposte-pipeline', {
      LAPOSTE_BASE_URL: `${BASE}/suivi/v2`,
      POLL_PENDING: '200ms-300ms',
      POLL_INFO_RECEIVED: '200ms-300ms',
      POLL_IN_TRANSIT: '200ms-300ms',
      POLL_NEAR_DELIVERY: '200ms-300ms',
    })
    key = (await harness.apiKeys.create('shop-a')).key
    nock(BASE)
      .persist()
      .matchHeader('x-okapi-key', 'test-okapi-key')
      .get(/\/suivi\/v2\/idships\/.+/)
      .query({ lang: 'fr_FR' })
      .reply((uri) => {
        const ids = decodeURIComponent(uri.split('/idships/')[1]?.split('?')[0] ?? '').split(',')
        requests.push(ids.join(','))
        if (ids.length === 1 && ids[0] === NUMBER) {
          return visible === 0 ? [404, NOT_YET] : [200, shipmentBody(NUMBER, visible)]
        }
        return [207, ids.map((id) => shipmentBody(id, 1))]
      })
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness.close()
    nock.cleanAll()
    nock.enableNetConnect()
  })

  const getTracking = async (id: string) => {
    const response = await harness.request(key, `/v1/trackings/${id}`)
    expect(response.status).toBe(200)
    return (await response.json()) as {
      status: string
      events: Array<{ id: string; code: string; occurredAt: string }>
      lastCheckedAt?: string
      nextCheckAt?: string
      deliveredAt?: string
      pollingStopped?: string
      service?: string
    }
  }

  it('registers, polls while not found, follows the scans, stops once delivered, and never duplicates', async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: '8k 0000 9775 862', carrier: 'laposte', orderId: 'A-1' }),
    })
    expect(created.status).toBe(201)
    const { id, trackingNumber } = (await created.json()) as { id: string; trackingNumber: string }
    expect(trackingNumber).toBe(NUMBER)

    const again = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: NUMBER, carrier: 'laposte' }),
    })
    expect(again.status).toBe(200)
    expect(((await again.json()) as { id: string }).id).toBe(id)

    const notFound = await eventually(
      () => getTracking(id),
      (tracking) => tracking.lastCheckedAt !== undefined,
    )
    expect(notFound.status).toBe('pending')
    expect(notFound.events).toEqual([])

    visible = 2
    const inTransit = await eventually(
      () => getTracking(id),
      (tracking) => tracking.events.length === 2,
    )
    expect(inTransit.status).toBe('in_transit')
    expect(inTransit.service).toBe('colissimo')
    expect(inTransit.events.map((event) => event.code)).toEqual(['PC1', 'ET1'])

    const pollsBefore = requests.length
    await eventually(
      async () => requests.length,
      (count) => count >= pollsBefore + 3,
    )
    expect((await getTracking(id)).events).toHaveLength(2)

    visible = 4
    const delivered = await eventually(
      () => getTracking(id),
      (tracking) => tracking.status === 'delivered',
    )
    expect(delivered.events.map((event) => event.code)).toEqual(['PC1', 'ET1', 'MD2', 'DI1'])
    expect(new Set(delivered.events.map((event) => event.id)).size).toBe(4)
    expect(delivered.events.map((event) => event.occurredAt)).toEqual(HISTORY.map((scan) => scan.date))
    expect(delivered.deliveredAt).toBe('2026-03-30T11:38:00+02:00')
    expect(delivered.pollingStopped).toBe('terminal')
    expect(delivered.nextCheckAt).toBeUndefined()

    const afterDelivery = requests.length
    for (let round = 0; round < 3; round++) {
      const refresh = await harness.request(key, `/v1/trackings/${id}/refresh`, { method: 'POST' })
      expect(refresh.status).toBe(202)
      await eventually(
        async () => requests.length,
        (count) => count > afterDelivery + round,
      )
    }
    const final = await eventually(
      () => getTracking(id),
      (tracking) => tracking.pollingStopped === 'terminal',
    )
    expect(final.events).toEqual(delivered.events)
    expect(final.status).toBe('delivered')
  })

  it('polls several due La Poste parcels in one multi-id request', async () => {
    const numbers = ['6A15602676300', '6A15602683841', '6Q01929938641']
    const before = requests.length
    // Registered together and all due at the same moment, as when several parcels of a merchant fall due.
    const dueAt = new Date(Date.now() + 300)
    const ids: string[] = []
    for (const trackingNumber of numbers) {
      const { record } = await harness.store.register(
        { merchantId: 'shop-a', carrier: 'laposte', trackingNumber },
        dueAt,
      )
      ids.push(record.id)
    }
    for (const id of ids) {
      await eventually(
        () => getTracking(id),
        (tracking) => tracking.events.length === 1,
      )
    }
    const asked = requests.slice(before)
    expect(asked).toHaveLength(1)
    expect(asked[0]?.split(',').sort()).toEqual([...numbers].sort())
  })
})
