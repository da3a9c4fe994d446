import { readdirSync, readFileSync } from 'node:fs'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import { definitionBaseUrl } from '../../adapters/generic/builtin-definition.js'
import { GLS_CARRIER } from '../../adapters/gls/index.js'
import { checkGlsNumber, glsCheckDigit } from '../../adapters/gls/number.js'
import { loadConfig } from '../../src/config.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { type ContractHooks, runAdapterContract } from './adapter-contract.js'
import { expectPageListsCodes } from './carrier-page.js'
import { runDefinitionParseProperties } from './definition-parse-properties.js'

const FIXTURES = new URL('../fixtures/gls/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')
const ORIGIN = 'https://gls-group.eu'
const PATH = '/app/service/open/rest/EU/en/rstt001'
const http = createCarrierHttp({ carrier: 'gls', timeoutMs: 2000 })

function createAdapter(hooks: ContractHooks = {}, env: Record<string, string> = {}): CarrierAdapter {
  return GLS_CARRIER.build({
    config: loadConfig(env),
    logger: createSilentLogger(),
    onUnknownCode: hooks.onUnknownCode,
    http,
  })
}

function mockGls(number: string, status: number, body = '', headers: Record<string, string> = {}) {
  return nock(ORIGIN)
    .get(PATH)
    .query({ match: number })
    .matchHeader('accept', 'application/json')
    .reply(status, body, { 'content-type': 'application/json', ...headers })
}

function parseSnapshot(body: string): CarrierSnapshot {
  const [entry, ...rest] = createAdapter().parse(body)
  expect(rest).toEqual([])
  if (entry === undefined || entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry}`)
  return entry
}

/** An rstt001 answer holding `history` (newest first) and the given progress bar status. */
function rstt001(history: object[], statusInfo: string): string {
  return JSON.stringify({ tuStatus: [{ tuNo: '29626585597', history, progressBar: { statusInfo } }] })
}

const scan = (date: string, time: string, evtDscr: string) => ({
  date,
  time,
  evtDscr,
  address: { city: 'Lyon', countryCode: 'FR' },
})

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

runAdapterContract('gls', createAdapter, {
  history: {
    trackingNumber: '29626585597',
    arrange: () => mockGls('29626585597', 200, fixture('rstt001-delivered-en.json')),
  },
  unknownCode: {
    trackingNumber: '60483186262',
    code: 'THE_PARCEL_IS_STORED_IN_THE_GLS_DEPOT',
    arrange: () => mockGls('60483186262', 200, fixture('rstt001-unknown-wording.json')),
  },
  notFound: { trackingNumber: '36301917596', arrange: () => mockGls('36301917596', 404) },
  rateLimited: {
    trackingNumber: '42249028960',
    arrange: () => mockGls('42249028960', 429, '', { 'retry-after': '20' }),
  },
  garbage: {
    trackingNumber: '93835368025',
    arrange: () => mockGls('93835368025', 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: [
    '{"tuStatus":[]}',
    '{"tuStatus":[{"history":{}}]}',
    '{"tuStatus":[{"history":[1]}]}',
    rstt001(
      [{ date: '03/09/2026', time: '12:39:09', evtDscr: 'The parcel has been delivered.' }],
      'DELIVERED',
    ),
    rstt001([{ date: '2026-09-03', time: '12:39:09', evtDscr: { text: 'x' } }], 'DELIVERED'),
    fixture('rstt028-delivered-en.json').slice(0, 1500),
  ],
  facts: {
    claims: [
      { trackingNumber: '604831862623', confidence: 0.5 },
      { trackingNumber: '60483186262', confidence: 0.6 },
      { trackingNumber: 'ZX61QJIX', confidence: 0.3 },
    ],
    unclaimed: ['96045752'],
    pickupHoldDays: 10,
    deliveryDays: [
      [undefined, 'ouvres'],
      ['gls', 'ouvres'],
    ],
  },
})

runDefinitionParseProperties('gls', () => createAdapter(), [
  fixture('rstt001-delivered-en.json'),
  fixture('rstt001-unknown-wording.json'),
  fixture('rstt028-delivered-en.json'),
  fixture('rstt028-in-transit.anonymized.json'),
])

describe('gls: the definition file', () => {
  it('is the built-in carrier, keyless, one number per request at the configured pace', () => {
    const adapter = createAdapter({}, { GLS_RATE_LIMIT: '3/2s' })
    expect(adapter).toMatchObject({
      id: 'gls',
      name: 'GLS',
      batchSize: 1,
      needsCredentials: false,
      configured: true,
      requiresDestinationPostalCode: false,
      rateLimit: { max: 3, durationMs: 2000 },
    })
    expect(adapter.listSecrets()).toEqual([])
  })

  it('asks the configured base URL, the default being the URL of the definition', async () => {
    expect(loadConfig({}).GLS_BASE_URL).toBe(definitionBaseUrl(GLS_CARRIER.definition))
    const scope = nock('http://127.0.0.1:9')
      .get('/fake/rstt001')
      .query({ match: '29626585597' })
      .reply(200, fixture('rstt001-delivered-en.json'))
    const adapter = createAdapter({}, { GLS_BASE_URL: 'http://127.0.0.1:9/fake/rstt001' })
    await adapter.track({ trackingNumber: '29626585597' })
    expect(scope.isDone()).toBe(true)
  })

  it('refuses a number whose check digit is wrong without asking GLS', async () => {
    const scope = mockGls('604831862624', 200, fixture('rstt001-delivered-en.json'))
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '604831862624' }))
    expect(error.kind).toBe('invalid_number')
    expect(error.message).toBe('GLS check digit is 4, expected 3')
    expect(scope.isDone()).toBe(false)
  })
})

describe('gls: research samples', () => {
  it('maps the rstt001 answer: newest-first history put in order, same-second scans kept in order', async () => {
    mockGls('29626585597', 200, fixture('rstt001-delivered-en.json'))
    const snapshot = await createAdapter().track({ trackingNumber: '29626585597' })
    expect(snapshot.trackingNumber).toBe('29626585597')
    expect(snapshot.events.map((event) => [event.occurredAt, event.status])).toEqual([
      ['2026-08-31T07:06:44+02:00', 'info_received'],
      ['2026-08-31T20:20:10+02:00', 'in_transit'],
      ['2026-08-31T20:20:10+02:00', 'in_transit'],
      ['2026-09-01T21:34:39+02:00', 'in_transit'],
      ['2026-09-01T21:36:59+02:00', 'in_transit'],
      ['2026-09-03T06:30:52+02:00', 'in_transit'],
      ['2026-09-03T06:33:39+02:00', 'out_for_delivery'],
      ['2026-09-03T12:39:09+02:00', 'delivered'],
    ])
    // "handed over" comes before "reached the parcel center" at 20:20:10, as GLS lists them.
    expect(snapshot.events[1]?.description).toBe('The parcel was handed over to GLS.')
    expect(snapshot.events[2]?.description).toBe('The parcel has reached the parcel center.')
    expect(snapshot.events.at(-1)).toMatchObject({
      code: 'THE_PARCEL_HAS_BEEN_DELIVERED',
      location: { city: 'Geestland', countryCode: 'DE' },
    })
    expect(deriveTrackingStatus(snapshot.events)).toBe('delivered')
  })

  it.each([
    ['rstt028-delivered-en.json', '', 'delivered', 8],
    ['rstt028-in-transit.anonymized.json', '12345678901', 'in_transit', 3],
    ['rstt001-in-transit-en.json', '29626585597', 'in_transit', 5],
  ])('reads %s (the rstt028 detail too) as %s', (file, trackingNumber, status, count) => {
    const snapshot = parseSnapshot(fixture(file))
    expect(snapshot.trackingNumber).toBe(trackingNumber)
    expect(snapshot.events).toHaveLength(count)
    expect(deriveTrackingStatus(snapshot.events)).toBe(status)
  })

  it('keys the detail answer, which names no number, on the number it is told', async () => {
    const told = createAdapter().parse(fixture('rstt028-delivered-en.json'), {
      trackingNumber: '29626585597',
    })
    mockGls('29626585597', 200, fixture('rstt001-delivered-en.json'))
    const polled = await createAdapter().track({ trackingNumber: '29626585597' })
    expect(told).toHaveLength(1)
    expect((told[0] as CarrierSnapshot).trackingNumber).toBe('29626585597')
    expect((told[0] as CarrierSnapshot).events.map((event) => event.id)).toEqual(
      polled.events.map((event) => event.id),
    )
  })

  it('has an expected outcome for every research answer copied into the fixtures', () => {
    const answers = readdirSync(FIXTURES).filter((name) => /^rstt028.*\.json$/.test(name))
    expect(answers).toEqual(['rstt028-delivered-en.json', 'rstt028-in-transit.anonymized.json'])
  })

  it('keeps no recipient data: the samples carry none, and colis reads no postcode or signature', () => {
    const snapshot = parseSnapshot(fixture('rstt028-delivered-en.json'))
    expect(JSON.stringify(snapshot)).not.toMatch(/postalCode|signature|REDACTED/)
  })
})

describe('gls: wording and status tables', () => {
  const csvRows = (name: string) =>
    fixture(name)
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.match(/^("(?:[^"]|"")*"|[^,]*),([^,]*),([^,]*),?/)?.slice(1, 4) ?? [])
      .map(([first, second, third]) => [(first ?? '').replace(/^"|"$/g, ''), second ?? '', third ?? ''])

  it.each(csvRows('rstt-evtdscr-en.csv'))('maps "%s" to %s', (evtDscr, status) => {
    const snapshot = parseSnapshot(rstt001([scan('2026-09-03', '12:39:09', evtDscr)], 'UNSEEN'))
    expect(snapshot.events.map((event) => event.status)).toEqual([status])
  })

  const progressBarRows = fixture('status-codes.csv')
    .split('\n')
    .filter((row) => row.startsWith('rstt001/rstt028 progressBar.statusInfo,'))
    .map((row) => row.split(','))
    .map(([, code, , status]) => [code ?? '', status ?? ''])

  it.each(progressBarRows)('knows the progress bar status %s: %s', (code, status) => {
    const snapshot = parseSnapshot(rstt001([scan('2026-09-03', '12:39:09', 'Some new wording.')], code))
    expect(snapshot.events.map((event) => event.status)).toEqual([status])
  })

  it('lets the progress bar settle only the newest event, and only when its wording is unknown', () => {
    const history = [
      scan('2026-09-04', '10:00:00', 'The parcel is waiting for you at the GLS ParcelShop.'),
      scan('2026-09-03', '12:00:00', 'The parcel is stored in the GLS depot.'),
      scan('2026-09-02', '08:00:00', 'The parcel has reached the parcel center.'),
    ]
    const reported: string[] = []
    const adapter = createAdapter({ onUnknownCode: (_carrier, code) => reported.push(code) })
    const [snapshot] = adapter.parse(rstt001(history, 'DELIVEREDPS')) as CarrierSnapshot[]
    expect(snapshot?.events.map((event) => event.status)).toEqual([
      'in_transit',
      'unknown',
      'available_for_pickup',
    ])
    expect(reported).toEqual([
      'THE_PARCEL_IS_STORED_IN_THE_GLS_DEPOT',
      'THE_PARCEL_IS_WAITING_FOR_YOU_AT_THE_GLS',
    ])
    const known = parseSnapshot(
      rstt001([scan('2026-09-04', '10:00:00', 'The parcel has been delivered.')], 'INTRANSIT'),
    )
    expect(known.events.map((event) => event.status)).toEqual(['delivered'])
  })

  it('follows a ParcelShop stop: at the shop, then collected, then a return after the storage term', () => {
    const atShop = scan(
      '2026-09-04',
      '10:00:00',
      'The parcel has been delivered at the ParcelShop (see ParcelShop information).',
    )
    const collected = scan('2026-09-06', '17:30:00', 'The parcel has been delivered.')
    expect(deriveTrackingStatus(parseSnapshot(rstt001([atShop], 'DELIVEREDPS')).events)).toBe(
      'available_for_pickup',
    )
    expect(deriveTrackingStatus(parseSnapshot(rstt001([collected, atShop], 'DELIVERED')).events)).toBe(
      'delivered',
    )
    const expired = scan('2026-09-15', '09:00:00', 'Not delivered Parcel Shop storage term is exceeded')
    expect(deriveTrackingStatus(parseSnapshot(rstt001([expired, atShop], 'INTRANSIT')).events)).toBe(
      'returned_to_sender',
    )
  })
})

describe('gls: its page', () => {
  it('lists every parcelStatus key of the definition with the status it maps to', () => {
    expectPageListsCodes('gls', GLS_CARRIER.definition.statusMapping.parcelStatus ?? {})
  })
})

describe('gls: numbers', () => {
  const vectors = JSON.parse(
    readFileSync(new URL('../fixtures/samples/tracking-numbers-more.json', import.meta.url), 'utf8'),
  ).gls_parcel_number as {
    valid: Array<{ number: string; unitno: string }>
    examples_11_digit_unitno: string[]
    trackid_examples: string[]
    notification_card_examples: string[]
  }

  it.each(vectors.valid)('$number is $unitno with its check digit', ({ number, unitno }) => {
    expect(glsCheckDigit(unitno)).toBe(Number(number.slice(-1)))
    expect(checkGlsNumber(number)).toEqual({ ok: true, trackingNumber: number })
    expect(checkGlsNumber(unitno)).toEqual({ ok: true, trackingNumber: unitno })
  })

  it.each([...vectors.examples_11_digit_unitno, ...vectors.trackid_examples])('accepts %s', (number) => {
    expect(createAdapter().claimNumber(number)?.confidence).toBeGreaterThanOrEqual(0.3)
  })

  it.each(vectors.examples_11_digit_unitno)('accepts %s followed by its check digit', (unitno) => {
    expect(checkGlsNumber(`${unitno}${glsCheckDigit(unitno)}`).ok).toBe(true)
    expect(checkGlsNumber(`${unitno}${(glsCheckDigit(unitno) + 1) % 10}`).ok).toBe(false)
  })

  it.each(vectors.notification_card_examples)(
    'does not track the 6-character notification card %s',
    (card) => {
      expect(checkGlsNumber(card)).toMatchObject({ ok: false, reason: expect.stringContaining('TrackID') })
    },
  )

  it('explains a wrong check digit to detection', () => {
    expect(createAdapter().explainNumberProblem?.('604831862620')).toBe('GLS check digit is 0, expected 3')
    expect(createAdapter().explainNumberProblem?.('60483186262')).toBeUndefined()
  })
})
