import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError, type CarrierErrorKind } from '../../adapters/contract.js'
import { LAPOSTE_STATUS_BY_CODE } from '../../adapters/laposte/event-codes.js'
import { createLaPosteAdapter, type LaPosteAdapterDeps } from '../../adapters/laposte/index.js'
import { checkLaPosteNumber } from '../../adapters/laposte/number.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { propertyRuns } from '../support/property-runs.js'
import { runAdapterContract } from './adapter-contract.js'

const FIXTURES = new URL('../fixtures/laposte/', import.meta.url)
const ORIGIN = 'https://api.laposte.fr'
const API_KEY = 'k'.repeat(64)
const http = createCarrierHttp({ carrier: 'laposte', timeoutMs: 2000 })

const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')
const fixtureJson = (name: string): unknown => JSON.parse(fixture(name))

function createAdapter(overrides: Partial<LaPosteAdapterDeps> = {}): CarrierAdapter {
  return createLaPosteAdapter({
    http,
    logger: createSilentLogger(),
    apiKey: API_KEY,
    baseUrl: `${ORIGIN}/suivi/v2`,
    lang: 'fr_FR',
    rateLimit: { max: 10, durationMs: 1000 },
    batchSize: 10,
    ...overrides,
  })
}

function mockSuivi(
  ids: string,
  status: number,
  body?: string,
  options: { headers?: Record<string, string>; delayMs?: number } = {},
) {
  return nock(ORIGIN)
    .get(`/suivi/v2/idships/${ids}`)
    .query({ lang: 'fr_FR' })
    .matchHeader('x-okapi-key', API_KEY)
    .matchHeader('accept', 'application/json')
    .delay(options.delayMs ?? 0)
    .reply(status, body, { 'content-type': 'application/json', ...options.headers })
}

type ParseEntry = CarrierSnapshot | CarrierError

/** What `parse` gives: the error it threw for the whole body, or one entry per parcel. */
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

/** The one snapshot a single-parcel body holds. */
function parseSnapshot(body: string, adapter = createAdapter()): CarrierSnapshot {
  const entries = adapter.parse(body)
  expect(entries).toHaveLength(1)
  return onlySnapshot(entries[0])
}

function expectWellFormed(entries: readonly ParseEntry[]) {
  for (const snapshot of entries) {
    if (snapshot instanceof CarrierError) continue
    const instants = snapshot.events.map((event) => Date.parse(event.occurredAt))
    expect(instants).toEqual([...instants].sort((a, b) => a - b))
    for (const event of snapshot.events) expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
  }
}

function onlySnapshot(result: CarrierSnapshot | CarrierError | undefined): CarrierSnapshot {
  if (result === undefined || result instanceof CarrierError)
    throw new Error(`expected a snapshot: ${result}`)
  return result
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

runAdapterContract('laposte', (hooks) => createAdapter(hooks), {
  history: {
    trackingNumber: 'EW112720413FR',
    arrange: () => mockSuivi('EW112720413FR', 200, fixture('colissimo-intl-delivered.json')),
  },
  unknownCode: {
    trackingNumber: '6A15602676300',
    code: 'ZZ9',
    arrange: () => mockSuivi('6A15602676300', 200, fixture('unknown-code.json')),
  },
  notFound: {
    trackingNumber: '6S00993561113',
    arrange: () => mockSuivi('6S00993561113', 404, fixture('404-returnCode104-spec-example.json')),
  },
  rateLimited: {
    trackingNumber: 'CB662173705US',
    arrange: () => mockSuivi('CB662173705US', 429, fixture('429-gateway-quota.json')),
  },
  garbage: {
    trackingNumber: '8K00009775862',
    arrange: () => mockSuivi('8K00009775862', 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: [
    '[]',
    '{"returnCode":"200","shipment":{"idShip":"8K00009775862"}}',
    '{"code":"SOMETHING_NEW","message":"?"}',
    '[[]]x',
  ],
  facts: {
    claims: [
      { trackingNumber: '6A15602676300', confidence: 0.95 },
      { trackingNumber: 'EW112720413FR', confidence: 0.95 },
      { trackingNumber: 'RB123456785GB', confidence: 0.8 },
      { trackingNumber: '87000634002228A', confidence: 0.9 },
      { trackingNumber: 'XY746876977FR', confidence: 0.4 },
      { trackingNumber: '89108749065090', confidence: 0.4 },
    ],
    pickupHoldDays: 10,
    deliveryDays: [
      ['colissimo', 'ouvrables'],
      ['chronopost', 'ouvres'],
      ['Chronopost', 'ouvres'],
      ['courrier', 'ouvrables'],
      ['colis-prive', 'ouvrables'],
      [undefined, 'ouvrables'],
    ],
  },
})

type SampleEntry = { status: TrackingStatus; trackingNumber: string } | { error: CarrierErrorKind }
type SampleOutcome = { entries: SampleEntry[] } | { thrown: CarrierErrorKind }

/** What each research sample must give through `parse`. */
const SAMPLE_OUTCOMES: Record<string, SampleOutcome> = {
  '207-multi-assembled.json': {
    entries: [{ status: 'info_received', trackingNumber: 'LU680211095FR' }, { error: 'invalid_number' }],
  },
  // An item of a multi-id answer whose returnCode is 404 is that parcel's "not found", not a format change.
  '207-multi-404-item.json': {
    entries: [{ status: 'info_received', trackingNumber: 'LU680211095FR' }, { error: 'not_found' }],
  },
  '400-invalid-number.json': { entries: [{ error: 'invalid_number' }] },
  '400-spec-example.json': { entries: [{ error: 'invalid_number' }] },
  '401-gateway-unauthorized.json': { thrown: 'unauthorized' },
  '404-returnCode104-spec-example.json': { entries: [{ error: 'not_found' }] },
  '429-gateway-quota.json': { thrown: 'rate_limited' },
  'colissimo-intl-delivered.json': { entries: [{ status: 'delivered', trackingNumber: 'EW112720413FR' }] },
  'colissimo-intl-delivered.single-object.json': {
    entries: [{ status: 'delivered', trackingNumber: 'EW112720413FR' }],
  },
  // karrio's codegen sample merges both envelopes. The gateway answers before Suivi runs, so its
  // TOO_MANY_REQUESTS wins; rate_limited is also the safe side (invalid_number would drop the parcel for good).
  'karrio-schema-error-merged.json': { thrown: 'rate_limited' },
  'sandbox-courrier-intl-DR1.json': {
    entries: [{ status: 'info_received', trackingNumber: 'LU680211095FR' }],
  },
}

function describeEntry(entry: ParseEntry): SampleEntry {
  if (entry instanceof CarrierError) return { error: entry.kind }
  return { status: deriveTrackingStatus(entry.events), trackingNumber: entry.trackingNumber }
}

describe('laposte: research samples', () => {
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
    const samples = readdirSync(FIXTURES).filter((name) => name.endsWith('.json.source.txt'))
    expect(samples.length).toBeGreaterThanOrEqual(10)
    for (const source of samples)
      expect(SAMPLE_OUTCOMES, source).toHaveProperty([source.replace(/\.source\.txt$/, '')])
  })

  it('maps the delivered Colissimo oldest first, with its dates, service and product', () => {
    const snapshot = parseSnapshot(fixture('colissimo-intl-delivered.json'))
    expect(snapshot).toMatchObject({
      carrier: 'laposte',
      trackingNumber: 'EW112720413FR',
      estimatedDelivery: '2023-03-09T09:38:00+01:00',
      deliveredAt: '2023-03-09T09:38:00+01:00',
      service: 'colissimo',
      product: 'colissimo',
      final: true,
    })
    const codes = snapshot.events.map((event) => event.code)
    expect(codes).toEqual(['DR1', 'PC1', 'ET1', 'ET1', 'ET2', 'ET3', 'ET1', 'MD2', 'DI1'])
    expect(snapshot.events[0]).toMatchObject({
      occurredAt: '2023-02-17T14:41:00+01:00',
      status: 'info_received',
    })
    expect(snapshot.events.at(-1)).toMatchObject({
      occurredAt: '2023-03-09T09:38:00+01:00',
      status: 'delivered',
      description: 'Votre colis est livré.',
    })
    expect(snapshot.events.every((event) => event.location === undefined)).toBe(true)
  })

  it('dates the delivery from the DI1 event when the shipment has no deliveryDate', () => {
    const body = fixtureJson('colissimo-intl-delivered.single-object.json') as {
      shipment: { deliveryDate?: string }
    }
    delete body.shipment.deliveryDate
    const snapshot = parseSnapshot(JSON.stringify(body))
    expect(snapshot.events.at(-1)).toMatchObject({ code: 'DI1', occurredAt: '2023-03-09T09:38:00+01:00' })
    expect(snapshot.deliveredAt).toBe('2023-03-09T09:38:00+01:00')
  })

  it('keeps deliveryDate over the event when La Poste gives both', () => {
    const body = fixtureJson('colissimo-intl-delivered.single-object.json') as {
      shipment: { deliveryDate?: string }
    }
    body.shipment.deliveryDate = '2023-03-09T09:40:00+01:00'
    expect(parseSnapshot(JSON.stringify(body)).deliveredAt).toBe('2023-03-09T09:40:00+01:00')
  })

  it('gives the same snapshot for a bare object and a one-element array', () => {
    const adapter = createAdapter()
    expect(adapter.parse(fixture('colissimo-intl-delivered.single-object.json'))).toEqual(
      adapter.parse(fixture('colissimo-intl-delivered.json')),
    )
  })

  it('reads the sandbox DR1 letter as courrier, not final, without dates', () => {
    const snapshot = parseSnapshot(fixture('sandbox-courrier-intl-DR1.json'))
    expect(snapshot).toMatchObject({ service: 'courrier', product: 'Courrier international', final: false })
    expect(snapshot.estimatedDelivery).toBeUndefined()
    expect(snapshot.deliveredAt).toBeUndefined()
  })
})

describe('laposte: built scenarios', () => {
  it.each([
    ['colissimo-in-transit.json', 'in_transit', 'colissimo'],
    ['unknown-code.json', 'in_transit', 'colissimo'],
    ['pickup-ag1.json', 'available_for_pickup', 'colissimo'],
    ['return-leg.json', 'returned_to_sender', 'colissimo'],
    ['chronopost-14-digits.json', 'delivered', 'chronopost'],
  ])('%s derives %s', (file, status, service) => {
    const snapshot = parseSnapshot(fixture(file))
    expect(deriveTrackingStatus(snapshot.events)).toBe(status)
    expect(snapshot.service).toBe(service)
  })

  it('keeps a return leg returned_to_sender through the transit scans of the way back', () => {
    const body = fixtureJson('return-leg.json') as { shipment: { event: unknown[] } }
    body.shipment.event.shift() // drop DI2: the parcel is still on its way back
    const snapshot = parseSnapshot(JSON.stringify(body))
    expect(snapshot.events.at(-1)?.code).toBe('ET1')
    expect(deriveTrackingStatus(snapshot.events)).toBe('returned_to_sender')
  })

  it('warns once per unmapped code and never guesses from the label', () => {
    const logger = createSilentLogger()
    const warn = vi.spyOn(logger, 'warn')
    const snapshot = parseSnapshot(fixture('unknown-code.json'), createAdapter({ logger }))
    expect(snapshot.events.find((event) => event.code === 'ZZ9')?.status).toBe('unknown')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn).toHaveBeenCalledWith({ code: 'ZZ9' }, 'unmapped carrier code')
  })

  it('reads an offset-less date as Paris wall clock', () => {
    const body = fixtureJson('colissimo-intl-delivered.single-object.json') as {
      shipment: { event: { date: string }[] }
    }
    const [newest, next] = body.shipment.event
    if (!newest || !next) throw new Error('sample changed')
    newest.date = '2023-07-01T12:00:00'
    next.date = '2023-03-09T09:01:00'
    const snapshot = parseSnapshot(JSON.stringify(body))
    expect(snapshot.events.map((event) => event.occurredAt).slice(-2)).toEqual([
      '2023-03-09T09:01:00+01:00',
      '2023-07-01T12:00:00+02:00',
    ])
  })

  it('keeps an event time sent in UTC with Z as Z, at the same instant', () => {
    const body = fixtureJson('colissimo-intl-delivered.single-object.json') as {
      shipment: { event: { date: string }[] }
    }
    const newest = body.shipment.event[0]
    if (!newest) throw new Error('sample changed')
    newest.date = '2023-03-09T08:38:00Z'
    const snapshot = parseSnapshot(JSON.stringify(body))
    expect(snapshot.events.at(-1)?.occurredAt).toBe('2023-03-09T08:38:00Z')
  })

  it('refuses the whole shipment when one event date is unreadable', () => {
    const body = fixtureJson('colissimo-intl-delivered.single-object.json') as {
      shipment: { event: { date: string }[] }
    }
    const last = body.shipment.event.at(-1)
    if (last) last.date = '17/02/2023 14:41'
    const [entry] = createAdapter().parse(JSON.stringify(body))
    expect(entry).toMatchObject({ name: 'CarrierError', kind: 'unexpected_response' })
  })
})

describe('laposte: event code table', () => {
  const rows = readFileSync(new URL('suivi-v2-event-codes.csv', FIXTURES), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map(splitCsvLine)
  const suggested = Object.fromEntries(rows.map((cells) => [cells[0], cells[3]]))

  it('holds every CSV code with the CSV suggested status, and nothing else', () => {
    expect(rows.length).toBeGreaterThan(20)
    expect(LAPOSTE_STATUS_BY_CODE).toEqual(suggested)
  })
})

function splitCsvLine(line: string): string[] {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (const char of line) {
    if (char === '"') quoted = !quoted
    else if (char === ',' && !quoted) {
      cells.push(cell)
      cell = ''
    } else cell += char
  }
  cells.push(cell)
  return cells
}

describe('laposte: HTTP', () => {
  it('sends the key, Accept and lang, and reads the body', async () => {
    const scope = nock(ORIGIN)
      .get('/suivi/v2/idships/EW112720413FR')
      .query({ lang: 'en_GB' })
      .matchHeader('x-okapi-key', API_KEY)
      .matchHeader('accept', 'application/json')
      .reply(200, fixture('colissimo-intl-delivered.single-object.json'))
    const snapshot = await createAdapter({ lang: 'en_GB' }).track({ trackingNumber: 'EW112720413FR' })
    expect(scope.isDone()).toBe(true)
    expect(snapshot.events).toHaveLength(9)
  })

  it('fails unauthorized without calling La Poste when the key is missing', async () => {
    const adapter = createAdapter({ apiKey: undefined })
    expect(adapter.configured).toBe(false)
    expect(adapter.needsCredentials).toBe(true)
    const error = await caughtCarrierError(adapter.track({ trackingNumber: 'EW112720413FR' }))
    expect(error.kind).toBe('unauthorized')
    expect(error.message).toBe('LAPOSTE_API_KEY is not set')
  })

  it.each([
    ['404 without a body', 'not_found', 404, undefined],
    ['404 with an HTML page', 'not_found', 404, '<html>Not Found</html>'],
    ['200 with returnCode 104', 'not_found', 200, fixture('404-returnCode104-spec-example.json')],
    ['400 with returnCode 400', 'invalid_number', 400, fixture('400-spec-example.json')],
    ['401 from the gateway', 'unauthorized', 401, fixture('401-gateway-unauthorized.json')],
    ['403 without a body', 'unauthorized', 403, ''],
    ['200 with a gateway UNAUTHORIZED', 'unauthorized', 200, fixture('401-gateway-unauthorized.json')],
    ['500 with a Suivi envelope', 'unavailable', 500, '{"returnCode":500}'],
    ['503 without a body', 'unavailable', 503, ''],
    ['504 without a body', 'unavailable', 504, ''],
    ['302 redirect', 'unexpected_response', 302, ''],
    [
      '200 with a shipment without idShip',
      'unexpected_response',
      200,
      '{"returnCode":200,"shipment":{"holder":4}}',
    ],
  ] as const)('maps %s to %s', async (_label, kind, status, body) => {
    mockSuivi('6S00993561113', status, body)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '6S00993561113' }))
    expect(error.kind).toBe(kind)
  })

  it('reads the wait of a 429 from Retry-After, else waits 1 s', async () => {
    mockSuivi('CB662173705US', 429, fixture('429-gateway-quota.json'), {
      headers: { 'retry-after': '7' },
    })
    const told = await caughtCarrierError(createAdapter().track({ trackingNumber: 'CB662173705US' }))
    expect(told).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 })
    mockSuivi('CB662173705US', 429, fixture('429-gateway-quota.json'))
    const guessed = await caughtCarrierError(createAdapter().track({ trackingNumber: 'CB662173705US' }))
    expect(guessed).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 })
  })

  it('reports a timeout as unavailable', async () => {
    mockSuivi('EW112720413FR', 200, fixture('colissimo-intl-delivered.json'), { delayMs: 1000 })
    const impatient = createCarrierHttp({ carrier: 'laposte', timeoutMs: 100 })
    try {
      const error = await caughtCarrierError(
        createAdapter({ http: impatient }).track({ trackingNumber: 'EW112720413FR' }),
      )
      expect(error).toMatchObject({ kind: 'unavailable', message: 'laposte: timed out' })
    } finally {
      await impatient.close()
    }
  })

  it('tracks a bare Chronopost 14-digit number that La Poste echoes with its check character', async () => {
    mockSuivi('13199341485349', 200, fixture('chronopost-14-digits.json'))
    const snapshot = await createAdapter().track({ trackingNumber: '13199341485349' })
    expect(snapshot).toMatchObject({ trackingNumber: '13199341485349X', service: 'chronopost' })
    expect(snapshot.deliveredAt).toBe('2025-03-04T12:41:00+01:00')
  })
})

describe('laposte: trackBatch', () => {
  const asked = ['CB662173705US', 'RB658828494MQ', 'EC123456789FR']

  it('asks several numbers in one request and answers each number on its own', async () => {
    const scope = mockSuivi(asked.join(','), 207, fixture('207-multi-mixed.json'))
    const results = await createAdapter().trackBatch?.(asked.map((trackingNumber) => ({ trackingNumber })))
    expect(scope.isDone()).toBe(true)
    expect([...(results?.keys() ?? [])]).toEqual(asked)
    const snapshot = onlySnapshot(results?.get('CB662173705US'))
    expect(deriveTrackingStatus(snapshot.events)).toBe('in_transit')
    expect(results?.get('RB658828494MQ')).toMatchObject({ name: 'CarrierError', kind: 'not_found' })
    expect(results?.get('EC123456789FR')).toMatchObject({ name: 'CarrierError', kind: 'invalid_number' })
  })

  it('answers not_found for the number whose item in a 207 says returnCode 404, the shipment for the other', async () => {
    const numbers = ['LU680211095FR', 'RB658828494MQ']
    mockSuivi(numbers.join(','), 207, fixture('207-multi-404-item.json'))
    const results = await createAdapter().trackBatch?.(numbers.map((trackingNumber) => ({ trackingNumber })))
    expect(onlySnapshot(results?.get('LU680211095FR')).events.map((event) => event.code)).toEqual(['DR1'])
    expect(results?.get('RB658828494MQ')).toMatchObject({ name: 'CarrierError', kind: 'not_found' })
  })

  it('pairs a 14-digit number with the 15-character idShip La Poste sends back', async () => {
    const body = `[${fixture('chronopost-14-digits.json')},${fixture('colissimo-in-transit.json')}]`
    mockSuivi('8K00009775862,13199341485349', 207, body)
    const results = await createAdapter().trackBatch?.([
      { trackingNumber: '8K00009775862' },
      { trackingNumber: '13199341485349' },
    ])
    expect(onlySnapshot(results?.get('13199341485349')).trackingNumber).toBe('13199341485349X')
    expect(onlySnapshot(results?.get('8K00009775862')).trackingNumber).toBe('8K00009775862')
  })

  it('on a whole-batch 400 drops only the number La Poste names', async () => {
    mockSuivi(
      'CB662173705US,EC123456789FR',
      400,
      JSON.stringify({ returnCode: 400, idShip: 'EC123456789FR' }),
    )
    const results = await createAdapter().trackBatch?.([
      { trackingNumber: 'CB662173705US' },
      { trackingNumber: 'EC123456789FR' },
    ])
    expect(results?.get('EC123456789FR')).toMatchObject({ kind: 'invalid_number' })
    expect(results?.get('CB662173705US')).toMatchObject({ kind: 'unavailable' })
  })

  it('throws request-wide errors, asks nothing for an empty batch, refuses an oversized one', async () => {
    mockSuivi(asked.join(','), 401, fixture('401-gateway-unauthorized.json'))
    const adapter = createAdapter({ batchSize: 3 })
    const queries = asked.map((trackingNumber) => ({ trackingNumber }))
    expect((await caughtCarrierError(adapter.trackBatch?.(queries) ?? Promise.resolve())).kind).toBe(
      'unauthorized',
    )
    expect(await adapter.trackBatch?.([])).toEqual(new Map())
    await expect(adapter.trackBatch?.([...queries, { trackingNumber: '8K00009775862' }])).rejects.toThrow(
      RangeError,
    )
  })
})

describe('laposte: numbers', () => {
  it.each([
    ['EW112720413FR', true],
    ['CB662173705US', true],
    ['XG953488284JB', true],
    ['8K00009775862', true],
    ['87000634002228A', true],
    ['13199341485349', true],
    ['8K00009775863', false],
    ['RB123456786US', false],
    ['86000634002228A', false],
    ['EW112720413F', false],
  ])('checks %s → %s', (trackingNumber, ok) => {
    expect(checkLaPosteNumber(trackingNumber).ok).toBe(ok)
  })

  it('says which check digit was expected, or which formats exist', () => {
    expect(checkLaPosteNumber('6A15602676306')).toEqual({ ok: false, reason: 'check digit is 6, expected 0' })
    const junk = checkLaPosteNumber('HELLO')
    expect(junk.ok).toBe(false)
    if (!junk.ok) expect(junk.reason).toMatch(/^not a La Poste tracking number format/)
  })
})

/** Independent oracles, written from the published check-digit rules rather than taken from the domain code. */
function laPoste13Oracle(serial: string): number {
  const sum = [...serial].reduce(
    (total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 1 : 3),
    0,
  )
  return (10 - (sum % 10)) % 10
}

function s10Oracle(serial: string): number {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7]
  const sum = [...serial].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0)
  const check = 11 - (sum % 11)
  return check === 10 ? 0 : check === 11 ? 5 : check
}

type JsonPath = (string | number)[]

function listPaths(value: unknown, path: JsonPath = []): JsonPath[] {
  if (Array.isArray(value)) {
    return [path, ...value.flatMap((item, index) => listPaths(item, [...path, index]))]
  }
  if (value !== null && typeof value === 'object') {
    return [path, ...Object.entries(value).flatMap(([key, item]) => listPaths(item, [...path, key]))]
  }
  return [path]
}

const REMOVE = Symbol('remove')

function mutateAt(root: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement === REMOVE ? null : replacement
  const copy = structuredClone(root) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path.at(-1) as string | number
  if (replacement !== REMOVE) parent[last] = replacement
  else if (Array.isArray(parent)) parent.splice(Number(last), 1)
  else delete parent[last]
  return copy
}

describe('laposte: properties', () => {
  const adapter = createAdapter()
  const sampleText = fixture('colissimo-intl-delivered.json').trim()
  const sample: unknown = JSON.parse(sampleText)
  const paths = listPaths(sample)

  /** Thrown or per parcel, the only error arbitrary input may give is unexpected_response. */
  const expectRefusedOrParsed = (body: string) => {
    const outcome = parseOutcome(adapter, body)
    for (const entry of outcome instanceof CarrierError ? [outcome] : outcome) {
      if (entry instanceof CarrierError) expect(entry.kind).toBe('unexpected_response')
    }
  }

  it('refuses arbitrary strings with unexpected_response only', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), expectRefusedOrParsed), {
      numRuns: propertyRuns(1000),
    })
  })

  it('refuses arbitrary JSON with unexpected_response only', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectRefusedOrParsed(JSON.stringify(value))),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('refuses every truncation of the real sample', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sampleText.length - 1 }), (length) => {
        const outcome = parseOutcome(adapter, sampleText.slice(0, length))
        expect(outcome).toBeInstanceOf(CarrierError)
        expect((outcome as CarrierError).kind).toBe('unexpected_response')
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('maps or refuses a shipment with any field changed or removed, never half-parses', () => {
    const shipmentPaths = paths.filter((path) => path[0] === 0 && path[1] === 'shipment')
    fc.assert(
      fc.property(
        fc.constantFrom(...shipmentPaths),
        fc.oneof(fc.constant(REMOVE), fc.jsonValue()),
        (path, replacement) => expectRefusedOrParsed(JSON.stringify(mutateAt(sample, path, replacement))),
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('throws nothing but CarrierError when any character of the sample is changed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sampleText.length - 1 }),
        fc.string({ unit: 'binary', minLength: 0, maxLength: 3 }),
        (index, text) => {
          parseOutcome(adapter, sampleText.slice(0, index) + text + sampleText.slice(index + 1))
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  const two = (value: number) => String(value).padStart(2, '0')
  const offset = fc.oneof(
    fc.constantFrom('', 'Z', '+01:00', '+02:00'),
    fc.integer({ min: -48, max: 56 }).map((quarters) => {
      const minutes = Math.abs(quarters) * 15
      return `${quarters < 0 ? '-' : '+'}${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`
    }),
  )
  const carrierDate = fc
    .tuple(
      fc.integer({ min: 1971, max: 2099 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
      offset,
    )
    .map(([year, month, day, hour, minute, second, zone]) => {
      return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${zone}`
    })
  const carrierEvent = fc.record({
    code: fc.oneof(fc.constantFrom(...Object.keys(LAPOSTE_STATUS_BY_CODE)), fc.constantFrom('ZZ9', ' DI1 ')),
    label: fc.string(),
    date: carrierDate,
  })

  it('sorts every parsed snapshot by instant, every occurredAt with an offset, Z only where sent', () => {
    fc.assert(
      fc.property(fc.array(carrierEvent, { maxLength: 12 }), fc.boolean(), (drawn, asArray) => {
        // Each label names its event, so every mapped event can be traced back to the date it was sent with.
        const events = drawn.map((event, index) => ({ ...event, label: `#${index}` }))
        const item = { returnCode: 200, shipment: { idShip: '8K00009775862', holder: 4, event: events } }
        const snapshot = parseSnapshot(JSON.stringify(asArray ? [item] : item), adapter)
        expectWellFormed([snapshot])
        for (const event of snapshot.events) {
          const sent = events[Number(event.description.slice(1))]?.date ?? ''
          expect(event.occurredAt.endsWith('Z')).toBe(sent.endsWith('Z'))
          if (sent.endsWith('Z')) expect(Date.parse(event.occurredAt)).toBe(Date.parse(sent))
        }
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('agrees with the 1-3 mod 10 check digit on random 13-character numbers', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d[A-Z]\d{10}$/), fc.integer({ min: 0, max: 9 }), (head, digit) => {
        const expected = laPoste13Oracle(head.slice(2))
        const check = checkLaPosteNumber(`${head}${digit}`)
        expect(check.ok).toBe(digit === expected)
        if (!check.ok) expect(check.reason).toBe(`check digit is ${digit}, expected ${expected}`)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('agrees with the S10 check digit on random S10 numbers', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{2}\d{8}$/),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom('FR', 'US', 'GB', 'MQ', 'DE', 'JB', 'JF', 'TS'),
        (head, digit, suffix) => {
          const check = checkLaPosteNumber(`${head}${digit}${suffix}`)
          expect(check.ok).toBe(digit === s10Oracle(head.slice(2)))
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('never throws on arbitrary input to checkNumber and accepts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const check = adapter.checkNumber(text)
        expect(adapter.accepts(text)).toBe(check.ok)
        if (!check.ok) expect(check.reason.length).toBeGreaterThan(5)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
