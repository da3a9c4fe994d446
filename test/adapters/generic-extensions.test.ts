import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import {
  CarrierDefinitionError,
  type GenericCarrierDefinition,
  parseCarrierDefinitions,
} from '../../adapters/generic/definition-schema.js'
import { createGenericAdapter } from '../../adapters/generic/index.js'
import { BUILTIN_CARRIER_IDS } from '../../adapters/registry.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const http = createCarrierHttp({ carrier: 'extensions', timeoutMs: 2000 })

/** A small JSON carrier; `overrides` replace its top-level keys. */
function jsonCarrier(overrides: { [key: string]: Json } = {}): { [key: string]: Json } {
  return {
    id: 'ext-json',
    name: 'Extension demo',
    numbers: { pattern: 'EX[0-9]{6}' },
    request: { url: 'https://ext.example/track/{trackingNumber}' },
    response: { kind: 'json' },
    extraction: { events: 'events', fields: { code: 'c', description: 'd', date: 't' } },
    statusMapping: { codes: { P: 'in_transit', D: 'delivered' } },
    ...overrides,
  }
}

function definitionWith(carrier: { [key: string]: Json }): GenericCarrierDefinition {
  const [definition] = parseCarrierDefinitions({ carriers: [carrier] }, BUILTIN_CARRIER_IDS)
  if (!definition) throw new Error('no definition')
  return definition
}

function issuesOf(carrier: { [key: string]: Json }): string[] {
  try {
    parseCarrierDefinitions({ carriers: [carrier] }, BUILTIN_CARRIER_IDS)
  } catch (error) {
    if (error instanceof CarrierDefinitionError) return error.issues
    throw error
  }
  return []
}

function adapterOf(carrier: { [key: string]: Json }): CarrierAdapter {
  return createGenericAdapter(definitionWith(carrier), { http, logger: createSilentLogger(), env: {} })
}

function onlySnapshot(adapter: CarrierAdapter, body: string): CarrierSnapshot {
  const [entry, ...rest] = adapter.parse(body)
  expect(rest).toEqual([])
  if (entry === undefined || entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry}`)
  return entry
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

describe('generic extension: JSON paths with alternatives ("a|b")', () => {
  const adapter = adapterOf(
    jsonCarrier({
      extraction: {
        events: 'wrapper[0].history|history',
        fields: { code: 'c', description: 'label|text', date: 't' },
        trackingNumber: 'wrapper[0].number|number',
      },
    }),
  )
  const event = { c: 'D', label: 'Delivered', t: '2026-05-02T11:42:00+02:00' }

  it('reads the first alternative that holds a value, in the body and in each event', () => {
    const wrapped = onlySnapshot(adapter, JSON.stringify({ wrapper: [{ number: 'ex-1', history: [event] }] }))
    const bare = onlySnapshot(
      adapter,
      JSON.stringify({ number: 'ex-2', history: [{ c: 'D', text: 'Delivered', t: event.t }] }),
    )
    expect([wrapped.trackingNumber, bare.trackingNumber]).toEqual(['EX1', 'EX2'])
    expect(wrapped.events[0]?.description).toBe('Delivered')
    expect(bare.events[0]?.description).toBe('Delivered')
  })

  it('skips an alternative that is null, and refuses a body where none is a list', () => {
    const nulls = onlySnapshot(adapter, JSON.stringify({ wrapper: null, history: [event] }))
    expect(nulls.events).toHaveLength(1)
    expect(() => adapter.parse('{"wrapper":[{}]}')).toThrow(
      /no event list at "wrapper\[0\]\.history\|history"/,
    )
  })

  it('refuses an empty alternative in the definition', () => {
    expect(
      issuesOf(jsonCarrier({ extraction: { events: 'a||b', fields: { description: 'd', date: 't' } } })),
    ).toEqual([
      'carriers[0].extraction.events: "a||b" is not a JSON path (keys and [n] indexes joined by ".", alternatives by "|")',
    ])
  })
})

describe('generic extension: extraction.order', () => {
  const json = (order: Json) =>
    adapterOf(
      jsonCarrier({
        extraction: { events: 'events', order, fields: { code: 'c', description: 'd', date: 't' } },
      }),
    )
  // Two scans of the same second, newest first as the carrier lists them.
  const body = JSON.stringify({
    events: [
      { c: 'D', d: 'Delivered', t: '2026-05-02T11:42:00+02:00' },
      { c: 'P', d: 'Out for delivery', t: '2026-05-02T11:42:00+02:00' },
      { c: 'P', d: 'Picked up', t: '2026-05-01T09:00:00+02:00' },
    ],
  })

  it('keeps the chronology of same-instant events a newest-first carrier lists', () => {
    const codes = (adapter: CarrierAdapter) => onlySnapshot(adapter, body).events.map((event) => event.code)
    expect(codes(json('newestFirst'))).toEqual(['P', 'P', 'D'])
    expect(codes(json('oldestFirst'))).toEqual(['P', 'D', 'P'])
    expect(definitionWith(jsonCarrier()).extraction.order).toBe('oldestFirst')
  })

  it('applies to HTML rows too', () => {
    const adapter = adapterOf(
      jsonCarrier({
        response: { kind: 'html' },
        extraction: { events: 'tr', order: 'newestFirst', fields: { description: 'td.t', date: 'td.d' } },
        dates: { formats: ['dd/MM/yyyy'] },
        statusMapping: { patterns: [{ pattern: 'livr', status: 'delivered' }] },
      }),
    )
    const page =
      '<table><tr><td class="d">02/05/2026</td><td class="t">Livré</td></tr>' +
      '<tr><td class="d">02/05/2026</td><td class="t">En tournée</td></tr></table>'
    expect(onlySnapshot(adapter, page).events.map((event) => event.description)).toEqual([
      'En tournée',
      'Livré',
    ])
  })

  it('refuses another order', () => {
    const issues = issuesOf(
      jsonCarrier({
        extraction: { events: 'events', order: 'latest', fields: { description: 'd', date: 't' } },
      }),
    )
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatch(/^carriers\[0\]\.extraction\.order: /)
  })
})

describe('generic extension: the parcel status (extraction.parcelStatus, statusMapping.parcelStatus)', () => {
  const carrier = jsonCarrier({
    extraction: {
      events: 'events',
      fields: { code: 'c', description: 'd', date: 't' },
      parcelStatus: 'parcel.state',
    },
    statusMapping: { codes: { P: 'in_transit' }, parcelStatus: { AT_SHOP: 'available_for_pickup' } },
  })
  const body = (lastCode: string, state: string) =>
    JSON.stringify({
      parcel: { state },
      events: [
        { c: 'Q', d: 'Queued', t: '2026-05-01T09:00:00+02:00' },
        { c: lastCode, d: 'Something', t: '2026-05-02T09:00:00+02:00' },
      ],
    })

  it('gives its status to the newest event when that one is unknown, and to no other', () => {
    const statuses = (lastCode: string, state: string) =>
      onlySnapshot(adapterOf(carrier), body(lastCode, state)).events.map((event) => event.status)
    expect(statuses('X', 'AT_SHOP')).toEqual(['unknown', 'available_for_pickup'])
    expect(statuses('P', 'AT_SHOP')).toEqual(['unknown', 'in_transit'])
    expect(statuses('X', 'SOMETHING_ELSE')).toEqual(['unknown', 'unknown'])
  })

  it('still reports the unknown code it settled', () => {
    const reported: string[] = []
    const adapter = createGenericAdapter(definitionWith(carrier), {
      http,
      logger: createSilentLogger(),
      env: {},
      onUnknownCode: (_carrier, code) => reported.push(code),
    })
    adapter.parse(body('X', 'AT_SHOP'))
    expect(reported).toEqual(['Q', 'X'])
  })

  it('needs both halves', () => {
    expect(
      issuesOf(
        jsonCarrier({ statusMapping: { codes: { P: 'in_transit' }, parcelStatus: { A: 'delivered' } } }),
      ),
    ).toEqual([
      'carriers[0].extraction.parcelStatus: extraction.parcelStatus and statusMapping.parcelStatus go together',
    ])
  })
})

describe('generic extension: extraction.service', () => {
  it('names the service of the snapshot, lower case, for its delivery days', () => {
    const adapter = adapterOf(
      jsonCarrier({
        extraction: { events: 'events', fields: { code: 'c', description: 'd', date: 't' }, service: 'unit' },
      }),
    )
    const snapshot = onlySnapshot(
      adapter,
      JSON.stringify({
        unit: 'Express',
        events: [{ c: 'D', d: 'Delivered', t: '2026-05-02T11:42:00+02:00' }],
      }),
    )
    expect(snapshot.service).toBe('express')
  })
})

describe('generic extension: statusMapping.prefer', () => {
  const mapping: { [key: string]: Json } = {
    codes: { transit: 'in_transit' },
    patterns: [{ pattern: 'delivery vehicle', status: 'out_for_delivery' }],
  }
  const body = JSON.stringify({
    events: [{ c: 'transit', d: 'On the delivery vehicle', t: '2026-05-02T08:00:00Z' }],
  })
  const statusWith = (prefer: Json) =>
    onlySnapshot(adapterOf(jsonCarrier({ statusMapping: { ...mapping, prefer } })), body).events[0]?.status

  it('asks the wording first when told to, so that it refines a coarse code', () => {
    expect(statusWith('patterns')).toBe('out_for_delivery')
    expect(statusWith('codes')).toBe('in_transit')
    expect(definitionWith(jsonCarrier()).statusMapping.prefer).toBe('codes')
  })
})

describe('generic extension: the {destinationPostalCode} placeholder', () => {
  const carrier = jsonCarrier({
    request: { url: 'https://ext.example/track?n={trackingNumber}{destinationPostalCode}' },
  })

  it('puts the registered postal code in the URL, and marks the carrier as needing one', async () => {
    const adapter = adapterOf(carrier)
    expect(adapter.requiresDestinationPostalCode).toBe(true)
    expect(adapterOf(jsonCarrier()).requiresDestinationPostalCode).toBe(false)
    const scope = nock('https://ext.example')
      .get('/track')
      .query({ n: 'EX12345675 011' })
      .reply(200, { events: [{ c: 'D', d: 'Delivered', t: '2026-05-02T11:42:00+02:00' }] })
    await adapter.track({ trackingNumber: 'EX123456', destinationPostalCode: '75 011' })
    expect(scope.isDone()).toBe(true)
  })

  it('escapes it for a JSON body', async () => {
    const adapter = adapterOf(
      jsonCarrier({
        request: {
          method: 'POST',
          url: 'https://ext.example/track',
          body: '{"id":"{trackingNumber}","zip":"{destinationPostalCode}"}',
        },
      }),
    )
    const scope = nock('https://ext.example')
      .post('/track', { id: 'EX123456', zip: 'B"1000' })
      .reply(200, { events: [{ c: 'D', d: 'Delivered', t: '2026-05-02T11:42:00+02:00' }] })
    await adapter.track({ trackingNumber: 'EX123456', destinationPostalCode: 'B"1000' })
    expect(scope.isDone()).toBe(true)
  })

  it('refuses to ask without one: an invalid_number, never retried', async () => {
    const scope = nock('https://ext.example').get('/track').query(true).reply(200, {})
    const error = await caughtCarrierError(adapterOf(carrier).track({ trackingNumber: 'EX123456' }))
    expect(error.kind).toBe('invalid_number')
    expect(scope.isDone()).toBe(false)
  })

  it('still refuses any other placeholder', () => {
    expect(issuesOf(jsonCarrier({ request: { url: 'https://ext.example/{trackingNumber}/{zip}' } }))).toEqual(
      [
        'carriers[0].request.url: unknown placeholder {zip} (only {trackingNumber} and {destinationPostalCode})',
      ],
    )
  })
})

describe('generic extension: redirects in notFound.httpStatus', () => {
  it('reads a listed redirect as not found, and keeps 304 reserved', async () => {
    const adapter = adapterOf(jsonCarrier({ notFound: { httpStatus: [302] } }))
    nock('https://ext.example').get('/track/EX123456').reply(302, '', { location: '/' })
    expect((await caughtCarrierError(adapter.track({ trackingNumber: 'EX123456' }))).kind).toBe('not_found')
    nock('https://ext.example').get('/track/EX123456').reply(301, '', { location: '/' })
    expect((await caughtCarrierError(adapter.track({ trackingNumber: 'EX123456' }))).kind).toBe(
      'unexpected_response',
    )
    expect(issuesOf(jsonCarrier({ notFound: { httpStatus: [304, 299] } }))).toEqual([
      'carriers[0].notFound.httpStatus[0]: is reserved (304: not modified, 401/403: unauthorized, 429: rate limited)',
      expect.stringMatching(/^carriers\[0\]\.notFound\.httpStatus\[1\]: /),
    ])
  })
})
