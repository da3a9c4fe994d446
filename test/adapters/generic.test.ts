import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import {
  CarrierDefinitionError,
  type GenericCarrierDefinition,
  parseCarrierDefinitions,
} from '../../adapters/generic/definition-schema.js'
import { createGenericAdapter, type GenericAdapterDeps } from '../../adapters/generic/index.js'
import { loadCarrierDefinitions } from '../../adapters/generic/load-definitions.js'
import { deriveEventCode } from '../../adapters/generic/map-events.js'
import { createStatusMapper } from '../../adapters/generic/map-status.js'
import { compileDateFormat, parseCarrierDate } from '../../adapters/generic/parse-date.js'
import { BUILTIN_CARRIER_IDS } from '../../adapters/registry.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { propertyRuns } from '../support/property-runs.js'
import { runAdapterContract } from './adapter-contract.js'

const EXAMPLES_PATH = fileURLToPath(
  new URL('../../adapters/generic/examples/carriers.example.json', import.meta.url),
)
const FIXTURES = new URL('../fixtures/generic/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')

const ACME_ORIGIN = 'https://suivi.acme-colis.example'
const API_ORIGIN = 'https://api.parcelapi.example'
const TOKEN = 'test-token-not-a-real-secret'
const ENV = { PARCELAPI_TOKEN: TOKEN }

const DEFINITIONS = loadCarrierDefinitions(EXAMPLES_PATH, BUILTIN_CARRIER_IDS)
const ACME = definitionOf('acme-html')
const PARCELAPI = definitionOf('parcelapi-json')
const https = new Map(
  DEFINITIONS.map((definition) => [
    definition.id,
    createCarrierHttp({ carrier: definition.id, timeoutMs: definition.request.timeoutMs }),
  ]),
)

function definitionOf(id: string): GenericCarrierDefinition {
  const definition = DEFINITIONS.find((candidate) => candidate.id === id)
  if (!definition) throw new Error(`no example definition ${id}`)
  return definition
}

function createAdapter(
  definition: GenericCarrierDefinition,
  overrides: Partial<GenericAdapterDeps> = {},
): CarrierAdapter {
  const http = https.get(definition.id) ?? createCarrierHttp({ carrier: definition.id, timeoutMs: 2000 })
  return createGenericAdapter(definition, { http, logger: createSilentLogger(), env: ENV, ...overrides })
}

function mockAcme(number: string, status: number, body = '', headers: Record<string, string> = {}) {
  return nock(ACME_ORIGIN)
    .get(`/colis/${number}`)
    .matchHeader('accept', 'text/html')
    .matchHeader('accept-language', 'fr-FR')
    .reply(status, body, { 'content-type': 'text/html; charset=utf-8', ...headers })
}

function mockParcelApi(number: string, status: number, body = '', headers: Record<string, string> = {}) {
  return nock(API_ORIGIN)
    .get(`/v1/track/${number}`)
    .matchHeader('authorization', `Bearer ${TOKEN}`)
    .matchHeader('accept', 'application/json')
    .reply(status, body, { 'content-type': 'application/json', ...headers })
}

function onlySnapshot(entries: Array<CarrierSnapshot | CarrierError>): CarrierSnapshot {
  expect(entries).toHaveLength(1)
  const [entry] = entries
  if (entry === undefined || entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry}`)
  return entry
}

/** `parse` either refuses the whole body with `unexpected_response` or gives well-formed entries. */
function expectParseContract(adapter: CarrierAdapter, body: string) {
  let entries: Array<CarrierSnapshot | CarrierError>
  try {
    entries = adapter.parse(body)
  } catch (error) {
    expect(error).toBeInstanceOf(CarrierError)
    expect((error as CarrierError).kind).toBe('unexpected_response')
    return
  }
  for (const entry of entries) {
    if (entry instanceof CarrierError) continue
    const instants = entry.events.map((event) => Date.parse(event.occurredAt))
    expect(instants).toEqual([...instants].sort((a, b) => a - b))
    for (const event of entry.events) expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
  }
}

beforeAll(() => {
  nock.disableNetConnect()
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(async () => {
  nock.enableNetConnect()
  await Promise.all([...https.values()].map((http) => http.close()))
})

runAdapterContract('acme-html', (hooks) => createAdapter(ACME, hooks), {
  history: {
    trackingNumber: 'ACM123456789',
    arrange: () => mockAcme('ACM123456789', 200, fixture('acme-html-journey.html')),
  },
  unknownCode: {
    trackingNumber: 'ACM987654321',
    code: 'COLIS_EN_ATTENTE_DE_DEDOUANEMENT',
    arrange: () => mockAcme('ACM987654321', 200, fixture('acme-html-unknown-label.html')),
  },
  notFound: {
    trackingNumber: 'ACM000000001',
    arrange: () => mockAcme('ACM000000001', 200, fixture('acme-html-not-found.html')),
  },
  rateLimited: {
    trackingNumber: 'ACM000000002',
    arrange: () => mockAcme('ACM000000002', 429, 'Trop de requêtes', { 'retry-after': '30' }),
  },
  garbage: {
    trackingNumber: 'ACM000000003',
    arrange: () => mockAcme('ACM000000003', 200, fixture('acme-html-garbage.html')),
  },
  garbageBodies: [
    fixture('acme-html-garbage.html'),
    fixture('acme-html-journey.html').replace('"date">31/03/2026', '"date">31/02/2026'),
    fixture('acme-html-journey.html').replace('11:42', '11h42'),
  ],
  facts: {
    claims: [{ trackingNumber: 'ACM123456789', confidence: 0.6 }],
    pickupHoldDays: 10,
    deliveryDays: [[undefined, 'ouvrables']],
  },
})

runAdapterContract('parcelapi-json', (hooks) => createAdapter(PARCELAPI, hooks), {
  history: {
    trackingNumber: 'PA0123456789',
    arrange: () => mockParcelApi('PA0123456789', 200, fixture('parcelapi-json-journey.json')),
  },
  unknownCode: {
    trackingNumber: 'PA0987654321',
    code: 'XQZ',
    arrange: () => mockParcelApi('PA0987654321', 200, fixture('parcelapi-json-unknown-code.json')),
  },
  notFound: {
    trackingNumber: 'PA0000000001',
    arrange: () => mockParcelApi('PA0000000001', 404, fixture('parcelapi-json-not-found.json')),
  },
  rateLimited: {
    trackingNumber: 'PA0000000002',
    arrange: () => mockParcelApi('PA0000000002', 429, '{"error":{"code":"QUOTA"}}'),
  },
  garbage: {
    trackingNumber: 'PA0000000003',
    arrange: () => mockParcelApi('PA0000000003', 200, fixture('parcelapi-json-garbage.json')),
  },
  garbageBodies: [
    fixture('parcelapi-json-garbage.json'),
    fixture('parcelapi-json-journey.json').replace('2026-04-30T10:12:00+01:00', '30/04/2026 10:12'),
    '{"parcel":{"events":{}}}',
    '{"parcel":{"events":[1]}}',
    '{"parcel":{"events":[{"code":"DLV","label":"Delivered","timestamp":{"at":1}}]}}',
    '{"parcel":{"events":[{"code":"DLV","label":"Delivered"}]}}',
  ],
  facts: {
    claims: [{ trackingNumber: 'PA0123456789', confidence: 0.6 }],
    pickupHoldDays: 10,
    deliveryDays: [[undefined, 'ouvrables']],
  },
})

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
const REMOVE = Symbol('remove')

function exampleFile(): { carriers: Array<{ [key: string]: Json }> } {
  return JSON.parse(readFileSync(EXAMPLES_PATH, 'utf8'))
}

type Edit = [path: Array<string | number>, value: Json | typeof REMOVE]

/** The example file with the value at each path replaced (or removed). */
function exampleWith(...edits: Edit[]): unknown {
  const file: unknown = exampleFile()
  for (const [path, value] of edits) {
    let parent = file as Record<string | number, unknown>
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
    const last = path[path.length - 1] as string | number
    if (value === REMOVE) delete parent[last]
    else parent[last] = value
  }
  return file
}

function definitionIssues(json: unknown): string[] {
  try {
    parseCarrierDefinitions(json, BUILTIN_CARRIER_IDS)
  } catch (error) {
    if (error instanceof CarrierDefinitionError) return error.issues
    throw error
  }
  return []
}

function definitionWith(carrier: { [key: string]: Json }): GenericCarrierDefinition {
  const [definition] = parseCarrierDefinitions({ carriers: [carrier] }, BUILTIN_CARRIER_IDS)
  if (!definition) throw new Error('no definition')
  return definition
}

describe('generic: definition files', () => {
  it('loads the example file with its defaults filled in', () => {
    expect(DEFINITIONS.map((definition) => definition.id)).toEqual(['acme-html', 'parcelapi-json'])
    expect(ACME.request).toMatchObject({
      method: 'GET',
      timeoutMs: 10_000,
      rateLimit: { max: 2, durationMs: 1000 },
    })
    const minimal = exampleWith([
      ['carriers', 0, 'request'],
      {
        url: 'https://suivi.acme-colis.example/{trackingNumber}',
      },
    ])
    const carrier = (minimal as { carriers: Array<{ [key: string]: Json }> }).carriers[0] ?? {}
    delete carrier.dates
    const definition = definitionWith(carrier)
    expect(definition.request).toEqual({
      method: 'GET',
      url: 'https://suivi.acme-colis.example/{trackingNumber}',
      headers: {},
      timeoutMs: 10_000,
      rateLimit: { max: 5, durationMs: 1000 },
    })
    expect(definition.dates).toEqual({ formats: ['iso'], timeZone: 'Europe/Paris' })
  })

  it('names the file when it is missing or not JSON', () => {
    const missing = '/nonexistent/carriers.json'
    expect(() => loadCarrierDefinitions(missing, BUILTIN_CARRIER_IDS)).toThrow(CarrierDefinitionError)
    expect(() => loadCarrierDefinitions(missing, BUILTIN_CARRIER_IDS)).toThrow(
      /\/nonexistent\/carriers\.json[\s\S]*no such file/,
    )
    const notJson = fileURLToPath(new URL('acme-html-journey.html', FIXTURES))
    expect(() => loadCarrierDefinitions(notJson, BUILTIN_CARRIER_IDS)).toThrow(
      /acme-html-journey\.html[\s\S]*not JSON/,
    )
  })

  const MISTAKES: Array<[string, Array<string | number>, Json | typeof REMOVE, string]> = [
    ['a missing field', [1, 'extraction', 'events'], REMOVE, 'carriers[1].extraction.events: required'],
    [
      'a bad regular expression',
      [0, 'statusMapping', 'patterns', 2, 'pattern'],
      'livr(',
      'carriers[0].statusMapping.patterns[2].pattern: invalid regular expression: ',
    ],
    [
      'an unknown status',
      [1, 'statusMapping', 'codes', 'DLV'],
      'arrived',
      'carriers[1].statusMapping.codes.DLV: "arrived" is not an event status',
    ],
    [
      'a bad time zone',
      [0, 'dates', 'timeZone'],
      'Europe/Pariss',
      'carriers[0].dates.timeZone: "Europe/Pariss" is not an IANA time zone',
    ],
    ['a bad id', [0, 'id'], 'Acme HTML', 'carriers[0].id: must be 2 to 32 lower-case letters'],
    ['a duplicate id', [1, 'id'], 'acme-html', 'carriers[1].id: "acme-html" is already used by carriers[0]'],
    ['a built-in id', [1, 'id'], 'laposte', 'carriers[1].id: "laposte" is a built-in carrier'],
    [
      'an inline secret in Authorization',
      [1, 'request', 'headers', 'Authorization'],
      'Bearer abc123',
      'carriers[1].request.headers.Authorization: looks like a secret',
    ],
    [
      'an inline API key',
      [0, 'request', 'headers', 'X-Api-Key'],
      'abc123',
      'carriers[0].request.headers.X-Api-Key: looks like a secret',
    ],
    [
      'a lower-case environment variable name',
      [1, 'request', 'headers', 'Authorization', 'env'],
      'parcelapi_token',
      'carriers[1].request.headers.Authorization.env: must be an environment variable name',
    ],
    [
      'a url without {trackingNumber}',
      [1, 'request', 'url'],
      'https://api.parcelapi.example/v1/track',
      'carriers[1].request.url: must contain {trackingNumber}',
    ],
    ['a url that is no URL', [1, 'request', 'url'], 'api/{trackingNumber}', 'carriers[1].request.url: "api/'],
    [
      'a body on a GET',
      [1, 'request', 'body'],
      '{"id":"{trackingNumber}"}',
      'carriers[1].request.body: needs',
    ],
    [
      'an unknown date pattern letter',
      [0, 'dates', 'formats', 0],
      'YYYY-MM-DD',
      'carriers[0].dates.formats[0]: "YYYY-MM-DD": unknown pattern letter "Y"',
    ],
    ['a misspelt key', [0, 'extration'], {}, 'carriers[0]: unknown key "extration"'],
    [
      'an attribute on a JSON field',
      [1, 'extraction', 'fields', 'date'],
      { from: 'timestamp', attribute: 'datetime' },
      'carriers[1].extraction.fields.date.attribute: only applies to html and xml responses',
    ],
    [
      'a CSS selector that does not parse',
      [0, 'extraction', 'events'],
      'table[',
      'carriers[0].extraction.events: "table[" is not a CSS selector',
    ],
    [
      'a JSON path that does not parse',
      [1, 'extraction', 'events'],
      'parcel..events',
      'carriers[1].extraction.events: "parcel..events" is not a JSON path',
    ],
    [
      'a status mapping with nothing',
      [1, 'statusMapping'],
      {},
      'carriers[1].statusMapping: needs codes, patterns',
    ],
    [
      'a reserved not-found status',
      [1, 'notFound', 'httpStatus', 0],
      429,
      'carriers[1].notFound.httpStatus[0]: is reserved',
    ],
    [
      'an example the pattern refuses',
      [0, 'numbers', 'example'],
      'ACM12',
      'carriers[0].numbers.example: "ACM12"',
    ],
    ['an unknown response kind', [0, 'response', 'kind'], 'yaml', 'carriers[0].response.kind: '],
    [
      'a timeout that is no number',
      [1, 'request', 'timeoutMs'],
      '10s',
      'carriers[1].request.timeoutMs: expected number, got string',
    ],
  ]

  it.each(MISTAKES)('names the path of %s', (_name, path, value, expected) => {
    const issues = definitionIssues(exampleWith([['carriers', ...path], value]))
    expect(issues, issues.join('\n')).toEqual(expect.arrayContaining([expect.stringContaining(expected)]))
    expect(issues.find((issue) => issue.includes(expected))?.startsWith(expected.split(':')[0] ?? '')).toBe(
      true,
    )
  })

  it('lists every issue of the file in one error', () => {
    const file = exampleWith(
      [['carriers', 0, 'dates', 'timeZone'], 'Mars/Olympus'],
      [['carriers', 1, 'extraction', 'events'], REMOVE],
    )
    const error = (() => {
      try {
        parseCarrierDefinitions(file, BUILTIN_CARRIER_IDS, 'carriers.json')
      } catch (thrown) {
        return thrown
      }
    })()
    expect(error).toBeInstanceOf(CarrierDefinitionError)
    const message = (error as CarrierDefinitionError).message
    expect(message).toContain('in carriers.json')
    expect(message).toContain('carriers[0].dates.timeZone: "Mars/Olympus" is not an IANA time zone')
    expect(message).toContain('carriers[1].extraction.events: required')
  })

  it('refuses a file that is not { carriers: [...] }', () => {
    expect(definitionIssues({})).toEqual(['carriers: required'])
    expect(definitionIssues([])).toEqual(['(root): expected object, got an array'])
    expect(definitionIssues({ carriers: [null] })).toEqual(['carriers[0]: expected object, got null'])
  })
})

describe('generic: credentials from the environment', () => {
  it('sends the env header and is configured when the variable is set', async () => {
    const adapter = createAdapter(PARCELAPI)
    expect(adapter).toMatchObject({ needsCredentials: true, configured: true, batchSize: 1 })
    expect(adapter.rateLimit).toEqual({ max: 10, durationMs: 1000 })
    const scope = mockParcelApi('PA0123456789', 200, fixture('parcelapi-json-journey.json'))
    await adapter.track({ trackingNumber: 'PA0123456789' })
    expect(scope.isDone()).toBe(true)
  })

  it.each([{}, { PARCELAPI_TOKEN: '' }])(
    'is not configured and refuses to call without it (%j)',
    async (env) => {
      const adapter = createAdapter(PARCELAPI, { env })
      expect(adapter).toMatchObject({ needsCredentials: true, configured: false })
      const scope = nock(API_ORIGIN)
        .get('/v1/track/PA0123456789')
        .reply(200, fixture('parcelapi-json-journey.json'))
      const error = await caughtCarrierError(adapter.track({ trackingNumber: 'PA0123456789' }))
      expect(error.kind).toBe('unauthorized')
      expect(error.message).toContain('PARCELAPI_TOKEN')
      expect(scope.isDone()).toBe(false)
    },
  )

  it('needs no credentials when no header names a variable', () => {
    expect(createAdapter(ACME, { env: {} })).toMatchObject({ needsCredentials: false, configured: true })
  })
})

describe('generic: requests', () => {
  const postCarrier = (): { [key: string]: Json } => ({
    id: 'post-demo',
    name: 'Post demo',
    numbers: { pattern: '[A-Z0-9"#&]{3,20}' },
    request: {
      method: 'POST',
      url: 'https://post.example/track?n={trackingNumber}',
      headers: { 'X-Client': 'colis' },
      body: '{"query":{"id":"{trackingNumber}"}}',
    },
    response: { kind: 'json' },
    extraction: { events: 'events', fields: { code: 'c', description: 'd', date: 't' } },
    statusMapping: { codes: { D: 'delivered' } },
  })

  it('URL-encodes the number in the url and JSON-escapes it in a JSON body', async () => {
    const number = 'AB"#&1'
    const scope = nock('https://post.example')
      .post('/track', (body) => body?.query?.id === number)
      .query({ n: number })
      .matchHeader('content-type', 'application/json')
      .matchHeader('x-client', 'colis')
      .reply(200, { events: [{ c: 'D', d: 'Delivered', t: '2026-05-02T11:42:00+02:00' }] })
    const adapter = createAdapter(definitionWith(postCarrier()))
    const snapshot = await adapter.track({ trackingNumber: number })
    expect(scope.isDone()).toBe(true)
    expect(snapshot.events.map((event) => event.status)).toEqual(['delivered'])
    expect(snapshot.trackingNumber).toBe(number)
  })

  it('reads an XML body, an attribute of the row itself with :scope', () => {
    const adapter = createAdapter(
      definitionWith({
        ...postCarrier(),
        request: { url: 'https://xml.example/{trackingNumber}' },
        response: { kind: 'xml' },
        extraction: {
          events: 'history > event',
          fields: { code: { from: ':scope', attribute: 'code' }, description: 'what', date: 'when' },
          trackingNumber: 'parcel > number',
        },
      }),
    )
    const body =
      '<?xml version="1.0"?><parcel><number>xm-1</number><history>' +
      '<event code="D"><when>2026-05-02T11:42:00+02:00</when><what>Delivered</what></event>' +
      '<event code="P"><when>2026-05-01T09:00:00+02:00</when><what>Picked up</what></event></history></parcel>'
    const snapshot = onlySnapshot(adapter.parse(body))
    expect(snapshot.trackingNumber).toBe('XM1')
    expect(snapshot.events.map((event) => [event.code, event.status])).toEqual([
      ['P', 'unknown'],
      ['D', 'delivered'],
    ])
  })
})

describe('generic: HTTP answers', () => {
  it.each([
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [500, 'unavailable'],
    [503, 'unavailable'],
    [302, 'unexpected_response'],
    [410, 'unexpected_response'],
  ] as const)('maps HTTP %i to %s', async (status, kind) => {
    mockParcelApi('PA0123456789', status, '<html>nope</html>')
    const error = await caughtCarrierError(createAdapter(PARCELAPI).track({ trackingNumber: 'PA0123456789' }))
    expect(error.kind).toBe(kind)
  })

  it('reads Retry-After, and waits 1000 ms when the carrier sends none', async () => {
    mockParcelApi('PA0123456789', 429, '', { 'retry-after': '7' })
    expect(
      (await caughtCarrierError(createAdapter(PARCELAPI).track({ trackingNumber: 'PA0123456789' })))
        .retryAfterMs,
    ).toBe(7000)
    mockParcelApi('PA0123456789', 429)
    expect(
      (await caughtCarrierError(createAdapter(PARCELAPI).track({ trackingNumber: 'PA0123456789' })))
        .retryAfterMs,
    ).toBe(1000)
  })

  it('reports a carrier slower than its timeout as unavailable', async () => {
    nock(API_ORIGIN).get('/v1/track/PA0123456789').delay(500).reply(200, '{}')
    const http = createCarrierHttp({ carrier: 'parcelapi-json', timeoutMs: 100 })
    const error = await caughtCarrierError(
      createAdapter(PARCELAPI, { http }).track({ trackingNumber: 'PA0123456789' }),
    )
    expect(error.kind).toBe('unavailable')
    await http.close()
  })

  it('tells "not found" by status, JSON path, CSS selector or body pattern', async () => {
    const notFoundBody = fixture('parcelapi-json-not-found.json')
    mockParcelApi('PA0000000001', 200, notFoundBody)
    expect(
      (await caughtCarrierError(createAdapter(PARCELAPI).track({ trackingNumber: 'PA0000000001' }))).kind,
    ).toBe('not_found')
    mockParcelApi('PA0000000001', 400, notFoundBody)
    expect(
      (await caughtCarrierError(createAdapter(PARCELAPI).track({ trackingNumber: 'PA0000000001' }))).kind,
    ).toBe('not_found')
    mockAcme('ACM000000001', 404)
    expect(
      (await caughtCarrierError(createAdapter(ACME).track({ trackingNumber: 'ACM000000001' }))).kind,
    ).toBe('not_found')
    const [entry] = createAdapter(ACME).parse(fixture('acme-html-not-found.html'))
    expect(entry).toBeInstanceOf(CarrierError)
    expect((entry as CarrierError).kind).toBe('not_found')
    const byPattern = definitionWith({
      ...(exampleFile().carriers[0] ?? {}),
      notFound: { bodyPattern: 'aucun colis ne correspond' },
    })
    const [patternEntry] = createAdapter(byPattern).parse(fixture('acme-html-not-found.html'))
    expect((patternEntry as CarrierError).kind).toBe('not_found')
  })
})

function compiled(...formats: string[]) {
  return formats.map((format) => {
    const result = compileDateFormat(format)
    if (typeof result === 'string') throw new Error(result)
    return result
  })
}

describe('generic: dates', () => {
  it.each([
    ['iso', '2026-05-02T10:00:00-05:00', 'Europe/Paris', '2026-05-02T10:00:00-05:00'],
    ['iso', '2026-05-02T08:00:00Z', 'Europe/Paris', '2026-05-02T08:00:00Z'],
    ['iso', '2026-05-02T08:00:00+00:00', 'Europe/Paris', '2026-05-02T08:00:00+00:00'],
    ['dd/MM/yyyy HH:mm XXX', '02/05/2026 14:05 Z', 'Europe/Paris', '2026-05-02T14:05:00Z'],
    ['dd/MM/yyyy HH:mm XXX', '02/05/2026 14:05 z', 'Europe/Paris', '2026-05-02T14:05:00Z'],
    ['iso', '2026-05-02T10:00:00', 'Europe/Paris', '2026-05-02T10:00:00+02:00'],
    ['iso', '2026-01-15 10:00', 'America/Montreal', '2026-01-15T10:00:00-05:00'],
    ['iso', '2026-05-04', 'Europe/Paris', '2026-05-04T00:00:00+02:00'],
    ['dd/MM/yyyy HH:mm', '02/05/2026 14:05', 'Europe/Paris', '2026-05-02T14:05:00+02:00'],
    ['dd/MM/yyyy HH:mm', '2/5/2026   9:05', 'Europe/Paris', '2026-05-02T09:05:00+02:00'],
    ['dd/MM/yyyy HH:mm:ss', '15/01/2026 08:00:07', 'Europe/Paris', '2026-01-15T08:00:07+01:00'],
    ['yyyy-MM-dd HH:mm:ss', '2026-07-14 23:59:59', 'Europe/Paris', '2026-07-14T23:59:59+02:00'],
    ['MM/dd/yyyy hh:mm a', '07/04/2026 12:05 AM', 'America/Montreal', '2026-07-04T00:05:00-04:00'],
    ['MM/dd/yyyy hh:mm a', '07/04/2026 12:05 pm', 'America/Montreal', '2026-07-04T12:05:00-04:00'],
    ['MM/dd/yyyy hh:mm a', '07/04/2026 01:30 p.m.', 'America/Montreal', '2026-07-04T13:30:00-04:00'],
    ['dd/MM/yyyy', '04/05/2026', 'Europe/Paris', '2026-05-04T00:00:00+02:00'],
    ["yyyy-MM-dd'T'HH:mm", '2026-05-02T14:05', 'Europe/Paris', '2026-05-02T14:05:00+02:00'],
    ['dd/MM/yyyy HH:mm XXX', '02/05/2026 14:05 -03:00', 'Europe/Paris', '2026-05-02T14:05:00-03:00'],
    // Spring gap: 02:30 does not exist in Paris on 29 March 2026; read with the winter offset, it is 03:30+02:00.
    ['dd/MM/yyyy HH:mm', '29/03/2026 02:30', 'Europe/Paris', '2026-03-29T03:30:00+02:00'],
    // Autumn overlap: 02:30 happens twice on 25 October 2026; the first one (summer time) is taken.
    ['dd/MM/yyyy HH:mm', '25/10/2026 02:30', 'Europe/Paris', '2026-10-25T02:30:00+02:00'],
    ['dd/MM/yyyy HH:mm', '25/10/2026 03:30', 'Europe/Paris', '2026-10-25T03:30:00+01:00'],
    ['MM/dd/yyyy hh:mm a', '03/08/2026 02:30 AM', 'America/Montreal', '2026-03-08T03:30:00-04:00'],
    ['MM/dd/yyyy hh:mm a', '11/01/2026 01:30 AM', 'America/Montreal', '2026-11-01T01:30:00-04:00'],
    ['MM/dd/yyyy hh:mm a', '11/01/2026 02:30 AM', 'America/Montreal', '2026-11-01T02:30:00-05:00'],
  ])('%s reads "%s" in %s as %s', (format, text, timeZone, expected) => {
    expect(parseCarrierDate(text, compiled(format), timeZone)).toBe(expected)
  })

  it.each([
    ['dd/MM/yyyy HH:mm', '31/02/2026 10:00'],
    ['dd/MM/yyyy HH:mm', '02/05/2026 24:00'],
    ['dd/MM/yyyy HH:mm', '02/13/2026 10:00'],
    ['dd/MM/yyyy HH:mm', '02/05/2026'],
    ['dd/MM/yyyy HH:mm', ''],
    ['MM/dd/yyyy hh:mm a', '07/04/2026 13:05 PM'],
    ['dd/MM/yyyy HH:mm XXX', '02/05/2026 14:05 +19:00'],
    ['iso', '2026-05-02T10:00:00+25:00'],
    ['iso', 'demain'],
  ])('%s refuses "%s"', (format, text) => {
    expect(parseCarrierDate(text, compiled(format), 'Europe/Paris')).toBeUndefined()
  })

  it('keeps Z on any UTC time sent with Z, with the ISO reader and an XXX pattern (property)', () => {
    const formats = compiled('iso', 'dd/MM/yyyy HH:mm:ss XXX')
    const two = (value: number) => String(value).padStart(2, '0')
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.boolean(),
        fc.constantFrom('Z', 'z'),
        fc.constantFrom('Europe/Paris', 'America/Montreal', 'UTC'),
        (instantMs, iso, zulu, timeZone) => {
          const at = new Date(Math.floor(instantMs / 1000) * 1000)
          const [day, month, year] = [at.getUTCDate(), at.getUTCMonth() + 1, at.getUTCFullYear()]
          const clock = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`
          const text = iso
            ? `${at.toISOString().slice(0, 19)}${zulu}`
            : `${two(day)}/${two(month)}/${year} ${clock} ${zulu}`
          const parsed = parseCarrierDate(text, formats, timeZone) ?? ''
          expect(parsed).toBe(`${at.toISOString().slice(0, 19)}Z`)
          expect(Date.parse(parsed)).toBe(at.getTime())
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('tries the formats in order', () => {
    const formats = compiled('dd/MM/yyyy HH:mm', 'MM/dd/yyyy HH:mm')
    expect(parseCarrierDate('05/04/2026 10:00', formats, 'Europe/Paris')).toBe('2026-04-05T10:00:00+02:00')
    expect(parseCarrierDate('04/13/2026 10:00', formats, 'Europe/Paris')).toBe('2026-04-13T10:00:00+02:00')
  })

  it.each([
    ['YYYY-MM-DD', 'unknown pattern letter "Y"'],
    ['dd/MM/yyyy hh:mm', 'hh (12-hour clock) goes with a'],
    ['dd/MM/yyyy HH:mm HH', '"HH" appears twice'],
    ["yyyy-MM-dd'T", 'unclosed quote'],
    ['MM/yyyy', 'needs yyyy, MM and dd'],
    ['dd/MM/yyyy HH', 'an hour needs minutes'],
  ])('refuses the format %s', (format, why) => {
    expect(compileDateFormat(format)).toContain(why)
  })

  it('reads the split date and time of the HTML rows across the spring change of offset', () => {
    const snapshot = onlySnapshot(createAdapter(ACME).parse(fixture('acme-html-journey.html')))
    expect(snapshot.events.map((event) => event.occurredAt)).toEqual([
      '2026-03-27T09:00:00+01:00',
      '2026-03-28T14:10:00+01:00',
      '2026-03-28T19:30:00+01:00',
      '2026-03-30T22:03:00+02:00',
      '2026-03-31T08:15:00+02:00',
      '2026-03-31T11:42:00+02:00',
    ])
  })

  it('refuses the whole body when one date is unreadable, never half of it', () => {
    const body = fixture('acme-html-journey.html').replace('"time">22:03', '"time">22h03')
    expect(() => createAdapter(ACME).parse(body)).toThrow(
      /event 3 has an unreadable date "30\/03\/2026 22h03"/,
    )
  })
})

describe('generic: statuses', () => {
  it('matches patterns without regard to case or accents', () => {
    const mapStatus = createStatusMapper({ patterns: [{ pattern: 'LIVRE', status: 'delivered' }] })
    expect(mapStatus(undefined, 'Colis livré')).toBe('delivered')
    expect(mapStatus(undefined, 'COLIS LIVRÉ')).toBe('delivered')
    expect(
      createStatusMapper({ patterns: [{ pattern: 'livré', status: 'delivered' }] })(undefined, 'LIVRE'),
    ).toBe('delivered')
    expect(mapStatus(undefined, 'Colis en cours de livraison')).toBeUndefined()
  })

  it('takes the first pattern that matches, after the code table', () => {
    const mapStatus = createStatusMapper({
      codes: { RT: 'returned_to_sender' },
      patterns: [
        { pattern: 'avis de passage', status: 'failed_attempt' },
        { pattern: 'passage', status: 'in_transit' },
      ],
    })
    expect(mapStatus(undefined, 'Avis de passage déposé')).toBe('failed_attempt')
    expect(mapStatus('RT', 'Avis de passage déposé')).toBe('returned_to_sender')
    expect(mapStatus('constructor', 'rien')).toBeUndefined()
  })

  it('keeps an unmapped code as unknown and warns with the code', () => {
    const logger = createSilentLogger()
    const warn = vi.spyOn(logger, 'warn')
    const snapshot = onlySnapshot(
      createAdapter(PARCELAPI, { logger }).parse(fixture('parcelapi-json-unknown-code.json')),
    )
    expect(snapshot.events.find((event) => event.code === 'XQZ')?.status).toBe('unknown')
    expect(warn).toHaveBeenCalledWith({ code: 'XQZ' }, 'unmapped carrier code')
  })

  it('derives a stable code from the description of an event that has none', () => {
    expect(deriveEventCode('Colis livré !')).toBe('COLIS_LIVRE')
    expect(deriveEventCode("  Colis annoncé : informations reçues de l'expéditeur")).toBe(
      'COLIS_ANNONCE_INFORMATIONS_RECUES_DE_L_E',
    )
    expect(deriveEventCode('已签收')).toBe('已签收')
    expect(deriveEventCode(' — ')).toBe('')
    const first = onlySnapshot(createAdapter(ACME).parse(fixture('acme-html-journey.html')))
    const again = onlySnapshot(createAdapter(ACME).parse(fixture('acme-html-journey.html')))
    expect(again.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id))
    const body = fixture('acme-html-journey.html').replace('Colis pris en charge par ACME', ' — ')
    expect(() => createAdapter(ACME).parse(body)).toThrow(/neither a code nor a description/)
  })
})

describe('generic: example journeys', () => {
  it('maps the HTML journey: statuses from French labels, places cut by patterns, estimate', () => {
    const snapshot = onlySnapshot(createAdapter(ACME).parse(fixture('acme-html-journey.html')))
    expect(snapshot).toMatchObject({
      carrier: 'acme-html',
      trackingNumber: 'ACM123456789',
      estimatedDelivery: '2026-03-31T00:00:00+02:00',
    })
    expect(snapshot.events.map((event) => event.status)).toEqual([
      'info_received',
      'in_transit',
      'in_transit',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ])
    expect(snapshot.events[0]?.location).toBeUndefined()
    expect(snapshot.events[2]).toMatchObject({
      code: 'COLIS_EN_TRANSIT_VERS_LE_CENTRE_DE_TRI_R',
      description: 'Colis en transit vers le centre de tri régional',
      location: { city: 'Tremblay-en-France', postalCode: '93290' },
    })
    expect(deriveTrackingStatus(snapshot.events)).toBe('delivered')
  })

  it('maps the JSON journey: sorted by instant, offsets kept, codes from the table', () => {
    const snapshot = onlySnapshot(createAdapter(PARCELAPI).parse(fixture('parcelapi-json-journey.json')))
    expect(snapshot).toMatchObject({
      carrier: 'parcelapi-json',
      trackingNumber: 'PA0123456789',
      estimatedDelivery: '2026-05-04T00:00:00+02:00',
    })
    expect(snapshot.events.map((event) => [event.code, event.status, event.occurredAt])).toEqual([
      ['INF', 'info_received', '2026-04-29T16:00:00Z'],
      ['PU', 'in_transit', '2026-04-30T10:12:00+01:00'],
      ['HUB', 'in_transit', '2026-04-30T23:40:00+01:00'],
      ['OFD', 'out_for_delivery', '2026-05-02T08:05:00+02:00'],
      ['DLV', 'delivered', '2026-05-02T11:42:00+02:00'],
    ])
    expect(snapshot.events[0]?.location).toBeUndefined()
    expect(snapshot.events[1]?.location).toEqual({ city: 'Porto', postalCode: '4000-001', countryCode: 'PT' })
  })

  it('uses the number asked in track(), whatever the body echoes', async () => {
    mockParcelApi('PA0555555555', 200, fixture('parcelapi-json-journey.json'))
    const snapshot = await createAdapter(PARCELAPI).track({ trackingNumber: 'PA0555555555' })
    expect(snapshot.trackingNumber).toBe('PA0555555555')
  })

  it('checks numbers against the definition pattern, with a reason naming the example', () => {
    const adapter = createAdapter(PARCELAPI)
    expect(adapter.checkNumber('PA0123456789')).toEqual({ ok: true, trackingNumber: 'PA0123456789' })
    const check = adapter.checkNumber('PA01234567890')
    expect(check.ok).toBe(false)
    if (!check.ok) expect(check.reason).toContain('PA0123456789')
  })
})

/** Walks `selectors` down a JSON value (each picks a child, modulo its size) and replaces what it reaches. */
function replaceSomewhere(value: Json, selectors: readonly number[], replacement: Json): Json {
  const [selector, ...rest] = selectors
  if (selector === undefined) return replacement
  if (Array.isArray(value) && value.length > 0) {
    const index = selector % value.length
    return value.map((item, at) => (at === index ? replaceSomewhere(item, rest, replacement) : item))
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
    const key = keys[selector % Math.max(keys.length, 1)]
    if (key === undefined) return replacement
    const record = value as { [key: string]: Json }
    return { ...record, [key]: replaceSomewhere(record[key] ?? null, rest, replacement) }
  }
  return replacement
}

describe('generic: properties', () => {
  const adapters = DEFINITIONS.map((definition) => createAdapter(definition))
  const anyAdapter = fc.constantFrom(...adapters)
  const bodies = [
    ['acme-html', fixture('acme-html-journey.html')],
    ['acme-html', fixture('acme-html-unknown-label.html')],
    ['acme-html', fixture('acme-html-not-found.html')],
    ['parcelapi-json', fixture('parcelapi-json-journey.json')],
    ['parcelapi-json', fixture('parcelapi-json-unknown-code.json')],
    ['parcelapi-json', fixture('parcelapi-json-not-found.json')],
  ] as const
  const adapterFor = (id: string) => adapters.find((adapter) => adapter.id === id) ?? createAdapter(ACME)

  it('parse() of any string gives entries or unexpected_response', () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }))
    fc.assert(fc.property(anyAdapter, text, expectParseContract), { numRuns: propertyRuns(1000) })
  })

  it('parse() of any JSON gives entries or unexpected_response', () => {
    fc.assert(fc.property(anyAdapter, fc.json(), expectParseContract), { numRuns: propertyRuns(1000) })
  })

  it('parse() of a truncated or mutated fixture gives entries or unexpected_response', () => {
    const mutation = fc.record({
      body: fc.constantFrom(...bodies),
      at: fc.nat(),
      removed: fc.nat({ max: 12 }),
      inserted: fc.oneof(
        fc.constant(''),
        fc.string({ maxLength: 6 }),
        fc.constantFrom('"', '<', '/', '0', ':'),
      ),
      truncate: fc.boolean(),
    })
    fc.assert(
      fc.property(mutation, ({ body: [id, text], at, removed, inserted, truncate }) => {
        const cut = at % (text.length + 1)
        const mutated = truncate
          ? text.slice(0, cut)
          : text.slice(0, cut) + inserted + text.slice(cut + removed)
        expectParseContract(adapterFor(id), mutated)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('parse() of a JSON fixture with any value replaced gives entries or unexpected_response', () => {
    const journeys = bodies
      .filter(([id]) => id === 'parcelapi-json')
      .map(([, text]) => JSON.parse(text) as Json)
    fc.assert(
      fc.property(
        fc.constantFrom(...journeys),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.jsonValue(),
        (journey, selectors, replacement) => {
          const body = JSON.stringify(replaceSomewhere(journey, selectors, replacement as Json))
          expectParseContract(adapterFor('parcelapi-json'), body)
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('parseCarrierDefinitions of any JSON throws nothing but CarrierDefinitionError', () => {
    const json = fc.oneof(fc.jsonValue(), fc.record({ carriers: fc.array(fc.jsonValue(), { maxLength: 3 }) }))
    fc.assert(
      fc.property(json, (value) => {
        definitionIssues(value)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('a mutated example file is refused with CarrierDefinitionError, or builds working adapters', () => {
    const example = exampleFile() as unknown as Json
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom('', 'x', '(', '[', '{trackingNumber}', 'laposte', 'iso', 'Bearer x', -1, 0, 404, null),
    )
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 7 }), value, (selectors, replacement) => {
        const mutated = replaceSomewhere(example, selectors, replacement as Json)
        let definitions: GenericCarrierDefinition[]
        try {
          definitions = parseCarrierDefinitions(mutated, BUILTIN_CARRIER_IDS)
        } catch (error) {
          expect(error).toBeInstanceOf(CarrierDefinitionError)
          return
        }
        for (const definition of definitions) {
          const adapter = createAdapter(definition)
          for (const [id, body] of bodies) if (id === definition.id) expectParseContract(adapter, body)
        }
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
