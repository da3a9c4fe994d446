import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { createMemoryHarness } from '../support/memory-harness.js'
import { type MondialRelayScan, mondialRelayAnswer } from '../support/mondialrelay-answer.js'

const ENSEIGNE = 'BDTEST13'
const PRIVATE_KEY = 'pipeline-private-key-7d1e'
const NUMBER = '31234567'
const RELAY = { relayName: 'TABAC DE LA GARE', relayNumber: '020371' }
const AT_RELAY = { relayNumber: '020371', relayCountry: 'FR' }

/** The parcel's life at Mondial Relay, one stage more per step: registered, in transit, at the relay, collected. */
const SCANS: MondialRelayScan[] = [
  { label: 'RÉCEPTION DES DONNÉES', date: '03/11/25', time: '18:42' },
  { label: 'PRISE EN CHARGE EN AGENCE', date: '05/11/25', time: '06:12', place: 'HUB LILLE' },
  { label: 'DISPONIBLE AU POINT RELAIS', date: '06/11/25', time: '14:31', ...AT_RELAY },
  { label: 'COLIS LIVRÉ', date: '08/11/25', time: '17:54', ...AT_RELAY },
]
const STAT_BY_STEP = [99, 80, 81, 81, 82]

const field = (body: string, name: string) => body.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1] ?? ''

/**
 * A loopback WSI2_TracingColisDetaille service: it checks each call's signature as Mondial Relay does
 * (STAT 97 when wrong) and answers `NUMBER` at its current step; any other number is unknown (STAT 99).
 */
function startFakeMondialRelay(step: () => number, calls: Array<{ expedition: string; body: string }>) {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const [enseigne, expedition, langue, security] = ['Enseigne', 'Expedition', 'Langue', 'Security'].map(
        (name) => field(body, name),
      )
      calls.push({ expedition: expedition ?? '', body })
      const expected = createHash('md5')
        .update(`${enseigne}${expedition}${langue}${PRIVATE_KEY}`)
        .digest('hex')
        .toUpperCase()
      const soapAction = request.headers.soapaction
      const signed =
        security === expected &&
        soapAction === '"http://www.mondialrelay.fr/webservice/WSI2_TracingColisDetaille"'
      const current = expedition === NUMBER ? step() : 0
      const answer = !signed
        ? mondialRelayAnswer(97, null)
        : current === 0
          ? mondialRelayAnswer(99, null)
          : mondialRelayAnswer(
              STAT_BY_STEP[current] ?? 82,
              SCANS.slice(0, current),
              current >= 3 ? RELAY : {},
            )
      response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(answer)
    })
  })
  return new Promise<Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

type TrackingBody = {
  id: string
  carrier: string
  trackingNumber: string
  status: string
  events: Array<{
    id: string
    code: string
    status: string
    occurredAt: string
    location?: Record<string, string>
  }>
  lastCheckedAt?: string
  deliveredAt?: string
  pollingStopped?: string
  nextCheckAt?: string
  lastError?: unknown
}

describe('Mondial Relay parcel from registration to collected at its relay, through BullMQ', () => {
  let harness: Harness
  let server: Server
  let key: string
  let step = 0
  const calls: Array<{ expedition: string; body: string }> = []

  beforeAll(async () => {
    server = await startFakeMondialRelay(() => step, calls)
    const { port } = server.address() as AddressInfo
    harness = await createHarness('mondialrelay-pipeline', {
      ...FAST_SANDBOX_POLLING,
      MONDIALRELAY_ENSEIGNE: ENSEIGNE,
      MONDIALRELAY_PRIVATE_KEY: PRIVATE_KEY,
      MONDIALRELAY_BASE_URL: `http://127.0.0.1:${port}/Web_Services.asmx`,
      MONDIALRELAY_RATE_LIMIT: '50/1s',
    })
    key = (await harness.apiKeys.create('shop-mr')).key
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  const read = async (id: string) => {
    const response = await harness.request(key, `/v1/trackings/${id}`)
    expect(response.status).toBe(200)
    return (await response.json()) as TrackingBody
  }
  const callsFor = (number: string) => calls.filter((call) => call.expedition === number).length

  it('polls while the number is unknown, follows the scans to the relay, stops once collected', async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: '3123 4567', carrier: 'mondialrelay', orderId: 'MR-1' }),
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const { id, carrier, trackingNumber } = (await created.json()) as TrackingBody
    expect({ carrier, trackingNumber }).toEqual({ carrier: 'mondialrelay', trackingNumber: NUMBER })

    const unknown = await eventually(
      () => read(id),
      (tracking) => tracking.lastCheckedAt !== undefined,
    )
    expect(unknown).toMatchObject({ status: 'pending', events: [] })
    expect(unknown.lastError).toBeUndefined()

    step = 1
    await eventually(
      () => read(id),
      (tracking) => tracking.status === 'info_received',
    )
    step = 2
    const inTransit = await eventually(
      () => read(id),
      (tracking) => tracking.status === 'in_transit',
    )
    expect(inTransit.events.at(-1)).toMatchObject({ location: { name: 'HUB LILLE' } })

    step = 3
    const atRelay = await eventually(
      () => read(id),
      (tracking) => tracking.status === 'available_for_pickup',
    )
    expect(atRelay.events.at(-1)).toMatchObject({
      code: 'DISPONIBLE_AU_POINT_RELAIS',
      occurredAt: '2025-11-06T14:31:00+01:00',
      location: { name: 'TABAC DE LA GARE', countryCode: 'FR' },
    })
    expect(atRelay.pollingStopped).toBeUndefined()

    step = 4
    const collected = await eventually(
      () => read(id),
      (tracking) => tracking.status === 'delivered',
    )
    expect(collected.events.map((event) => event.code)).toEqual([
      'RECEPTION_DES_DONNEES',
      'PRISE_EN_CHARGE_EN_AGENCE',
      'DISPONIBLE_AU_POINT_RELAIS',
      'COLIS_LIVRE',
    ])
    expect(new Set(collected.events.map((event) => event.id)).size).toBe(4)
    expect(collected.deliveredAt).toBe('2025-11-08T17:54:00+01:00')
    expect(collected.pollingStopped).toBe('terminal')
    expect(collected.nextCheckAt).toBeUndefined()

    // Every call was signed right for its number, and none carried the private key.
    expect(calls.length).toBeGreaterThanOrEqual(5)
    for (const call of calls) {
      expect(call.body).not.toContain(PRIVATE_KEY)
      expect(field(call.body, 'Enseigne')).toBe(ENSEIGNE)
    }

    const pollsAfter = callsFor(NUMBER)
    const refreshed = await harness.request(key, `/v1/trackings/${id}/refresh`, { method: 'POST' })
    expect(refreshed.status).toBe(202)
    await eventually(
      async () => callsFor(NUMBER),
      (count) => count > pollsAfter,
    )
    expect((await read(id)).events).toEqual(collected.events)
  })

  it('detects a label barcode and tracks the shipment number it carries', async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: '12123456780101006623123454' }),
    })
    expect(created.status).toBe(201)
    const { id, carrier, trackingNumber } = (await created.json()) as TrackingBody
    expect({ carrier, trackingNumber }).toEqual({ carrier: 'mondialrelay', trackingNumber: '12345678' })
    await eventually(
      async () => callsFor('12345678'),
      (count) => count > 0,
    )
    expect((await read(id)).status).toBe('pending')
  })
})

describe('Mondial Relay without its credentials', () => {
  it('is listed as not configured and refuses registrations with carrier_not_configured', async () => {
    const harness = await createMemoryHarness('mondialrelay-unconfigured')
    try {
      const key = (await harness.apiKeys.create('shop-mr')).key
      const { data } = (await (await harness.request(key, '/v1/carriers')).json()) as {
        data: Array<{ id: string; configured: boolean; needsCredentials: boolean }>
      }
      expect(data.find((carrier) => carrier.id === 'mondialrelay')).toMatchObject({
        configured: false,
        needsCredentials: true,
      })
      const refused = await harness.request(key, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify({ trackingNumber: NUMBER, carrier: 'mondialrelay' }),
      })
      expect(refused.status).toBe(422)
      expect(await refused.json()).toMatchObject({ code: 'carrier_not_configured' })
    } finally {
      await harness.close()
    }
  })
})
