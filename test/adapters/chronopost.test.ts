import { readdirSync, readFileSync } from 'node:fs'
import { load } from 'cheerio'
import fc from 'fast-check'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { buildTrackSkybillV2Envelope } from '../../adapters/chronopost/client.js'
import {
  CHRONOPOST_STATUS_BY_CODE,
  DELIVERY_ESTIMATE_BY_CODE,
  findChronopostStatus,
} from '../../adapters/chronopost/event-codes.js'
import { type ChronopostAdapterDeps, createChronopostAdapter } from '../../adapters/chronopost/index.js'
import { checkChronopostNumber } from '../../adapters/chronopost/number.js'
import { type CarrierAdapter, CarrierError, type CarrierErrorKind } from '../../adapters/contract.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { createEventId } from '../../src/domain/tracking-event.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { propertyRuns } from '../support/property-runs.js'
import { runAdapterContract } from './adapter-contract.js'

const FIXTURES = new URL('../fixtures/chronopost/', import.meta.url)
const ORIGIN = 'https://ws.chronopost.fr'
const PATH = '/tracking-cxf/TrackingServiceWS'
const http = createCarrierHttp({ carrier: 'chronopost', timeoutMs: 2000 })

const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')

function createAdapter(overrides: Partial<ChronopostAdapterDeps> = {}): CarrierAdapter {
  return createChronopostAdapter({
    http,
    logger: createSilentLogger(),
    baseUrl: `${ORIGIN}${PATH}`,
    language: 'fr_FR',
    rateLimit: { max: 5, durationMs: 1000 },
    ...overrides,
  })
}

/** A SOAP endpoint that answers only a trackSkybillV2 call for `skybill`, with the SOAP 1.1 headers. */
function mockSoap(
  skybill: string,
  status: number,
  body?: string,
  options: { headers?: Record<string, string>; delayMs?: number; language?: string } = {},
) {
  const language = options.language ?? 'fr_FR'
  return nock(ORIGIN)
    .post(PATH, (sent: unknown) => sent === buildTrackSkybillV2Envelope(language, skybill))
    .matchHeader('content-type', 'text/xml; charset=utf-8')
    .matchHeader('soapaction', '""')
    .delay(options.delayMs ?? 0)
    .reply(status, body, { 'content-type': 'text/xml;charset=UTF-8', ...options.headers })
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

function expectWellFormed(entries: readonly ParseEntry[]) {
  for (const snapshot of entries) {
    if (snapshot instanceof CarrierError) continue
    const instants = snapshot.events.map((event) => Date.parse(event.occurredAt))
    expect(instants).toEqual([...instants].sort((a, b) => a - b))
    for (const event of snapshot.events) expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
  }
}

/** A trackSkybillV2 answer around `events` (raw `<events>` XML), with the usual soap/ns2 prefixes. */
function answerWith(events: string, skybill = 'XY746876977FR'): string {
  return (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    '<ns2:trackSkybillV2Response xmlns:ns2="http://cxf.tracking.soap.chronopost.fr/"><return>' +
    `<errorCode>0</errorCode><listEventInfoComp>${events}<skybillNumber>${skybill}</skybillNumber>` +
    '</listEventInfoComp></return></ns2:trackSkybillV2Response></soap:Body></soap:Envelope>'
  )
}

function eventXml(code: string, eventDate: string, extra = ''): string {
  return `<events><code>${code}</code><eventDate>${eventDate}</eventDate><eventLabel>label</eventLabel>${extra}</events>`
}

function faultXml(faultcode: string, faultstring = 'Fault occurred while processing.'): string {
  return (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
    `<faultcode>${faultcode}</faultcode><faultstring>${faultstring}</faultstring>` +
    '</soap:Fault></soap:Body></soap:Envelope>'
  )
}

function errorXml(errorCode: string, errorMessage: string): string {
  return fixture('trackSkybillV2-error-system.xml')
    .replace('<errorCode>1</errorCode>', `<errorCode>${errorCode}</errorCode>`)
    .replace('System Error', errorMessage)
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

runAdapterContract('chronopost', (hooks) => createAdapter(hooks), {
  history: {
    trackingNumber: '89108749065090',
    arrange: () => mockSoap('89108749065090', 200, fixture('trackSkybillV2-delivered-en.xml')),
  },
  unknownCode: {
    trackingNumber: 'XY746876977FR',
    code: 'ZZ',
    arrange: () => mockSoap('XY746876977FR', 200, fixture('unknown-code.xml')),
  },
  notFound: {
    trackingNumber: 'XA001134936TS',
    arrange: () => mockSoap('XA001134936TS', 200, fixture('empty-list.xml')),
  },
  rateLimited: {
    trackingNumber: 'XG953488284JB',
    arrange: () => mockSoap('XG953488284JB', 429, ''),
  },
  garbage: {
    trackingNumber: 'XU171986142JF',
    arrange: () => mockSoap('XU171986142JF', 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: [
    fixture('trackSkybillV2-request.xml'),
    fixture('trackSkybillV2-delivered-en.xml').slice(0, 2000),
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
    '<soap:Envelope><soap:Body><ns2:trackSkybillV2Response><return/></ns2:trackSkybillV2Response></soap:Body></soap:Envelope>',
    errorXml('zero', 'System Error'),
    '<a/><soap:Envelope><soap:Body></soap:Body></soap:Envelope>',
    '<soap:Envelope><soap:Body><soap:Body/></soap:Body></soap:Envelope>',
  ],
  facts: {
    claims: [
      { trackingNumber: 'XY746876977FR', confidence: 0.9 },
      { trackingNumber: '89108749065090', confidence: 0.9 },
      { trackingNumber: '89108749065090W', confidence: 0.4 },
    ],
    pickupHoldDays: 7,
    deliveryDays: [
      ['chronopost', 'ouvres'],
      [undefined, 'ouvres'],
    ],
  },
})

describe('chronopost: adapter', () => {
  it('needs no credentials, asks one skybill per request, and keeps the given rate limit', () => {
    const adapter = createAdapter({ rateLimit: { max: 3, durationMs: 2000 } })
    expect(adapter).toMatchObject({
      id: 'chronopost',
      name: 'Chronopost',
      batchSize: 1,
      needsCredentials: false,
      configured: true,
      rateLimit: { max: 3, durationMs: 2000 },
    })
    expect(adapter.trackBatch).toBeUndefined()
  })
})

type SampleEntry = { status: TrackingStatus; trackingNumber: string } | { error: CarrierErrorKind }
type SampleOutcome = { entries: SampleEntry[] } | { thrown: CarrierErrorKind }

/** What each research sample copied from the carriers' documentation must give through `parse`. */
const SAMPLE_OUTCOMES: Record<string, SampleOutcome> = {
  'trackSkybillV2-delivered-en.xml': { entries: [{ status: 'delivered', trackingNumber: '89108749065090' }] },
  'trackSkybillV2-live-fr-in-transit.xml': {
    entries: [{ status: 'in_transit', trackingNumber: 'XG953488284JB' }],
  },
  // errorCode 1 "System Error": Chronopost failing on its side, nothing about the number: retry later.
  'trackSkybillV2-error-system.xml': { entries: [{ error: 'unavailable' }] },
  // Requests, the schema and the code tables are no answers.
  'trackSkybillV2-request.xml': { thrown: 'unexpected_response' },
  'trackSkybillV2-request-cxf.xml': { thrown: 'unexpected_response' },
  'TrackingServiceWS.xsd': { thrown: 'unexpected_response' },
  'ref_evenement.psv': { thrown: 'unexpected_response' },
  'event-codes-normalized.csv': { thrown: 'unexpected_response' },
  // Built from the shapes real answers show (each .source.txt says which).
  'relay-drop-off-after-arrival.xml': {
    entries: [{ status: 'available_for_pickup', trackingNumber: 'XY746876977FR' }],
  },
  'partner-network-abroad.xml': { entries: [{ status: 'in_transit', trackingNumber: 'XT123456785TS' }] },
  'appointment-window.xml': { entries: [{ status: 'out_for_delivery', trackingNumber: 'XG953488284JB' }] },
  'failed-attempt-redelivery.xml': { entries: [{ status: 'in_transit', trackingNumber: 'XG953488284JB' }] },
}

function describeEntry(entry: ParseEntry): SampleEntry {
  if (entry instanceof CarrierError) return { error: entry.kind }
  return { status: deriveTrackingStatus(entry.events), trackingNumber: entry.trackingNumber }
}

describe('chronopost: research samples', () => {
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
    const samples = readdirSync(FIXTURES).filter((name) => name.endsWith('.source.txt'))
    expect(samples).toHaveLength(12)
    for (const source of samples)
      expect(SAMPLE_OUTCOMES, source).toHaveProperty([source.replace(/\.source\.txt$/, '')])
  })

  it('keeps no consignee name from the copied sample', () => {
    expect(fixture('trackSkybillV2-delivered-en.xml')).not.toContain('SOLVAREA')
  })

  it('maps the delivered en_GB sample: 9 events oldest first, D last, with places and details', () => {
    const snapshot = parseSnapshot(fixture('trackSkybillV2-delivered-en.xml'))
    expect(snapshot).toMatchObject({
      carrier: 'chronopost',
      trackingNumber: '89108749065090',
      service: 'chronopost',
      final: true,
      deliveredAt: '2022-06-22T08:30:00+02:00',
    })
    expect(snapshot.estimatedDelivery).toBeUndefined()
    expect(snapshot.events.map((event) => event.code)).toEqual([
      'DC',
      'DB',
      'DY',
      'SC',
      'TS',
      'TS',
      'SD',
      'TA',
      'D',
    ])
    expect(snapshot.events.map((event) => event.status)).toEqual([
      'info_received',
      'in_transit',
      'in_transit',
      'in_transit',
      'in_transit',
      'in_transit',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ])
    expect(snapshot.events[0]).toMatchObject({
      occurredAt: '2022-06-19T13:47:53+02:00',
      description: 'Shipment in preparation to be shipped',
      details: { 'Partner number': 'GEO/XT8452370122486' },
    })
    // "Web Services" is the shipper's labelling service, not a place; the scan keeps its identity.
    expect(snapshot.events[0]?.location).toBeUndefined()
    expect(snapshot.events[0]?.id).toBe(
      createEventId('chronopost', '89108749065090', {
        code: 'DC',
        occurredAt: '2022-06-19T13:47:53+02:00',
        location: { name: 'Web Services' },
      }),
    )
    expect(snapshot.events[1]).toMatchObject({
      location: { name: 'AMBOISE', postalCode: '37400' },
      details: { 'Date of start delay': '20220621-1000' },
    })
    expect(snapshot.events[2]?.details).toBeUndefined()
    expect(snapshot.events.at(-1)).toMatchObject({
      occurredAt: '2022-06-22T08:30:00+02:00',
      description: 'Delivered',
      location: { name: 'ARRAS CHRONOPOST', postalCode: '62223' },
      details: { "Consignee's name": 'CONSIGNEE NAME' },
    })
    for (const event of snapshot.events) expect(event.location?.countryCode).toBeUndefined()
  })

  it('maps the live French capture: padded codes trimmed, blanks dropped, entities decoded, IS last', () => {
    const snapshot = parseSnapshot(fixture('trackSkybillV2-live-fr-in-transit.xml'))
    expect(snapshot.trackingNumber).toBe('XG953488284JB')
    expect(snapshot.events.map((event) => event.code)).toEqual(['DC', 'EC', 'TS', 'TS', 'SD', 'IS'])
    expect(snapshot.events[0]).toMatchObject({
      status: 'info_received',
      description: "Colis en cours de préparation chez l'expéditeur",
    })
    expect(snapshot.events[0]?.location).toBeUndefined()
    expect(snapshot.events.at(-1)).toMatchObject({
      code: 'IS',
      status: 'in_transit',
      description: 'Livraison prévue lundi prochain',
      location: { name: 'VANNES CHRONOPOST', postalCode: '56000' },
    })
    // The IS scan is on Saturday 2026-04-11: "next Monday" is 2026-04-13.
    expect(snapshot).toMatchObject({ estimatedDelivery: '2026-04-13', final: false })
    expect(snapshot.deliveredAt).toBeUndefined()
    expect(deriveTrackingStatus(snapshot.events)).toBe('in_transit')
  })
})

describe('chronopost: built scenarios', () => {
  it.each([
    ['delivered-fr-other-prefixes.xml', 'delivered', 'XN081879383FR', true],
    ['unknown-code.xml', 'in_transit', 'XY746876977FR', false],
    ['in-transit-is-monday.xml', 'in_transit', 'XU171986142JF', false],
    ['pickup-point.xml', 'delivered', '13199341485349', true],
    ['return.xml', 'returned_to_sender', '89108749065090', true],
  ] as const)('%s derives %s', (file, status, trackingNumber, final) => {
    const snapshot = parseSnapshot(fixture(file))
    expect(deriveTrackingStatus(snapshot.events)).toBe(status)
    expect(snapshot).toMatchObject({ trackingNumber, final, service: 'chronopost' })
  })

  it.each([
    ['soap/ns2', 'soap:', 'ns2:'],
    ['S/ns3 (JAX-WS)', 'S:', 'ns3:'],
    ['none', '', ''],
  ])('reads the same answer whatever the namespace prefixes (%s)', (_label, envelope, operation) => {
    const original = fixture('delivered-fr-other-prefixes.xml')
    const renamed = original.replaceAll('SOAP-ENV:', envelope).replaceAll('tns:', operation)
    expect(renamed).not.toBe(original)
    expect(createAdapter().parse(renamed)).toEqual(createAdapter().parse(original))
  })

  it('keeps every infoCompList pair of an event as details', () => {
    const snapshot = parseSnapshot(fixture('delivered-fr-other-prefixes.xml'))
    expect(snapshot.events.at(-1)).toMatchObject({
      code: 'D',
      status: 'delivered',
      description: 'Colis livré',
      details: { "Consignee's name": 'CONSIGNEE NAME', Comment: 'Remis en main propre' },
    })
  })

  it('keeps repeated names, drops nameless pairs, and keeps `__proto__` as a plain key', () => {
    const pair = (name: string, value: string) =>
      `<infoCompList>${name}<value>${value}</value></infoCompList>`
    const extra =
      pair('<name>Comment</name>', 'first') +
      pair('<name>Comment</name>', 'second') +
      pair('', 'orphan') +
      pair('<name>   </name>', 'blank') +
      pair('<name>__proto__</name>', 'polluted')
    const [event] = parseSnapshot(answerWith(eventXml('TS', '2025-02-03T10:00:00+01:00', extra))).events
    expect(event?.details).toEqual({ Comment: 'first; second', ['__proto__']: 'polluted' })
    expect(Object.getPrototypeOf(event?.details)).toBe(Object.prototype)
    expect(Object.hasOwn(event?.details ?? {}, '__proto__')).toBe(true)
  })

  it('maps a pickup-point journey: RB in transit, MD available, SM informational, RI delivered', () => {
    const snapshot = parseSnapshot(fixture('pickup-point.xml'))
    const statuses = Object.fromEntries(snapshot.events.map((event) => [event.code, event.status]))
    expect(statuses).toMatchObject({
      RB: 'in_transit',
      MD: 'available_for_pickup',
      SM: 'unknown',
      RI: 'delivered',
    })
    expect(deriveTrackingStatus(snapshot.events.slice(0, -1))).toBe('available_for_pickup')
    expect(snapshot.deliveredAt).toBe('2025-05-08T17:20:44+02:00')
    expect(snapshot.events.find((event) => event.code === 'MD')?.location).toEqual({
      name: 'RELAIS PICKUP TABAC DE LA GARE',
      postalCode: '44000',
    })
  })

  it('maps a refused parcel returned to its sender, through the transit scans of the way back', () => {
    const snapshot = parseSnapshot(fixture('return.xml'))
    const codes = snapshot.events.map((event) => `${event.code}:${event.status}`)
    expect(codes.slice(-3)).toEqual(['PR:exception', 'R:returned_to_sender', 'TS:in_transit'])
    expect(snapshot.final).toBe(true)
    expect(snapshot.deliveredAt).toBeUndefined()
  })

  it('keeps an unknown code as unknown, with a warning', () => {
    const logger = createSilentLogger()
    const warn = vi.spyOn(logger, 'warn')
    const snapshot = parseSnapshot(fixture('unknown-code.xml'), createAdapter({ logger }))
    expect(snapshot.events.find((event) => event.code === 'ZZ')?.status).toBe('unknown')
    expect(warn).toHaveBeenCalledWith({ code: 'ZZ' }, 'unmapped carrier code')
  })

  it('never reads DC (or a padded "DC ") as D: codes match exactly once trimmed', () => {
    const body = answerWith(
      eventXml('DC ', '2025-02-03T10:00:00+01:00') + eventXml(' DB', '2025-02-03T11:00:00+01:00'),
    )
    const snapshot = parseSnapshot(body)
    expect(snapshot.events.map((event) => [event.code, event.status])).toEqual([
      ['DC', 'info_received'],
      ['DB', 'in_transit'],
    ])
    expect(snapshot).toMatchObject({ final: false })
    expect(snapshot.deliveredAt).toBeUndefined()
    expect(findChronopostStatus('DC ')).toBeUndefined()
    expect(findChronopostStatus('constructor')).toBeUndefined()
  })

  it('reads offset-less times as Paris wall clock, and keeps offsets as sent (Z as Z)', () => {
    const snapshot = parseSnapshot(fixture('in-transit-is-monday.xml'))
    expect(snapshot.events.map((event) => event.occurredAt)).toEqual([
      '2025-01-16T14:02:10+01:00',
      '2025-01-17T11:40:00+01:00',
      '2025-01-17T22:15:33+01:00',
      '2025-01-18T05:02:41+01:00',
      '2025-01-18T05:03:00+01:00',
    ])
    const mixed = parseSnapshot(
      answerWith(
        eventXml('DC', '2025-07-01T12:00:00') +
          eventXml('SC', '2025-07-01T09:00:00-04:00') +
          eventXml('TS', '2025-07-01T16:30:00Z'),
      ),
    )
    expect(mixed.events.map((event) => event.occurredAt)).toEqual([
      '2025-07-01T12:00:00+02:00',
      '2025-07-01T09:00:00-04:00',
      '2025-07-01T16:30:00Z',
    ])
  })

  it('sorts events by instant when the wire order is not, keeping same-instant scans in wire order', () => {
    const snapshot = parseSnapshot(
      answerWith(
        eventXml('TS', '2025-02-04T08:00:00+01:00') +
          eventXml('DC', '2025-02-03T10:00:00+01:00') +
          eventXml('SD', '2025-02-04T07:30:00+02:00') +
          eventXml('IS', '2025-02-04T08:00:00+01:00'),
      ),
    )
    expect(snapshot.events.map((event) => event.code)).toEqual(['DC', 'SD', 'TS', 'IS'])
  })

  it('skips nil events and drops a scan sent twice', () => {
    const scan = eventXml('TS', '2025-02-03T10:00:00+01:00', '<officeLabel>HUB</officeLabel>')
    const nil = '<events xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>'
    const snapshot = parseSnapshot(answerWith(nil + scan + scan))
    expect(snapshot.events.map((event) => event.code)).toEqual(['TS'])
  })

  it('refuses the answer when an event date is unreadable or an event has no code', () => {
    const unreadable = answerWith(eventXml('TS', '03/02/2025 10:00'))
    expect(parseError(unreadable).kind).toBe('unexpected_response')
    const noCode = answerWith('<events><eventDate>2025-02-03T10:00:00+01:00</eventDate></events>')
    expect(parseError(noCode).kind).toBe('unexpected_response')
    const blankCode = answerWith(eventXml('   ', '2025-02-03T10:00:00+01:00'))
    expect(parseError(blankCode).kind).toBe('unexpected_response')
  })

  it('reads the skybillNumber wherever it stands, and uses the asked number when it is missing', async () => {
    const before = fixture('unknown-code.xml')
      .replace('<skybillNumber>XY746876977FR</skybillNumber>', '')
      .replace('<listEventInfoComp>', '<listEventInfoComp><skybillNumber>XY746876977FR</skybillNumber>')
    expect(parseSnapshot(before).trackingNumber).toBe('XY746876977FR')
    const without = before.replace('<skybillNumber>XY746876977FR</skybillNumber>', '')
    expect(parseError(without).kind).toBe('unexpected_response')
    mockSoap('XY746876977FR', 200, without)
    const snapshot = await createAdapter().track({ trackingNumber: 'XY746876977FR' })
    expect(snapshot.trackingNumber).toBe('XY746876977FR')
  })
})

describe('chronopost: errors in the answer', () => {
  it('reads an empty event list, or no list at all, as not found', () => {
    expect(parseError(fixture('empty-list.xml')).kind).toBe('not_found')
    const noList = fixture('empty-list.xml').replace(/<listEventInfoComp>.*<\/listEventInfoComp>/, '')
    expect(parseError(noList).kind).toBe('not_found')
  })

  it('reads errorCode 1 "System Error" as unavailable and an undocumented errorCode as unexpected', () => {
    expect(parseError(fixture('trackSkybillV2-error-system.xml'))).toMatchObject({
      kind: 'unavailable',
      message: 'Chronopost errorCode 1: System Error',
    })
    expect(parseError(errorXml('42', 'Something new'))).toMatchObject({
      kind: 'unexpected_response',
      message: 'Chronopost errorCode 42: Something new',
    })
  })

  it('reads a SOAP Fault as unavailable, unless it says our request was malformed (Client)', () => {
    expect(parseError(fixture('soap-fault.xml'))).toMatchObject({
      kind: 'unavailable',
      message: 'Chronopost SOAP fault soap:Server: Fault occurred while processing.',
    })
    expect(parseError(faultXml('S:Server.Database')).kind).toBe('unavailable')
    expect(parseError(faultXml('')).kind).toBe('unavailable')
    expect(parseError(faultXml('soap:Client', 'Unmarshalling Error')).kind).toBe('unexpected_response')
    expect(parseError(faultXml('env:Client.BadSkybill')).kind).toBe('unexpected_response')
  })
})

describe('chronopost: HTTP', () => {
  it('POSTs the trackSkybillV2 envelope with the SOAP 1.1 headers', async () => {
    let sent: unknown
    const scope = nock(ORIGIN)
      .post(PATH, (body: unknown) => {
        sent = body
        return true
      })
      .matchHeader('content-type', 'text/xml; charset=utf-8')
      .matchHeader('soapaction', '""')
      .reply(200, fixture('trackSkybillV2-delivered-en.xml'))
    const snapshot = await createAdapter({ language: 'en_GB' }).track({ trackingNumber: '89108749065090' })
    expect(scope.isDone()).toBe(true)
    expect(snapshot.events).toHaveLength(9)
    expect(sent).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>' +
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns:cxf="http://cxf.tracking.soap.chronopost.fr/"><soapenv:Body><cxf:trackSkybillV2>' +
        '<language>en_GB</language><skybillNumber>89108749065090</skybillNumber>' +
        '</cxf:trackSkybillV2></soapenv:Body></soapenv:Envelope>',
    )
  })

  it('escapes what it puts in the envelope', () => {
    const envelope = buildTrackSkybillV2Envelope('fr"FR', `A<B>&'C`)
    const $ = load(envelope, { xml: true })
    expect($('skybillNumber').text()).toBe(`A<B>&'C`)
    expect($('language').text()).toBe('fr"FR')
    expect(envelope).not.toContain('<B>')
  })

  it('asks the 14 digits for a 15-character number', async () => {
    const scope = mockSoap('89108749065090', 200, fixture('trackSkybillV2-delivered-en.xml'))
    const snapshot = await createAdapter().track({ trackingNumber: '89108749065090W' })
    expect(scope.isDone()).toBe(true)
    expect(snapshot.trackingNumber).toBe('89108749065090')
  })

  it('refuses a number that is not Chronopost without calling it', async () => {
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: 'XG953488285JB' }))
    expect(error).toMatchObject({ kind: 'invalid_number', message: 'S10 check digit is 5, expected 4' })
  })

  it.each([
    ['200 with a SOAP Fault', 'unavailable', 200, fixture('soap-fault.xml')],
    ['500 with a Server fault', 'unavailable', 500, fixture('soap-fault.xml')],
    ['500 with a Client fault', 'unexpected_response', 500, faultXml('soap:Client')],
    ['400 with a Client fault', 'unexpected_response', 400, faultXml('soap:Client')],
    ['500 without a body', 'unavailable', 500, ''],
    ['502 with an HTML page', 'unavailable', 502, '<html><body>Bad Gateway</body></html>'],
    ['503 with a half envelope', 'unavailable', 503, fixture('soap-fault.xml').slice(0, 80)],
    ['200 with errorCode 1', 'unavailable', 200, fixture('trackSkybillV2-error-system.xml')],
    ['200 with an empty list', 'not_found', 200, fixture('empty-list.xml')],
    ['200 with JSON', 'unexpected_response', 200, '{"errorCode":0}'],
    ['200 with nothing', 'unexpected_response', 200, ''],
    ['401', 'unauthorized', 401, ''],
    ['403 with a fault', 'unauthorized', 403, fixture('soap-fault.xml')],
    ['302 redirect', 'unexpected_response', 302, ''],
    ['404 with an HTML page', 'unexpected_response', 404, '<html>Not Found</html>'],
  ] as const)('maps %s to %s', async (_label, kind, status, body) => {
    mockSoap('XN081879383FR', status, body)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: 'XN081879383FR' }))
    expect(error.kind).toBe(kind)
  })

  it('reads the wait of a 429 from Retry-After, else waits 1 s', async () => {
    mockSoap('XN081879383FR', 429, '', { headers: { 'retry-after': '7' } })
    const told = await caughtCarrierError(createAdapter().track({ trackingNumber: 'XN081879383FR' }))
    expect(told).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 })
    mockSoap('XN081879383FR', 429, '')
    const guessed = await caughtCarrierError(createAdapter().track({ trackingNumber: 'XN081879383FR' }))
    expect(guessed).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 })
  })

  it('reports a timeout as unavailable', async () => {
    mockSoap('XN081879383FR', 200, fixture('delivered-fr-other-prefixes.xml'), { delayMs: 1000 })
    const impatient = createCarrierHttp({ carrier: 'chronopost', timeoutMs: 100 })
    try {
      const error = await caughtCarrierError(
        createAdapter({ http: impatient }).track({ trackingNumber: 'XN081879383FR' }),
      )
      expect(error).toMatchObject({ kind: 'unavailable', message: 'chronopost: timed out' })
    } finally {
      await impatient.close()
    }
  })
})

describe('chronopost: what real answers showed', () => {
  const statusAfterEach = (snapshot: CarrierSnapshot) =>
    snapshot.events.map(
      (event, index) => `${event.code}:${deriveTrackingStatus(snapshot.events.slice(0, index + 1))}`,
    )

  it('keeps available_for_pickup when the drop-off scan (RB) follows the pickup point arrival (AB)', () => {
    const snapshot = parseSnapshot(fixture('relay-drop-off-after-arrival.xml'))
    expect(statusAfterEach(snapshot).slice(-4)).toEqual([
      'TA:out_for_delivery',
      'AB:available_for_pickup',
      'RB:available_for_pickup',
      'SM:available_for_pickup',
    ])
    expect(snapshot.events.find((event) => event.code === 'RB')).toMatchObject({
      status: 'in_transit',
      resumesOnly: true,
    })
    expect(snapshot).toMatchObject({ final: false })
  })

  it('keeps the courier on the way to the pickup point out for delivery, and available once it is there', () => {
    const body = fixture('relay-drop-off-after-arrival.xml').replace(
      '2026-06-27T11:08:00+02:00',
      '2026-06-27T11:06:45+02:00',
    )
    expect(statusAfterEach(parseSnapshot(body)).slice(-4)).toEqual([
      'TA:out_for_delivery',
      'RB:out_for_delivery',
      'AB:available_for_pickup',
      'SM:available_for_pickup',
    ])
  })

  it('maps TP (partner network abroad) in transit, placed by its Lieu, and EA as information received', () => {
    const snapshot = parseSnapshot(fixture('partner-network-abroad.xml'))
    expect(snapshot.events.map((event) => `${event.code}:${event.status}`)).toEqual([
      'DC:info_received',
      'EA:info_received',
      'DB:in_transit',
      'SC:in_transit',
      'TS:in_transit',
      'O:in_transit',
      'TP:in_transit',
      'SM:unknown',
    ])
    expect(deriveTrackingStatus(snapshot.events)).toBe('in_transit')
    const tp = snapshot.events.find((event) => event.code === 'TP')
    expect(tp?.location).toEqual({ name: 'EXAMPLE TOWN - DE (depot 0001)' })
    expect(tp?.details).toEqual({ Lieu: 'EXAMPLE TOWN - DE (depot 0001)' })
  })

  it('never takes a scanned parcel back to information received with a grouped-shipment notice (EA)', () => {
    const late = fixture('partner-network-abroad.xml').replace(
      '2026-01-01T11:51:22+01:00',
      '2026-01-03T15:02:00+01:00',
    )
    expect(statusAfterEach(parseSnapshot(late))).toContain('EA:in_transit')
    expect(deriveTrackingStatus(parseSnapshot(late).events)).toBe('in_transit')
  })

  it('shows no service name as a place: Web Services, Service d’avisage, CHRONOPOST NETWORKS', () => {
    const snapshot = parseSnapshot(fixture('partner-network-abroad.xml'))
    const placeOf = (code: string) => snapshot.events.find((event) => event.code === code)?.location
    expect(placeOf('DC')).toBeUndefined()
    expect(placeOf('SM')).toBeUndefined()
    expect(placeOf('TS')).toEqual({ name: 'HUB CHILLY MAZARIN CHRONOPOST', postalCode: '91090' })
    for (const office of ['  web   SERVICES ', 'Service d’avisage', 'CHRONOPOST NETWORKS']) {
      const [event] = parseSnapshot(
        answerWith(eventXml('TS', '2026-01-04T18:09:18+01:00', `<officeLabel>${office}</officeLabel>`)),
      ).events
      expect(event?.location, office).toBeUndefined()
    }
  })

  it('gives an appointment as an estimated delivery window with offsets, and its day as the estimate', () => {
    const snapshot = parseSnapshot(fixture('appointment-window.xml'))
    expect(snapshot).toMatchObject({
      estimatedDelivery: '2026-06-27',
      estimatedDeliveryWindow: { from: '2026-06-27T10:00:00+02:00', to: '2026-06-27T12:00:00+02:00' },
    })
    const winter = (start: string, end: string) =>
      parseSnapshot(
        answerWith(
          eventXml(
            'DC',
            '2026-01-05T18:00:00+01:00',
            `<infoCompList><name>Début créneau RDV</name><value>${start}</value></infoCompList>` +
              `<infoCompList><name>Fin créneau RDV</name><value>${end}</value></infoCompList>`,
          ),
        ),
      )
    expect(winter('06/01/2026 08:00', '06/01/2026 13:00:30').estimatedDeliveryWindow).toEqual({
      from: '2026-01-06T08:00:00+01:00',
      to: '2026-01-06T13:00:30+01:00',
    })
    for (const [start, end] of [
      ['31/02/2026 10:00', '31/02/2026 12:00'],
      ['27/06/2026 12:00', '27/06/2026 10:00'],
      ['27/06/2026 10:00', ''],
      ['2026-06-27 10:00', '2026-06-27 12:00'],
    ] as const) {
      const unread = winter(start, end)
      expect(unread.estimatedDeliveryWindow, `${start}–${end}`).toBeUndefined()
      expect(unread.estimatedDelivery, `${start}–${end}`).toBeUndefined()
    }
  })

  it('moves a failed attempt back toward delivery on a delivery instruction (CL), dated by its day', () => {
    const snapshot = parseSnapshot(fixture('failed-attempt-redelivery.xml'))
    expect(statusAfterEach(snapshot).slice(-3)).toEqual([
      'TA:out_for_delivery',
      'P:failed_attempt',
      'CL:in_transit',
    ])
    expect(snapshot.events.at(-1)).toMatchObject({ code: 'CL', status: 'in_transit', resumesOnly: true })
    // The chosen day wins over the appointment the instruction repeats; the old window is over.
    expect(snapshot.estimatedDelivery).toBe('2026-06-29')
    expect(snapshot.estimatedDeliveryWindow).toBeUndefined()
  })

  it('leaves the status as it is on an instruction received while the parcel is on its way', () => {
    const instruction = eventXml(
      'CL',
      '2026-06-26T09:00:00+02:00',
      '<infoCompList><name>Date de relivraison</name><value>30/06/2026</value></infoCompList>',
    )
    const announced = parseSnapshot(answerWith(eventXml('DC', '2026-06-25T18:00:00+02:00') + instruction))
    expect(deriveTrackingStatus(announced.events)).toBe('info_received')
    expect(announced.estimatedDelivery).toBe('2026-06-30')
    const atRelay = parseSnapshot(
      answerWith(
        eventXml('AB', '2026-06-25T18:00:00+02:00') + instruction.replace('30/06/2026', '31/06/2026'),
      ),
    )
    expect(deriveTrackingStatus(atRelay.events)).toBe('available_for_pickup')
    expect(atRelay.estimatedDelivery).toBeUndefined()
  })
})

describe('chronopost: estimated delivery', () => {
  const estimate = (...events: string[]) => parseSnapshot(answerWith(events.join(''))).estimatedDelivery

  it('dates IS/ZS "livraison prévue lundi prochain" to the first Monday after the Paris day', () => {
    expect(parseSnapshot(fixture('in-transit-is-monday.xml')).estimatedDelivery).toBe('2025-01-20')
    expect(estimate(eventXml('ZS', '2025-03-29T06:00:00+01:00'))).toBe('2025-03-31')
    expect(estimate(eventXml('IS', '2025-03-30T06:00:00+02:00'))).toBe('2025-03-31')
    // Sent on a Monday, "next Monday" is the week after.
    expect(estimate(eventXml('IS', '2025-01-20T06:00:00+01:00'))).toBe('2025-01-27')
    // Sunday 23:30 UTC is already Monday 00:30 in Paris.
    expect(estimate(eventXml('IS', '2025-01-19T23:30:00+00:00'))).toBe('2025-01-27')
  })

  it('dates "livraison reportée de 24h" codes to the day after the Paris day', () => {
    for (const code of ['DI', 'IA', 'RA', 'RT', 'ZA', 'ZC', 'ZI', 'ZT']) {
      expect(estimate(eventXml(code, '2024-12-31T18:00:00+01:00')), code).toBe('2025-01-01')
    }
    expect(estimate(eventXml('DI', '2025-10-26T23:30:00'))).toBe('2025-10-27')
  })

  it('takes the latest announcing event, and none without one', () => {
    const saturday = eventXml('IS', '2025-01-18T05:00:00+01:00')
    const postponed = eventXml('DI', '2025-01-20T09:00:00+01:00')
    expect(estimate(saturday, postponed)).toBe('2025-01-21')
    expect(estimate(postponed, saturday)).toBe('2025-01-21')
    expect(estimate(saturday, eventXml('TA', '2025-01-20T07:00:00+01:00'))).toBe('2025-01-20')
    expect(estimate(eventXml('SD', '2025-01-18T05:00:00+01:00'))).toBeUndefined()
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

describe('chronopost: event code table', () => {
  const referenceCodes = fixture('ref_evenement.psv')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('|')[0] ?? '')
  const csvRows = fixture('event-codes-normalized.csv')
    .trim()
    .split('\n')
    .slice(1)
    .map(splitCsvLine)
    .map((cells) => ({
      codes: (cells[0] ?? '').split('/').map((code) => code.trim()),
      status: cells[3] ?? '',
    }))
  const table: Record<string, string> = CHRONOPOST_STATUS_BY_CODE
  // The CSV calls these "informational - keep previous"; the table reads them from their label.
  const READ_FROM_LABEL: Record<string, string> = {
    AS: 'in_transit',
    BA: 'in_transit',
    TR: 'in_transit',
    RO: 'in_transit',
    SR: 'in_transit',
    Z: 'in_transit',
    IX: 'in_transit',
    I9: 'in_transit',
    I: 'in_transit',
    CC: 'info_received',
    EA: 'info_received',
    CL: 'in_transit',
    FI: 'exception',
  }

  it('holds all 118 codes of Chronopost reference table, the parameter-only variants and TP', () => {
    expect(new Set(referenceCodes).size).toBe(118)
    for (const code of referenceCodes) expect(table, code).toHaveProperty([code])
    const variants = ['D1', 'D2', 'D3', 'D4', 'D5', 'N1', 'N2', 'P1', 'P2']
    // TP is not in the reference table: real answers carry it, from the partner network abroad.
    const seenInAnswers = ['TP']
    expect(Object.keys(table).sort()).toEqual([...referenceCodes, ...variants, ...seenInAnswers].sort())
  })

  it('gives every CSV code the CSV suggested status', () => {
    const suggested = csvRows.filter((row) => !row.status.startsWith('('))
    expect(suggested.flatMap((row) => row.codes)).toHaveLength(93)
    for (const { codes, status } of suggested) {
      for (const code of codes) expect(table[code], code).toBe(status)
    }
  })

  it('keeps informational CSV codes unknown, except those whose label is a scan of the parcel', () => {
    const informational = csvRows.filter((row) => row.status.startsWith('('))
    for (const code of informational.flatMap((row) => row.codes)) {
      expect(table[code], code).toBe(READ_FROM_LABEL[code] ?? 'unknown')
    }
  })

  it('maps the reference codes the CSV lacks', () => {
    expect(table.ER).toBe('exception')
    expect(table.TT).toBe('in_transit')
  })

  it('dates deliveries only from in-transit codes', () => {
    for (const code of Object.keys(DELIVERY_ESTIMATE_BY_CODE)) expect(table[code], code).toBe('in_transit')
  })
})

describe('chronopost: numbers', () => {
  it.each([
    ['XY746876977FR', 'XY746876977FR'],
    ['XN081879383FR', 'XN081879383FR'],
    ['XG953488284JB', 'XG953488284JB'],
    ['XU171986142JF', 'XU171986142JF'],
    ['XA001134936TS', 'XA001134936TS'],
    ['89108749065090', '89108749065090'],
    ['13199341485349', '13199341485349'],
    ['89108749065090W', '89108749065090'],
    ['13199341485349X', '13199341485349'],
  ])('accepts %s as %s', (number, trackingNumber) => {
    expect(checkChronopostNumber(number)).toEqual({ ok: true, trackingNumber })
  })

  it.each([
    ['XB123456786GB', 'S10 check digit is 6, expected 5'],
    ['XG953488285JB', 'S10 check digit is 5, expected 4'],
    ['89108749065090X', 'check character is X, expected W'],
    [
      'EW112720413FR',
      'an S10 number that is not Chronopost: Chronopost S10 numbers start with X or PZ, or end in JB, JF or TS',
    ],
    ['6A15602676300', 'a La Poste 13-character number (Colissimo, Lettre suivie), not Chronopost'],
  ])('refuses %s: %s', (number, reason) => {
    expect(checkChronopostNumber(number)).toEqual({ ok: false, reason })
  })

  it('names the formats it expects for anything else', () => {
    for (const junk of ['', 'XG95348828JB', '8910874906509', '891087490650900W', 'xg953488284jb']) {
      const check = checkChronopostNumber(junk)
      expect(check.ok, junk).toBe(false)
      if (!check.ok) expect(check.reason).toMatch(/^not a Chronopost tracking number format/)
    }
  })
})

/** Independent oracles, written from the published check-digit rules rather than taken from the domain code. */
function s10Oracle(serial: string): number {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7]
  const sum = [...serial].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0)
  const check = 11 - (sum % 11)
  return check === 10 ? 0 : check === 11 ? 5 : check
}

function mod37_36Oracle(digits: string): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  let product = 36
  for (const digit of digits) {
    let sum = (product + Number(digit)) % 36
    if (sum === 0) sum = 36
    product = (sum * 2) % 37
  }
  return alphabet[(37 - product) % 36] ?? '?'
}

/** A replacement for an element text: anything, escaped so that it stays text. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

describe('chronopost: properties', () => {
  const adapter = createAdapter()
  const samples = [
    'trackSkybillV2-delivered-en.xml',
    'trackSkybillV2-live-fr-in-transit.xml',
    'trackSkybillV2-error-system.xml',
    'failed-attempt-redelivery.xml',
    'partner-network-abroad.xml',
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

  it('throws nothing but CarrierError on arbitrary tag soup', () => {
    const token = fc.constantFrom(
      '<',
      '</',
      '>',
      '/>',
      'soap:',
      'ns2:',
      'Envelope',
      'Body',
      'Fault',
      'faultcode',
      'Client',
      'trackSkybillV2Response',
      'return',
      'errorCode',
      '0',
      '1',
      'listEventInfoComp',
      'events',
      'code',
      'eventDate',
      '2025-01-18T05:03:00',
      'skybillNumber',
      ' ',
    )
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const outcome = parseOutcome(adapter, tokens.join(''))
        if (outcome instanceof CarrierError)
          expect(['unexpected_response', 'unavailable']).toContain(outcome.kind)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('refuses every truncation of the real samples', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (text, ratio) => {
        const outcome = parseOutcome(adapter, text.slice(0, Math.floor(ratio * text.length)))
        expect(outcome).toBeInstanceOf(CarrierError)
        expect((outcome as CarrierError).kind).toBe('unexpected_response')
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('throws nothing but unexpected_response when characters of a real sample change', () => {
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

  it('maps or refuses a real sample with any element text replaced, never half-parses', () => {
    fc.assert(
      fc.property(sample, fc.nat(), fc.string(), (text, position, replacement) => {
        const texts = [...text.matchAll(/>([^<]*)</g)]
        const target = texts[position % texts.length]
        if (!target || target.index === undefined) throw new Error('sample has no element text')
        const start = target.index + 1
        const mutated =
          text.slice(0, start) + escapeText(replacement) + text.slice(start + (target[1] ?? '').length)
        const outcome = parseOutcome(adapter, mutated)
        if (outcome instanceof CarrierError) expect(outcome.kind).toBe('unexpected_response')
        else expect(outcome).toHaveLength(1)
      }),
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
  const carrierEvent = fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...Object.keys(CHRONOPOST_STATUS_BY_CODE)),
        fc.constantFrom('ZZ', ' DC ', 'D  '),
      ),
      carrierDate,
      fc.string(),
      fc.constantFrom('', '     ', '62223', ' 75015 '),
    )
    .map(
      ([code, date, label, zip]) =>
        `<events><code>${code}</code><eventDate>${date}</eventDate>` +
        `<eventLabel>${escapeText(label)}</eventLabel><zipCode>${zip}</zipCode></events>`,
    )

  it('sorts every parsed snapshot by instant, every occurredAt with an offset', () => {
    fc.assert(
      fc.property(fc.array(carrierEvent, { minLength: 1, maxLength: 12 }), (events) => {
        const snapshot = parseSnapshot(answerWith(events.join('')), adapter)
        expectWellFormed([snapshot])
        expect(snapshot.final).toBe(
          snapshot.events.some(
            (event) => event.status === 'delivered' || event.status === 'returned_to_sender',
          ),
        )
        if (snapshot.estimatedDelivery) expect(snapshot.estimatedDelivery).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  const frenchTime = fc
    .tuple(
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 2020, max: 2030 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.option(fc.integer({ min: 0, max: 61 }), { nil: undefined }),
    )
    .map(([day, month, year, hour, minute, second]) => {
      const seconds = second === undefined ? '' : `:${two(second)}`
      return `${two(day)}/${two(month)}/${year} ${two(hour)}:${two(minute)}${seconds}`
    })
  const appointmentValue = fc.oneof(frenchTime, fc.string({ maxLength: 20 }))

  it('reads any appointment pair as a window that starts before it ends, with offsets, or as none', () => {
    fc.assert(
      fc.property(appointmentValue, appointmentValue, fc.boolean(), (start, end, zulu) => {
        const pairs =
          `<infoCompList><name>Début créneau RDV</name><value>${escapeText(start)}</value></infoCompList>` +
          `<infoCompList><name>Fin créneau RDV</name><value>${escapeText(end)}</value></infoCompList>`
        const date = zulu ? '2026-06-26T16:00:00Z' : '2026-06-26T18:00:00+02:00'
        const snapshot = parseSnapshot(answerWith(eventXml('DC', date, pairs)), adapter)
        const window = snapshot.estimatedDeliveryWindow
        if (!window) {
          expect(snapshot.estimatedDelivery).toBeUndefined()
          return
        }
        expect(hasOffset(window.from) && hasOffset(window.to)).toBe(true)
        expect(Date.parse(window.from)).toBeLessThan(Date.parse(window.to))
        expect(window.from.slice(0, 10)).toBe(snapshot.estimatedDelivery)
        // The day the appointment starts, as written (dd/MM/yyyy).
        expect(window.from.slice(0, 10)).toBe(start.slice(0, 10).split('/').reverse().join('-'))
      }),
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

  it('agrees with the S10 check digit on random X… numbers, whatever country or operator suffix', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^X[A-Z]\d{8}$/),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom('FR', 'US', 'GB', 'MQ', 'DE', 'JB', 'JF', 'TS'),
        (head, digit, suffix) => {
          const expected = s10Oracle(head.slice(2))
          const check = checkChronopostNumber(`${head}${digit}${suffix}`)
          expect(check.ok).toBe(digit === expected)
          if (!check.ok) expect(check.reason).toBe(`S10 check digit is ${digit}, expected ${expected}`)
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('refuses S10 numbers of no Chronopost prefix or suffix, even with a good check digit', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-WYZ][A-Z]\d{8}$/).filter((head) => !head.startsWith('PZ')),
        fc.constantFrom('FR', 'US', 'GB', 'MQ', 'DE'),
        (head, suffix) => {
          const number = `${head}${s10Oracle(head.slice(2))}${suffix}`
          expect(checkChronopostNumber(number).ok).toBe(false)
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('agrees with MOD 37,36 on random 15-character numbers and strips the check character', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{14}$/), fc.stringMatching(/^[0-9A-Z]$/), (digits, char) => {
        const check = checkChronopostNumber(`${digits}${char}`)
        expect(check.ok).toBe(char === mod37_36Oracle(digits))
        if (check.ok) expect(check.trackingNumber).toBe(digits)
        expect(checkChronopostNumber(digits)).toEqual({ ok: true, trackingNumber: digits })
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
