import { readFileSync } from 'node:fs'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import { DHL_CARRIER } from '../../adapters/dhl/index.js'
import { checkDhlNumber, claimDhlNumber, dhlExpressCheckDigit } from '../../adapters/dhl/number.js'
import { definitionBaseUrl } from '../../adapters/generic/builtin-definition.js'
import { gs1CheckDigit } from '../../adapters/number-formats.js'
import { loadConfig } from '../../src/config.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { type ContractHooks, runAdapterContract } from './adapter-contract.js'
import { expectPageListsCodes } from './carrier-page.js'
import { runDefinitionParseProperties } from './definition-parse-properties.js'

const FIXTURES = new URL('../fixtures/dhl/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')
const ORIGIN = 'https://api-eu.dhl.com'
const PATH = '/track/shipments'
const API_KEY = 'dhl-test-key-not-a-real-one'
const http = createCarrierHttp({ carrier: 'dhl', timeoutMs: 2000 })

function createAdapter(hooks: ContractHooks = {}, env: Record<string, string> = {}): CarrierAdapter {
  return DHL_CARRIER.build({
    config: loadConfig({ DHL_API_KEY: API_KEY, ...env }),
    logger: createSilentLogger(),
    onUnknownCode: hooks.onUnknownCode,
    http,
  })
}

function mockDhl(number: string, status: number, body = '', headers: Record<string, string> = {}) {
  return nock(ORIGIN)
    .get(PATH)
    .query({ trackingNumber: number, language: 'en' })
    .matchHeader('dhl-api-key', API_KEY)
    .matchHeader('accept', 'application/json')
    .reply(status, body, { 'content-type': 'application/json', ...headers })
}

function parseEntries(body: string): Array<CarrierSnapshot | CarrierError> {
  return createAdapter().parse(body)
}

function parseSnapshot(body: string): CarrierSnapshot {
  const [entry, ...rest] = parseEntries(body)
  expect(rest).toEqual([])
  if (entry === undefined || entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry}`)
  return entry
}

/** A DHL answer with one shipment of `service` holding `events` (newest first). */
function answer(events: object[], service = 'parcel-de'): string {
  return JSON.stringify({ shipments: [{ id: '470800204932', service, events }] })
}

beforeAll(() => {
  nock.disableNetConnect()
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(async () => {
  nock.enableNetConnect()
  await http.close()
})

runAdapterContract('dhl', createAdapter, {
  history: {
    trackingNumber: '470800204932',
    arrange: () => mockDhl('470800204932', 200, fixture('parcel-de-delivered-de.json')),
  },
  unknownCode: {
    trackingNumber: '3318810025',
    code: 'on-hold',
    arrange: () => mockDhl('3318810025', 200, fixture('unknown-status-code.json')),
  },
  notFound: {
    trackingNumber: '8487135506',
    arrange: () => mockDhl('8487135506', 404, fixture('404-no-result.spec-example.json')),
  },
  rateLimited: {
    trackingNumber: '1099255990',
    arrange: () => mockDhl('1099255990', 429, '', { 'retry-after': '60' }),
  },
  garbage: {
    trackingNumber: '3821724944',
    arrange: () => mockDhl('3821724944', 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: [
    fixture('401-unauthorized.gateway.json'),
    '{"shipments":[]}',
    '{"shipments":[{"events":{}}]}',
    answer([{ timestamp: '13.03.2023 09:50', statusCode: 'delivered', description: 'Zugestellt' }]),
    answer([{ timestamp: '2023-03-13T09:50:00', statusCode: { code: 1 }, description: 'x' }]),
    fixture('parcel-de-delivered-de.json').slice(0, 2500),
  ],
  facts: {
    claims: [
      { trackingNumber: '3318810025', confidence: 0.6 },
      { trackingNumber: '73891051146', confidence: 0.7 },
      { trackingNumber: '470800204932', confidence: 0.3 },
      { trackingNumber: '00340434292135100124', confidence: 0.9 },
    ],
    pickupHoldDays: 6,
    deliveryDays: [
      [undefined, 'ouvrables'],
      ['parcel-de', 'ouvrables'],
      ['express', 'ouvres'],
    ],
  },
})

runDefinitionParseProperties('dhl', () => createAdapter(), [
  fixture('parcel-de-delivered-de.json'),
  fixture('express-spec-example.json'),
  fixture('unknown-status-code.json'),
  fixture('404-no-result.spec-example.json'),
])

describe('dhl: the definition file', () => {
  it('needs DHL_API_KEY: without it the carrier is listed, not configured, and calls nobody', async () => {
    const adapter = createAdapter({}, { DHL_API_KEY: '' })
    expect(adapter).toMatchObject({ id: 'dhl', needsCredentials: true, configured: false })
    expect(adapter.listSecrets()).toEqual([])
    const scope = nock(ORIGIN).get(PATH).query(true).reply(200, fixture('parcel-de-delivered-de.json'))
    const error = await caughtCarrierError(adapter.track({ trackingNumber: '470800204932' }))
    expect(error.kind).toBe('unauthorized')
    expect(error.message).toContain('DHL_API_KEY')
    expect(scope.isDone()).toBe(false)
  })

  it('sends the key as DHL-API-Key, lists it as a secret, and paces itself by DHL_RATE_LIMIT', async () => {
    const adapter = createAdapter()
    expect(adapter).toMatchObject({
      configured: true,
      batchSize: 1,
      rateLimit: { max: 1, durationMs: 360_000 },
    })
    expect(adapter.listSecrets()).toEqual([API_KEY])
    const scope = mockDhl('470800204932', 200, fixture('parcel-de-delivered-de.json'))
    await adapter.track({ trackingNumber: '470800204932' })
    expect(scope.isDone()).toBe(true)
  })

  it('asks the configured base URL, the default being the URL of the definition', async () => {
    expect(loadConfig({}).DHL_BASE_URL).toBe(definitionBaseUrl(DHL_CARRIER.definition))
    const scope = nock('http://127.0.0.1:9')
      .get('/track/shipments')
      .query({ trackingNumber: '470800204932', language: 'en' })
      .reply(200, fixture('parcel-de-delivered-de.json'))
    const adapter = createAdapter({}, { DHL_BASE_URL: 'http://127.0.0.1:9/track/shipments' })
    await adapter.track({ trackingNumber: '470800204932' })
    expect(scope.isDone()).toBe(true)
  })

  it('keeps a query of the configured base URL, such as a service hint', async () => {
    const scope = nock(ORIGIN)
      .get(PATH)
      .query({ service: 'express', trackingNumber: '3318810025', language: 'en' })
      .reply(200, fixture('express-spec-example.json'))
    const adapter = createAdapter({}, { DHL_BASE_URL: `${ORIGIN}${PATH}?service=express` })
    await adapter.track({ trackingNumber: '3318810025' })
    expect(scope.isDone()).toBe(true)
  })

  it.each([
    [401, fixture('401-unauthorized.gateway.json'), 'unauthorized'],
    [403, '', 'unauthorized'],
    [404, fixture('404-no-result.spec-example.json'), 'not_found'],
    [500, '{"status":500,"title":"Internal Server Error"}', 'unavailable'],
  ] as const)('maps HTTP %i to %s', async (status, body, kind) => {
    mockDhl('470800204932', status, body)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '470800204932' }))
    expect(error.kind).toBe(kind)
  })

  it('refuses a waybill whose mod 7 check digit is wrong without asking DHL', async () => {
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '3318810010' }))
    expect(error).toMatchObject({
      kind: 'invalid_number',
      message: 'DHL Express check digit is 0, expected 4',
    })
  })
})

describe('dhl: research samples', () => {
  it('maps the real parcel-de answer: naive times as German time, the wording refining coarse codes', () => {
    const snapshot = parseSnapshot(fixture('parcel-de-delivered-de.json'))
    expect(snapshot).toMatchObject({ carrier: 'dhl', trackingNumber: '470800204932', service: 'parcel-de' })
    expect(snapshot.events.map((event) => [event.occurredAt, event.code, event.status])).toEqual([
      ['2023-03-01T16:14:00+01:00', 'transit', 'in_transit'],
      ['2023-03-01T16:18:00+01:00', 'pre-transit', 'info_received'],
      ['2023-03-02T14:13:00+01:00', 'transit', 'in_transit'],
      ['2023-03-08T14:43:00+01:00', 'transit', 'in_transit'],
      ['2023-03-09T18:37:00+01:00', 'transit', 'in_transit'],
      ['2023-03-09T19:16:00+01:00', 'transit', 'in_transit'],
      ['2023-03-10T23:56:00+01:00', 'transit', 'in_transit'],
      ['2023-03-11T22:20:00+01:00', 'transit', 'in_transit'],
      ['2023-03-13T08:36:00+01:00', 'transit', 'out_for_delivery'],
      ['2023-03-13T09:50:00+01:00', 'delivered', 'delivered'],
    ])
    expect(snapshot.events.at(-1)?.location).toEqual({ city: 'Deutschland' })
    expect(snapshot.events[1]?.location).toBeUndefined()
    expect(deriveTrackingStatus(snapshot.events)).toBe('delivered')
  })

  it('maps the Express spec example: offsets kept, the estimate read, the service named', () => {
    const snapshot = parseSnapshot(fixture('express-spec-example.json'))
    expect(snapshot).toMatchObject({ trackingNumber: '7777777770', service: 'express' })
    expect(snapshot.estimatedDelivery).toMatch(/^2018-08-03T00:00:00(Z|\+00:00)$/)
    expect(snapshot.events).toHaveLength(1)
    // The example's wording ("JESSICA") means nothing: its statusCode speaks.
    expect(snapshot.events[0]).toMatchObject({ code: 'pre-transit', status: 'info_received' })
    expect(snapshot.events[0]?.location).toEqual({
      city: 'Oderweg 2, AMSTERDAM',
      postalCode: '1043 AG',
      countryCode: 'NL',
    })
  })

  it('reads the 404 problem body as not found, and the gateway 401 body as no answer', () => {
    const [entry] = parseEntries(fixture('404-no-result.spec-example.json'))
    expect((entry as CarrierError).kind).toBe('not_found')
    expect(() => parseEntries(fixture('401-unauthorized.gateway.json'))).toThrow(CarrierError)
  })

  it('keeps the offset a timestamp carries, and reads a naive one as German time across DST', () => {
    const snapshot = parseSnapshot(
      answer([
        { timestamp: '2026-10-07T07:45:00+02:00', statusCode: 'transit', description: 'Processed' },
        { timestamp: '2026-03-29T02:30:00', statusCode: 'transit', description: 'Processed' },
        { timestamp: '2026-03-28T20:00:00Z', statusCode: 'pre-transit', description: 'Announced' },
      ]),
    )
    expect(snapshot.events.map((event) => event.occurredAt)).toEqual([
      expect.stringMatching(/^2026-03-28T20:00:00(Z|\+00:00)$/),
      '2026-03-29T03:30:00+02:00',
      '2026-10-07T07:45:00+02:00',
    ])
  })
})

describe('dhl: statuses', () => {
  it.each([
    ['pre-transit', 'The shipment has been electronically announced.', 'info_received'],
    ['transit', 'The shipment has been processed in the parcel center.', 'in_transit'],
    ['transit', 'The shipment has been loaded onto the delivery vehicle.', 'in_transit'],
    ['transit', 'Die Sendung wurde in das Zustellfahrzeug geladen.', 'out_for_delivery'],
    ['transit', 'Shipment is out for delivery', 'out_for_delivery'],
    ['transit', 'The shipment is ready for pick-up at the PACKSTATION.', 'available_for_pickup'],
    ['transit', 'Die Sendung liegt in der Filiale zur Abholung bereit.', 'available_for_pickup'],
    [
      'transit',
      'The shipment is ready for pick-up. It will be returned to the sender if not collected within 7 days.',
      'available_for_pickup',
    ],
    ['delivered', 'Die Sendung wurde vom Empfänger abgeholt.', 'delivered'],
    [
      'transit',
      'Die Sendung wurde nicht vom Empfänger abgeholt und wird zurückgesendet.',
      'returned_to_sender',
    ],
    ['failure', 'The recipient was not found. The shipment could not be delivered.', 'failed_attempt'],
    ['failure', 'The shipment is being returned to the sender.', 'returned_to_sender'],
    ['failure', 'Customs clearance pending.', 'exception'],
    ['delivered', 'Die Sendung wurde zugestellt.', 'delivered'],
    ['unknown', 'Status unknown.', 'unknown'],
  ] as const)('%s "%s" is %s', (statusCode, description, status) => {
    const snapshot = parseSnapshot(answer([{ timestamp: '2026-03-13T09:50:00', statusCode, description }]))
    expect(snapshot.events.map((event) => event.status)).toEqual([status])
  })

  it('maps every statusCode of the OpenAPI enum, and reports none of them as unknown', () => {
    const codes = fixture('status-codes.csv')
      .split('\n')
      .filter((row) => row.startsWith('statusCode,'))
      .map((row) => row.split(','))
    const reported: string[] = []
    const adapter = createAdapter({ onUnknownCode: (_carrier, code) => reported.push(code) })
    for (const [, code, , status] of codes) {
      const [snapshot] = adapter.parse(
        answer([{ timestamp: '2026-03-13T09:50:00', statusCode: code, description: 'x' }]),
      ) as CarrierSnapshot[]
      expect(snapshot?.events[0]?.status, code).toBe(status)
    }
    expect(codes).toHaveLength(5)
    expect(reported).toEqual([])
  })
})

describe('dhl: its page', () => {
  it('lists every codes key of the definition with the status it maps to', () => {
    expectPageListsCodes('dhl', DHL_CARRIER.definition.statusMapping.codes ?? {})
  })
})

describe('dhl: numbers', () => {
  const vectors = JSON.parse(
    readFileSync(new URL('../fixtures/samples/tracking-numbers-more.json', import.meta.url), 'utf8'),
  ) as {
    dhl_express_10: { valid: Array<{ number: string }>; invalid: Array<{ number: string }> }
    dhl_other: { parcel_de_examples: string[] }
  }

  it.each(vectors.dhl_express_10.valid.map((vector) => vector.number))('accepts the waybill %s', (number) => {
    expect(dhlExpressCheckDigit(number.slice(0, -1))).toBe(Number(number.slice(-1)))
    expect(checkDhlNumber(number)).toEqual({ ok: true, trackingNumber: number })
    expect(claimDhlNumber(number)?.confidence).toBe(number.length === 10 ? 0.6 : 0.7)
  })

  it.each(vectors.dhl_express_10.invalid.map((vector) => vector.number))(
    'refuses the waybill %s',
    (number) => {
      const check = checkDhlNumber(number)
      expect(check).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/check digit is \d, expected \d/),
      })
      expect(claimDhlNumber(number)).toBeUndefined()
      expect(createAdapter().explainNumberProblem?.(number)).toMatch(/DHL Express check digit/)
    },
  )

  it.each(vectors.dhl_other.parcel_de_examples.map((example) => example.split(' ')[0] ?? ''))(
    'accepts the DHL Paket number %s',
    (number) => {
      expect(checkDhlNumber(number).ok).toBe(true)
      expect(claimDhlNumber(number)).toBeDefined()
    },
  )

  it('checks an SSCC with GS1 mod 10 and claims only DHL Paket’s prefix strongly', () => {
    expect(gs1CheckDigit('0034043429213510012')).toBe(4)
    expect(checkDhlNumber('00340434292135100125')).toMatchObject({
      ok: false,
      reason: 'SSCC check digit is 5, expected 4',
    })
    const other = `0031234567890123456${gs1CheckDigit('0031234567890123456')}`
    expect(claimDhlNumber(other)?.confidence).toBe(0.3)
  })

  it('keeps quiet about 11 digits whose mod 7 fails: GLS numbers have that shape', () => {
    expect(checkDhlNumber('60483186262').ok).toBe(false)
    expect(createAdapter().explainNumberProblem?.('60483186262')).toBeUndefined()
  })
})
