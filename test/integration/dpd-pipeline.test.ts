import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DPD_WEBTRACE_JOURNEY, WEBTRACE_EMPTY_ANSWER, webtraceAnswer } from '../support/dpd-webtrace.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'

const PATH = '/trace-service/Webtrace_Service.asmx'
const USER = 'shop-dpd-user'
const PASSWORD = 'dpd-secret-password-1234'
const PARCEL = '250803383035673'

interface FakeWebtrace {
  url: string
  /** Scans of the journey the service shows now (0: it does not know the parcel yet). */
  visible: number
  /** Parcel numbers asked, in order. */
  asked: string[]
  close(): Promise<void>
}

/** A loopback Webtrace_Service: checks the SOAP action and credentials, answers from the built journey. */
async function startFakeWebtrace(): Promise<FakeWebtrace> {
  const fake = { visible: 0, asked: [] as string[] }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const $ = load(Buffer.concat(chunks).toString('utf8'), { xml: true })
      const allowed =
        request.method === 'POST' &&
        request.url === PATH &&
        request.headers.soapaction === '"http://www.cargonet.software/GetShipmentTrace"' &&
        $('c\\:userid').text() === USER &&
        $('c\\:password').text() === PASSWORD
      response.setHeader('content-type', 'text/xml; charset=utf-8')
      if (!allowed) {
        response.statusCode = 500
        response.end(
          '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>IpPermissionDenied</faultstring></soap:Fault></soap:Body></soap:Envelope>',
        )
        return
      }
      const number = $('c\\:ShipmentNumber').text()
      fake.asked.push(number)
      response.end(
        fake.visible === 0
          ? WEBTRACE_EMPTY_ANSWER
          : webtraceAnswer(number, DPD_WEBTRACE_JOURNEY.slice(0, fake.visible)),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}${PATH}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}

describe('DPD France parcel from registration to delivered through BullMQ (Webtrace_Service)', () => {
  let fake: FakeWebtrace
  let harness: Harness
  let key: string

  beforeAll(async () => {
    fake = await startFakeWebtrace()
    harness = await createHarness('dpd-pipeline', {
      ...FAST_SANDBOX_POLLING,
      DPD_FR_USER: USER,
      DPD_FR_PASSWORD: PASSWORD,
      DPD_FR_BASE_URL: fake.url,
    })
    key = (await harness.apiKeys.create('shop-dpd')).key
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await fake?.close()
  })

  const getTracking = async (id: string) => {
    const response = await harness.request(key, `/v1/trackings/${id}`)
    expect(response.status).toBe(200)
    return (await response.json()) as {
      status: string
      trackingNumber: string
      events: Array<{ code: string; occurredAt: string; status: string; location?: { city?: string } }>
      lastCheckedAt?: string
      deliveredAt?: string
      pollingStopped?: string
      nextCheckAt?: string
    }
  }

  it('lists DPD France with its contract source', async () => {
    const { data } = (await (await harness.request(key, '/v1/carriers')).json()) as {
      data: Array<{
        id: string
        configured: boolean
        needsCredentials: boolean
        source?: { bestEffort: boolean }
      }>
    }
    expect(data.find((carrier) => carrier.id === 'dpd')).toMatchObject({
      configured: true,
      needsCredentials: true,
      source: { bestEffort: false },
    })
  })

  it('registers, polls while not found, follows the scans and stops once delivered', async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: '2508 0338 3035 6734', carrier: 'dpd' }),
    })
    expect(created.status).toBe(201)
    const { id, trackingNumber } = (await created.json()) as { id: string; trackingNumber: string }
    // Stored as DPD France is asked for it: the 15-digit number without its GS1 digit.
    expect(trackingNumber).toBe(PARCEL)

    const notFound = await eventually(
      () => getTracking(id),
      (tracking) => tracking.lastCheckedAt !== undefined,
    )
    expect(notFound).toMatchObject({ status: 'pending', events: [] })

    fake.visible = 2
    const inTransit = await eventually(
      () => getTracking(id),
      (tracking) => tracking.events.length === 2,
    )
    expect(inTransit.status).toBe('in_transit')
    expect(inTransit.events.map((event) => event.code)).toEqual(['1', '8'])
    expect(inTransit.events[1]?.location?.city).toBe('Le Coudray')

    fake.visible = 4
    const delivered = await eventually(
      () => getTracking(id),
      (tracking) => tracking.status === 'delivered',
    )
    expect(delivered.events.map((event) => [event.code, event.status])).toEqual([
      ['1', 'in_transit'],
      ['8', 'in_transit'],
      ['13', 'out_for_delivery'],
      ['14', 'delivered'],
    ])
    expect(delivered.events.map((event) => event.occurredAt)).toEqual([
      '2026-03-27T18:02:00+01:00',
      '2026-03-28T03:14:00+01:00',
      '2026-03-30T08:31:00+02:00',
      '2026-03-30T12:45:00+02:00',
    ])
    expect(delivered.deliveredAt).toBe('2026-03-30T12:45:00+02:00')
    expect(delivered.pollingStopped).toBe('terminal')
    expect(delivered.nextCheckAt).toBeUndefined()
    expect(new Set(fake.asked)).toEqual(new Set([PARCEL]))
  })
})
