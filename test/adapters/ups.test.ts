import { readdirSync } from 'node:fs'
import fc from 'fast-check'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError, type CarrierErrorKind } from '../../adapters/contract.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { propertyRuns } from '../support/property-runs.js'
import { runAdapterContract } from './adapter-contract.js'
import {
  createTestUpsAdapter as createAdapter,
  upsFixture as fixture,
  mockTokens,
  mockTrack,
  UPS_ORIGIN,
  upsHttp,
} from './ups-mock.js'

type ParseEntry = CarrierSnapshot | CarrierError

/** What `parse` gives: the error it threw for the whole body, or one entry per package. */
function parseOutcome(adapter: CarrierAdapter, body: string): CarrierError | ParseEntry[] {
  try {
    const entries = adapter.parse(body)
    expectWellFormed(entries)
    return entries
  } catch (error) {
    if (error instanceof CarrierError) return error
    throw error
  }
}

function expectWellFormed(entries: readonly ParseEntry[]) {
  for (const snapshot of entries) {
    if (snapshot instanceof CarrierError) continue
    const instants = snapshot.events.map((event) => Date.parse(event.occurredAt))
    expect(instants).toEqual([...instants].sort((a, b) => a - b))
    for (const event of snapshot.events) {
      expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
      expect(event.occurredAt).not.toMatch(/Z$/)
      expect(event.code).toBe(event.code.trim())
      expect(event.code.length).toBeGreaterThan(0)
    }
  }
}

function parseSnapshot(body: string, adapter = createAdapter()): CarrierSnapshot {
  const entries = adapter.parse(body)
  expect(entries).toHaveLength(1)
  const [entry] = entries
  if (entry === undefined || entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry}`)
  return entry
}

function parseError(body: string): CarrierError {
  const outcome = parseOutcome(createAdapter(), body)
  const error = outcome instanceof CarrierError ? outcome : outcome[0]
  expect(error).toBeInstanceOf(CarrierError)
  return error as CarrierError
}

/** A one-package Track API answer with these activities (newest first, as UPS sends them). */
function answerWith(activities: object[], trackingNumber = '1Z5R89390357567127'): string {
  return JSON.stringify({
    trackResponse: {
      shipment: [{ inquiryNumber: trackingNumber, package: [{ trackingNumber, activity: activities }] }],
    },
  })
}

function activity(
  status: object,
  date = '20250305',
  time = '101500',
  extra: object = { gmtOffset: '+01:00' },
) {
  return { date, time, status, ...extra }
}

beforeAll(() => {
  nock.disableNetConnect()
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(async () => {
  nock.enableNetConnect()
  await upsHttp.close()
})

runAdapterContract('ups', (hooks) => createAdapter(hooks), {
  history: {
    trackingNumber: '1Z5R89390357567127',
    arrange: () => {
      mockTokens('token-1')
      mockTrack('1Z5R89390357567127', 200, fixture('access-point-collected.json'))
    },
  },
  unknownCode: {
    trackingNumber: '1Z879E930346834440',
    code: '170',
    arrange: () => {
      mockTokens('token-1')
      mockTrack('1Z879E930346834440', 200, fixture('unknown-status-code.json'))
    },
  },
  notFound: {
    trackingNumber: '1Z1442YY7229014688',
    arrange: () => {
      mockTokens('token-1')
      mockTrack('1Z1442YY7229014688', 200, fixture('track-200-not-found-warning.json'))
    },
  },
  rateLimited: {
    trackingNumber: '1ZA82D672031716786',
    arrange: () => {
      mockTokens('token-1')
      mockTrack('1ZA82D672031716786', 429, '')
    },
  },
  garbage: {
    trackingNumber: '1Z410E7W0392751591',
    arrange: () => {
      mockTokens('token-1')
      mockTrack('1Z410E7W0392751591', 200, '<html><body>Maintenance</body></html>')
    },
  },
  garbageBodies: [
    fixture('oauth-token-200.json'),
    fixture('Tracking-openapi.yaml'),
    fixture('tracking-codes.csv'),
    fixture('track-200-delivered.fixture.json').slice(0, 400),
    '{"trackResponse":{}}',
    '{"trackResponse":{"shipment":[]}}',
    '{"response":{"errors":[]}}',
  ],
  facts: {
    claims: [
      { trackingNumber: '1Z5R89390357567127', confidence: 0.95 },
      { trackingNumber: '1ZXX3150YW44070023', confidence: 0.95 },
      { trackingNumber: '1Z999AA10123456784', confidence: 0.95 },
    ],
    pickupHoldDays: 7,
    deliveryDays: [
      [undefined, 'ouvres'],
      ['ups', 'ouvres'],
    ],
  },
})

describe('ups: adapter', () => {
  it('needs both credentials, asks one number per request, and keeps the given rate limit', () => {
    const adapter = createAdapter({ rateLimit: { max: 3, durationMs: 2000 } })
    expect(adapter).toMatchObject({
      id: 'ups',
      name: 'UPS',
      batchSize: 1,
      needsCredentials: true,
      configured: true,
      rateLimit: { max: 3, durationMs: 2000 },
    })
    expect(adapter.trackBatch).toBeUndefined()
    expect(createAdapter({ clientSecret: undefined }).configured).toBe(false)
    expect(createAdapter({ clientId: '' }).configured).toBe(false)
  })

  it('refuses to track without credentials, and a bad number before any call', async () => {
    const unconfigured = createAdapter({ clientId: undefined, clientSecret: undefined })
    expect(unconfigured.listSecrets()).toEqual([])
    const missing = await caughtCarrierError(unconfigured.track({ trackingNumber: '1Z5R89390357567127' }))
    expect(missing).toMatchObject({ kind: 'unauthorized' })
    const invalid = await caughtCarrierError(createAdapter().track({ trackingNumber: '1Z12345E0205271688' }))
    expect(invalid).toMatchObject({ kind: 'invalid_number', message: 'UPS 1Z check digit is 8, expected 6' })
  })
})

type SampleEntry = { status: TrackingStatus; trackingNumber: string } | { error: CarrierErrorKind }
type SampleOutcome = { entries: SampleEntry[] } | { thrown: CarrierErrorKind }

/** What each research sample copied from public sources must give through `parse`. */
const SAMPLE_OUTCOMES: Record<string, SampleOutcome> = {
  'track-200-delivered.fixture.json': {
    entries: [{ status: 'delivered', trackingNumber: '1Z1442YY7229014688' }],
  },
  // The OpenAPI example instance: placeholders ("string"), statusCode 003 "Shipment Ready for UPS".
  'track-200-spec-example.json': { entries: [{ status: 'info_received', trackingNumber: 'STRING' }] },
  'track-200-not-found-warning.json': { entries: [{ error: 'not_found' }] },
  'track-400-invalid-inquiry.json': { entries: [{ error: 'invalid_number' }] },
  'track-401-invalid-access-license.json': { entries: [{ error: 'unauthorized' }] },
  // The OAuth endpoint's own envelope (a rejected client id) reads the same way.
  'oauth-401-invalid-client.json': { entries: [{ error: 'unauthorized' }] },
  // A token, the API description and the code tables are no tracking answers.
  'oauth-token-200.json': { thrown: 'unexpected_response' },
  'Tracking-openapi.yaml': { thrown: 'unexpected_response' },
  'tracking-codes.csv': { thrown: 'unexpected_response' },
}

function describeEntry(entry: ParseEntry): SampleEntry {
  if (entry instanceof CarrierError) return { error: entry.kind }
  return { status: deriveTrackingStatus(entry.events), trackingNumber: entry.trackingNumber }
}

describe('ups: research samples', () => {
  it.each(Object.entries(SAMPLE_OUTCOMES))('%s parses to the expected outcome', (file, expected) => {
    const outcome = parseOutcome(createAdapter(), fixture(file))
    if ('thrown' in expected) {
      expect(outcome).toBeInstanceOf(CarrierError)
      expect((outcome as CarrierError).kind).toBe(expected.thrown)
    } else {
      expect(outcome).toBeInstanceOf(Array)
      expect((outcome as ParseEntry[]).map(describeEntry)).toEqual(expected.entries)
    }
  })

  it('has an expected outcome for every research sample copied into the fixtures', () => {
    const samples = readdirSync(new URL('../fixtures/ups/', import.meta.url)).filter((name) =>
      name.endsWith('.source.txt'),
    )
    expect(samples).toHaveLength(9)
    for (const source of samples)
      expect(SAMPLE_OUTCOMES, source).toHaveProperty([source.replace(/\.source\.txt$/, '')])
  })

  it('maps the delivered sample: trimmed wording, the local time with its offset, the label time in Paris', () => {
    const snapshot = parseSnapshot(fixture('track-200-delivered.fixture.json'))
    expect(
      snapshot.events.map(({ code, status, occurredAt, description }) => ({
        code,
        status,
        occurredAt,
        description,
      })),
    ).toEqual([
      {
        code: 'M/MP',
        status: 'info_received',
        occurredAt: '2022-01-24T15:16:41+01:00',
        description: 'Label created',
      },
      { code: '011', status: 'delivered', occurredAt: '2022-01-26T16:30:00-05:00', description: 'DELIVERED' },
    ])
    expect(snapshot.events[1]).toMatchObject({
      location: { city: 'PARAMUS', postalCode: '07652', countryCode: 'US' },
      details: { type: 'D', code: 'F4', statusCode: '011' },
    })
    expect(snapshot).toMatchObject({ final: true, deliveredAt: '2022-01-26T16:30:00-05:00' })
    expect(snapshot.estimatedDelivery).toBeUndefined()
  })

  it('reads the spec example without its placeholders: no estimate from "string", no address line', () => {
    const snapshot = parseSnapshot(fixture('track-200-spec-example.json'))
    expect(snapshot).toMatchObject({ product: 'UPS Ground', final: false })
    expect(snapshot.estimatedDelivery).toBeUndefined()
    expect(snapshot.events).toHaveLength(1)
    expect(snapshot.events[0]).toMatchObject({
      code: '003',
      occurredAt: '2021-02-10T07:13:56+01:00',
      location: { city: 'Wayne', postalCode: '07470', countryCode: 'US' },
    })
    expect(JSON.stringify(snapshot)).not.toMatch(/100 Main St|Sears|Warehouse/)
  })
})

describe('ups: built scenarios', () => {
  it('follows a parcel to a UPS Access Point and its collection there', () => {
    const snapshot = parseSnapshot(fixture('access-point-collected.json'))
    expect(snapshot.events.map((event) => `${event.code}:${event.status}`)).toEqual([
      'M/MP:info_received',
      '160:in_transit',
      '005:in_transit',
      '005:in_transit',
      'I/YI:out_for_delivery',
      'D/2Q:available_for_pickup',
      'D/2W:delivered',
    ])
    expect(deriveTrackingStatus(snapshot.events.slice(0, -1))).toBe('available_for_pickup')
    expect(snapshot).toMatchObject({
      trackingNumber: '1Z5R89390357567127',
      final: true,
      deliveredAt: '2025-03-07T17:30:12+01:00',
      estimatedDelivery: '2025-03-06',
      product: 'UPS Standard',
    })
    expect(JSON.stringify(snapshot)).not.toContain('REDACTED')
  })

  it('reads failed attempts, a parcel sent on to an Access Point, its hold running out, then collected', () => {
    const snapshot = parseSnapshot(fixture('attempts-then-access-point.json'))
    expect(snapshot.events.map((event) => `${event.code}:${event.status}`)).toEqual([
      'M/MP:info_received',
      'X:exception',
      '021:out_for_delivery',
      '022:failed_attempt',
      '024:failed_attempt',
      '013:exception',
      'D/2Q:available_for_pickup',
      'X/5G:available_for_pickup',
      'D/2W:delivered',
    ])
    expect(deriveTrackingStatus(snapshot.events.slice(0, 4))).toBe('failed_attempt')
    expect(deriveTrackingStatus(snapshot.events.slice(0, 8))).toBe('available_for_pickup')
    // A rescheduled date (RDD) wins over the scheduled one (SDD).
    expect(snapshot.estimatedDelivery).toBe('2025-03-13')
  })

  it('keeps a refused parcel returned to its sender, through the transit scans of the way back', () => {
    const snapshot = parseSnapshot(fixture('return-to-sender.json'))
    expect(snapshot.events.map((event) => `${event.code}:${event.status}`).slice(-3)).toEqual([
      '064:exception',
      '036:returned_to_sender',
      'D/B0:returned_to_sender',
    ])
    expect(deriveTrackingStatus(snapshot.events)).toBe('returned_to_sender')
    expect(snapshot.final).toBe(true)
    expect(snapshot.deliveredAt).toBeUndefined()
    const underWay = parseSnapshot(answerWith([activity({ type: 'I', code: 'DP', statusCode: '035' })]))
    expect(underWay.final).toBe(false)
  })

  it('keeps the offset of each scan place: gmtOffset, else local minus gmtDate + gmtTime, else Paris', () => {
    const snapshot = parseSnapshot(fixture('gmt-fields.json'))
    expect(snapshot.events.map((event) => event.occurredAt)).toEqual([
      '2021-02-09T10:15:00+01:00',
      '2021-02-09T20:30:00+05:30',
      '2021-02-09T23:30:00-05:00',
      '2021-02-10T02:47:00-05:00',
      '2021-02-10T07:13:56-05:00',
    ])
  })

  it('gives one snapshot per package of a multi-package answer', () => {
    const entries = createAdapter().parse(fixture('multi-package.json'))
    expect(
      entries.map((entry) =>
        entry instanceof CarrierError
          ? entry.kind
          : [entry.trackingNumber, deriveTrackingStatus(entry.events)],
      ),
    ).toEqual([
      ['1Z999AA10123456784', 'delivered'],
      ['1Z999AA10123456793', 'out_for_delivery'],
      ['1Z999AA10123456800', 'in_transit'],
    ])
  })

  it('tracks the package of the number asked in a multi-package answer', async () => {
    mockTokens('token-1')
    mockTrack('1Z999AA10123456800', 200, fixture('multi-package.json'))
    const snapshot = await createAdapter().track({ trackingNumber: '1Z999AA10123456800' })
    expect(snapshot.trackingNumber).toBe('1Z999AA10123456800')
    expect(snapshot.events.map((event) => event.code)).toEqual(['003', '005'])
    const siblings = JSON.parse(fixture('multi-package.json'))
    siblings.trackResponse.shipment[0].package.splice(2, 1)
    mockTrack('1Z999AA10123456800', 200, siblings)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '1Z999AA10123456800' }))
    expect(error).toMatchObject({ kind: 'unexpected_response' })
  })

  it('takes a lone package as the number asked, with or without its trackingNumber', async () => {
    const lone = JSON.parse(fixture('track-200-delivered.fixture.json'))
    delete lone.trackResponse.shipment[0].package[0].trackingNumber
    mockTokens('token-1')
    mockTrack('1Z5R89390357567127', 200, lone)
    const snapshot = await createAdapter().track({ trackingNumber: '1Z5R89390357567127' })
    expect(snapshot.trackingNumber).toBe('1Z5R89390357567127')
    expect(deriveTrackingStatus(snapshot.events)).toBe('delivered')
    // parse() falls back on the inquiry number.
    expect(parseSnapshot(JSON.stringify(lone)).trackingNumber).toBe('1Z1442YY7229014688')
  })

  it('keeps an unknown statusCode as unknown, with a warning naming it', () => {
    const logger = createSilentLogger()
    const warn = vi.spyOn(logger, 'warn')
    const snapshot = parseSnapshot(fixture('unknown-status-code.json'), createAdapter({ logger }))
    expect(snapshot.events.at(-1)).toMatchObject({ code: '170', status: 'unknown' })
    expect(deriveTrackingStatus(snapshot.events)).toBe('in_transit')
    expect(warn).toHaveBeenCalledWith({ code: '170' }, 'unmapped carrier code')
  })

  it('drops a scan sent twice and sorts scans whose wire order is not their order in time', () => {
    const scan = activity({ type: 'I', code: 'AR', statusCode: '005' }, '20250305', '120000')
    const snapshot = parseSnapshot(
      answerWith([
        scan,
        activity({ type: 'I', code: 'DP', statusCode: '005' }, '20250305', '103000', { gmtOffset: '+00:00' }),
        scan,
        activity({ type: 'M', code: 'MP' }, '20250305', '090000'),
      ]),
    )
    expect(snapshot.events.map((event) => `${event.code}@${event.occurredAt}`)).toEqual([
      'M/MP@2025-03-05T09:00:00+01:00',
      '005@2025-03-05T10:30:00+00:00',
      '005@2025-03-05T12:00:00+01:00',
    ])
  })

  it('refuses the answer when a date, a time or an offset is unreadable, or an activity has no code', () => {
    const refused = [
      activity({ type: 'I', code: 'AR' }, '2025-03-05'),
      activity({ type: 'I', code: 'AR' }, '20250230'),
      activity({ type: 'I', code: 'AR' }, '20250305', '10:15'),
      activity({ type: 'I', code: 'AR' }, '20250305', '246000'),
      activity({ type: 'I', code: 'AR' }, '20250305', '101500', { gmtOffset: 'CET' }),
      activity({ type: 'I', code: 'AR' }, '20250305', '101500', { gmtOffset: '+19:00' }),
      activity({ type: 'I', code: 'AR' }, '20250305', '101500', { gmtDate: '20250306', gmtTime: '101500' }),
      activity({ description: 'nothing to map' }),
      activity({ type: ' ', code: '', statusCode: null }),
      { date: '20250305', status: { type: 'I' } },
    ]
    for (const bad of refused)
      expect(parseError(answerWith([bad])).kind, JSON.stringify(bad)).toBe('unexpected_response')
  })
})

describe('ups: errors in the answer', () => {
  it('reads a shipment without package as not found for TW0001, passing for another warning', () => {
    expect(parseError(fixture('track-200-not-found-warning.json')).kind).toBe('not_found')
    const warned = fixture('track-200-not-found-warning.json').replace('TW0001', 'TW0002')
    expect(parseError(warned).kind).toBe('unavailable')
    expect(parseError('{"trackResponse":{"shipment":[{"inquiryNumber":"1Z"}]}}').kind).toBe(
      'unexpected_response',
    )
  })

  it('reads an error envelope by its code, never copying its message', () => {
    expect(
      parseError('{"response":{"errors":[{"code":"TJ001","message":"No tracking information available"}]}}'),
    ).toMatchObject({
      kind: 'not_found',
      message: 'UPS error TJ001',
    })
    const unknown = parseError(
      '{"response":{"errors":[{"code":"9999","message":"echo of REDACTED-CLIENT-ID"}]}}',
    )
    expect(unknown).toMatchObject({ kind: 'unexpected_response', message: 'UPS error 9999' })
    expect(parseError(fixture('oauth-401-invalid-client.json')).message).not.toContain('REDACTED-CLIENT-ID')
  })

  it('gives an off-schema package its own error, next to its well-formed siblings', () => {
    const answer = JSON.parse(fixture('multi-package.json'))
    answer.trackResponse.shipment[0].package[0].activity = 'none'
    const entries = createAdapter().parse(JSON.stringify(answer))
    expect(
      entries.map((entry) => (entry instanceof CarrierError ? entry.kind : entry.trackingNumber)),
    ).toEqual(['unexpected_response', '1Z999AA10123456793', '1Z999AA10123456800'])
  })
})

describe('ups: HTTP', () => {
  it('asks the Track API with a token, a new transId per call, transactionSrc and the locale', async () => {
    mockTokens('token-1')
    const transIds: string[] = []
    nock(UPS_ORIGIN)
      .persist()
      .get('/api/track/v1/details/1Z5R89390357567127')
      .query({ locale: 'en_US', returnSignature: 'false', returnMilestones: 'false', returnPOD: 'false' })
      .matchHeader('authorization', 'Bearer token-1')
      .matchHeader('transactionsrc', 'shop-42')
      .matchHeader('accept', 'application/json')
      .reply(function reply() {
        transIds.push(String(this.req.headers.transid))
        return [200, fixture('access-point-collected.json')]
      })
    const adapter = createAdapter({ locale: 'en_US', transactionSrc: 'shop-42' })
    for (let round = 0; round < 3; round++) await adapter.track({ trackingNumber: '1Z5R89390357567127' })
    expect(transIds).toHaveLength(3)
    expect(new Set(transIds).size).toBe(3)
    for (const transId of transIds) expect(transId).toMatch(/^[0-9a-f]{32}$/)
  })

  it.each([
    ['400 TV1002', 'invalid_number', 400, fixture('track-400-invalid-inquiry.json')],
    ['400 with another code', 'unexpected_response', 400, '{"response":{"errors":[{"code":"TV9999"}]}}'],
    ['400 without a body', 'unexpected_response', 400, ''],
    [
      '404 TJ001',
      'not_found',
      404,
      '{"response":{"errors":[{"code":"TJ001","message":"No tracking information available"}]}}',
    ],
    ['404 with an HTML page', 'unexpected_response', 404, '<html>Not Found</html>'],
    ['403', 'unauthorized', 403, '{"response":{"errors":[{"code":"250002"}]}}'],
    ['500', 'unavailable', 500, ''],
    ['503 with an envelope', 'unavailable', 503, '{"response":{"errors":[{"code":"TJ001"}]}}'],
    ['200 with an error envelope', 'invalid_number', 200, fixture('track-400-invalid-inquiry.json')],
    [
      '200 with a warning',
      'unavailable',
      200,
      fixture('track-200-not-found-warning.json').replace('TW0001', 'TW0009'),
    ],
    ['200 with nothing', 'unexpected_response', 200, ''],
    ['302 redirect', 'unexpected_response', 302, ''],
  ] as const)('maps %s to %s', async (_label, kind, status, body) => {
    mockTokens('token-1')
    mockTrack('1Z5R89390357567127', status, body)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '1Z5R89390357567127' }))
    expect(error.kind).toBe(kind)
  })

  it('reads the wait of a 429 from Retry-After, else waits 1 s', async () => {
    mockTokens('token-1')
    mockTrack('1Z5R89390357567127', 429, '', { headers: { 'retry-after': '7' } })
    const told = await caughtCarrierError(createAdapter().track({ trackingNumber: '1Z5R89390357567127' }))
    expect(told).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 })
    mockTrack('1Z5R89390357567127', 429, '')
    const guessed = await caughtCarrierError(createAdapter().track({ trackingNumber: '1Z5R89390357567127' }))
    expect(guessed).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 })
  })

  it('reports a timeout as unavailable', async () => {
    mockTokens('token-1')
    mockTrack('1Z5R89390357567127', 200, fixture('access-point-collected.json'), { delayMs: 1000 })
    const impatient = createCarrierHttp({ carrier: 'ups', timeoutMs: 100 })
    try {
      const error = await caughtCarrierError(
        createAdapter({ http: impatient }).track({ trackingNumber: '1Z5R89390357567127' }),
      )
      expect(error).toMatchObject({ kind: 'unavailable', message: 'ups: timed out' })
    } finally {
      await impatient.close()
    }
  })
})

describe('ups: properties', () => {
  const adapter = createAdapter()
  const samples = [
    'track-200-delivered.fixture.json',
    'access-point-collected.json',
    'attempts-then-access-point.json',
    'multi-package.json',
    'gmt-fields.json',
    'track-200-not-found-warning.json',
    'track-400-invalid-inquiry.json',
  ].map((name) => fixture(name).trim())
  const sample = fc.constantFrom(...samples)

  /** Thrown, the only error arbitrary input may give is unexpected_response; entries are well formed. */
  const expectRefusedOrParsed = (body: string) => {
    const outcome = parseOutcome(adapter, body)
    if (outcome instanceof CarrierError) expect(outcome.kind).toBe('unexpected_response')
  }

  it('refuses arbitrary strings with unexpected_response only', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), expectRefusedOrParsed), {
      numRuns: propertyRuns(1000),
    })
  })

  it('throws nothing but unexpected_response on arbitrary JSON', () => {
    fc.assert(fc.property(fc.json(), expectRefusedOrParsed), { numRuns: propertyRuns(1000) })
  })

  it('refuses every truncation of the samples', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (text, ratio) => {
        const outcome = parseOutcome(adapter, text.slice(0, Math.floor(ratio * text.length)))
        expect(outcome).toBeInstanceOf(CarrierError)
        expect((outcome as CarrierError).kind).toBe('unexpected_response')
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('throws nothing but unexpected_response when characters of a sample change', () => {
    fc.assert(
      fc.property(
        sample,
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 0, maxLength: 3 }),
        (text, position, replacement) => {
          const index = position % text.length
          expectRefusedOrParsed(text.slice(0, index) + replacement + text.slice(index + 1))
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  /** Every path to a leaf (or a node) of a JSON value. */
  function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
    if (typeof value !== 'object' || value === null) return [prefix]
    const entries = Array.isArray(value)
      ? value.map((item, index) => [index, item] as const)
      : Object.entries(value)
    return [prefix, ...entries.flatMap(([key, item]) => pathsOf(item, [...prefix, key]))]
  }

  function replaceAt(value: unknown, path: ReadonlyArray<string | number>, replacement: unknown): unknown {
    const [head, ...rest] = path
    if (head === undefined) return replacement
    const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
      string | number,
      unknown
    >
    copy[head] = replaceAt(copy[head], rest, replacement)
    return copy
  }

  it('maps or refuses a sample with any value replaced by any JSON, never half-parses', () => {
    fc.assert(
      fc.property(sample, fc.nat(), fc.jsonValue(), (text, position, replacement) => {
        const original: unknown = JSON.parse(text)
        const paths = pathsOf(original)
        const path = paths[position % paths.length] ?? []
        expectRefusedOrParsed(JSON.stringify(replaceAt(original, path, replacement)))
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  const two = (value: number) => String(value).padStart(2, '0')
  const upsActivity = fc.record({
    date: fc
      .tuple(
        fc.integer({ min: 1971, max: 2099 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
      )
      .map(([year, month, day]) => `${year}${two(month)}${two(day)}`),
    time: fc
      .tuple(
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
      )
      .map(([hour, minute, second]) => `${two(hour)}${two(minute)}${two(second)}`),
    gmtOffset: fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -48, max: 56 }).map((quarters) => {
        const minutes = Math.abs(quarters) * 15
        return `${quarters < 0 ? '-' : '+'}${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`
      }),
    ),
    status: fc.record(
      {
        type: fc.constantFrom('D', 'I', 'M', 'MV', 'X', 'U', 'NA', 'Q'),
        code: fc.constantFrom('MP', 'AR', 'DP', '2Q', '2W', 'B0', 'I5', 'ZZ', '48'),
        statusCode: fc.oneof(
          fc.integer({ min: 0, max: 199 }).map(String),
          fc.constantFrom('011', '161', 'X1'),
        ),
        description: fc.string(),
      },
      { requiredKeys: [] },
    ),
  })

  it('sorts every snapshot by instant with offsets, and says final only of a delivery or a completed return', () => {
    fc.assert(
      fc.property(fc.array(upsActivity, { minLength: 1, maxLength: 12 }), (activities) => {
        const [snapshot] = parseOutcome(adapter, answerWith(activities)) as ParseEntry[]
        if (snapshot instanceof CarrierError) {
          // Only an activity with nothing to map refuses the package.
          expect(snapshot.kind).toBe('unexpected_response')
          expect(
            activities.some((item) => Object.keys(item.status).every((key) => key === 'description')),
          ).toBe(true)
          return
        }
        if (!snapshot) throw new Error('expected a snapshot')
        const status = deriveTrackingStatus(snapshot.events)
        if (snapshot.final) expect(['delivered', 'returned_to_sender']).toContain(status)
        if (status === 'delivered') expect(snapshot.deliveredAt).toBeDefined()
        else expect(snapshot.deliveredAt).toBeUndefined()
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
