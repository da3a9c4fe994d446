import { readdirSync } from 'node:fs'
import { load } from 'cheerio'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { CarrierError, type CarrierErrorKind } from '../../adapters/contract.js'
import { buildGetShipmentTraceEnvelope } from '../../adapters/dpd/webtrace.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import {
  DPD_WEBTRACE_JOURNEY,
  WEBTRACE_EMPTY_ANSWER,
  type WebtraceScan,
  webtraceAnswer,
  webtraceEnvelope,
  webtraceFault,
  webtraceShipmentXml,
} from '../support/dpd-webtrace.js'
import { runAdapterContract } from './adapter-contract.js'
import {
  CREDENTIALS,
  createAdapter,
  createPageAdapter,
  FIXTURES,
  fixture,
  mockTracePage,
  mockWebtrace,
  type ParseEntry,
  parseError,
  parseOutcome,
  parseSnapshot,
  parseSnapshots,
  WEBTRACE_ORIGIN,
  WEBTRACE_PATH,
} from './dpd-support.js'

const NUMBER = '250803383035673'
const UNKNOWN_SCAN: WebtraceScan = {
  statusNumber: '999',
  description: 'Colis scanné au quai 4',
  date: '2026-03-28',
  time: '05:00:00',
}

/** A trace page of `number` with the given rows (newest first, as DPD shows them). */
function pageWith(number: string, rows: string, returnLeg = ''): string {
  return (
    '<!doctype html><html><body>' +
    `<span class="infosTitle parcelNumberAller">Votre colis ${number}</span>` +
    `${returnLeg}<table id="tableTrace">${rows}</table></body></html>`
  )
}

function rowHtml(date: string, time: string, text: string, place = '', sort?: number): string {
  const attribute = sort === undefined ? '' : ` data-sort="${sort}"`
  return `<tr class="tabTraceColisAller"${attribute}><td>${date}</td><td>${time}</td><td>${text}</td><td>${place}</td></tr>`
}

beforeAll(() => {
  nock.disableNetConnect()
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(() => {
  nock.enableNetConnect()
})

const FACTS = {
  claims: [
    { trackingNumber: NUMBER, confidence: 0.9 },
    { trackingNumber: '2508033830356734', confidence: 0.95 },
    { trackingNumber: '10654000122441', confidence: 0.8 },
    { trackingNumber: '09980000020033F', confidence: 0.9 },
    { trackingNumber: '008182709980000020033350276C', confidence: 0.9 },
  ],
  pickupHoldDays: 7,
  deliveryDays: [[undefined, 'ouvres']] as Array<[string | undefined, 'ouvres']>,
}

const GARBAGE_BODIES = [
  fixture('GetShipmentTrace-request.xml'),
  fixture('GetShipmentTrace-request.karrio.xml'),
  fixture('Webtrace_Service.xsd'),
  fixture('trace-label-patterns.csv'),
  fixture('GetShipmentTrace-response.synthetic.xml').slice(0, 400),
  fixture('trace-page-delivered-then-claim.html').slice(0, 900),
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
  '<?xml version="1.0"?><Error><ErrorId>IpPermissionDenied</ErrorId>',
]

runAdapterContract('dpd (Webtrace_Service)', (hooks) => createAdapter(hooks), {
  history: {
    trackingNumber: NUMBER,
    arrange: () => mockWebtrace(NUMBER, 200, webtraceAnswer(NUMBER, DPD_WEBTRACE_JOURNEY)),
  },
  unknownCode: {
    trackingNumber: NUMBER,
    code: '999',
    arrange: () =>
      mockWebtrace(NUMBER, 200, webtraceAnswer(NUMBER, [...DPD_WEBTRACE_JOURNEY.slice(0, 2), UNKNOWN_SCAN])),
  },
  notFound: { trackingNumber: NUMBER, arrange: () => mockWebtrace(NUMBER, 200, WEBTRACE_EMPTY_ANSWER) },
  rateLimited: { trackingNumber: NUMBER, arrange: () => mockWebtrace(NUMBER, 429, '') },
  garbage: {
    trackingNumber: NUMBER,
    arrange: () => mockWebtrace(NUMBER, 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: GARBAGE_BODIES,
  facts: FACTS,
})

runAdapterContract('dpd (trace.dpd.fr page)', (hooks) => createPageAdapter(hooks), {
  history: {
    trackingNumber: NUMBER,
    arrange: () => mockTracePage(NUMBER, 200, fixture('trace-page-delivered-then-claim.html')),
  },
  unknownCode: {
    trackingNumber: NUMBER,
    code: 'COLIS_SCANNE_AU_QUAI_4',
    arrange: () =>
      mockTracePage(NUMBER, 200, pageWith(NUMBER, rowHtml('28/03/2026', '05:00', 'Colis scanné au quai 4'))),
  },
  notFound: {
    trackingNumber: NUMBER,
    arrange: () => mockTracePage(NUMBER, 200, fixture('trace-page-not-found.fragment.html')),
  },
  rateLimited: { trackingNumber: NUMBER, arrange: () => mockTracePage(NUMBER, 429, '') },
  garbage: {
    trackingNumber: NUMBER,
    arrange: () => mockTracePage(NUMBER, 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: GARBAGE_BODIES,
  facts: FACTS,
})

describe('dpd: adapter', () => {
  it('reads Webtrace_Service with credentials, sends them, and lists them as secrets', () => {
    const adapter = createAdapter({ rateLimit: { max: 3, durationMs: 2000 } })
    expect(adapter).toMatchObject({
      id: 'dpd',
      name: 'DPD France',
      batchSize: 1,
      needsCredentials: true,
      configured: true,
      rateLimit: { max: 3, durationMs: 2000 },
      source: { bestEffort: false },
    })
    expect(adapter.source?.name).toContain('Webtrace_Service')
    expect(adapter.listSecrets()).toEqual([CREDENTIALS.userId, CREDENTIALS.password])
    expect(adapter.trackBatch).toBeUndefined()
  })

  it('reads the public page without credentials: configured, best-effort, no secret', () => {
    const adapter = createPageAdapter()
    expect(adapter).toMatchObject({ needsCredentials: false, configured: true, source: { bestEffort: true } })
    expect(adapter.source?.name).toContain('trace.dpd.fr')
    expect(adapter.listSecrets()).toEqual([])
  })
})

type SampleEntry = { status: TrackingStatus; trackingNumber: string } | { error: CarrierErrorKind }
type SampleOutcome = { entries: SampleEntry[] } | { thrown: CarrierErrorKind }

/** What each research sample copied into the fixtures must give through `parse`. */
const SAMPLE_OUTCOMES: Record<string, SampleOutcome> = {
  // Synthetic English wording ("Picked up by driver", "Delivered to recipient"), kept readable.
  'GetShipmentTrace-response.synthetic.xml': {
    entries: [{ status: 'delivered', trackingNumber: '250123456789012345' }],
  },
  'error-IpPermissionDenied.synthetic.xml': { entries: [{ error: 'unauthorized' }] },
  'trace-page-delivered-then-claim.html': { entries: [{ status: 'delivered', trackingNumber: NUMBER }] },
  'trace-page-outbound-and-return.html': {
    entries: [
      { status: 'delivered', trackingNumber: '10654000122441' },
      { status: 'in_transit', trackingNumber: '10658000986984' },
    ],
  },
  'trace-page-not-found.fragment.html': { entries: [{ error: 'not_found' }] },
  'trace-page-cloudflare-challenge.fragment.html': { entries: [{ error: 'unavailable' }] },
  // Requests, the schema and the pattern list are no answers.
  'GetShipmentTrace-request.xml': { thrown: 'unexpected_response' },
  'GetShipmentTrace-request.karrio.xml': { thrown: 'unexpected_response' },
  'Webtrace_Service.xsd': { thrown: 'unexpected_response' },
  'trace-label-patterns.csv': { thrown: 'unexpected_response' },
}

function describeEntry(entry: ParseEntry): SampleEntry {
  if (entry instanceof CarrierError) return { error: entry.kind }
  return { status: deriveTrackingStatus(entry.events), trackingNumber: entry.trackingNumber }
}

describe('dpd: research samples', () => {
  it.each(Object.entries(SAMPLE_OUTCOMES))('%s parses to the expected outcome', (file, expected) => {
    for (const adapter of [createAdapter(), createPageAdapter()]) {
      const outcome = parseOutcome(adapter, fixture(file))
      if ('thrown' in expected) {
        expect(outcome).toBeInstanceOf(CarrierError)
        expect((outcome as CarrierError).kind).toBe(expected.thrown)
      } else {
        expect(outcome).toBeInstanceOf(Array)
        expect((outcome as ParseEntry[]).map(describeEntry)).toEqual(expected.entries)
      }
    }
  })

  it('has an expected outcome for every research sample copied into the fixtures', () => {
    const samples = readdirSync(FIXTURES).filter((name) => name.endsWith('.source.txt'))
    expect(samples).toHaveLength(10)
    for (const source of samples)
      expect(SAMPLE_OUTCOMES, source).toHaveProperty([source.replace(/\.source\.txt$/, '')])
  })

  it('maps the real delivered page: Paris time with the seconds of data-sort, places, the claim after', () => {
    const snapshot = parseSnapshot(fixture('trace-page-delivered-then-claim.html'))
    expect(snapshot).toMatchObject({
      carrier: 'dpd',
      trackingNumber: NUMBER,
      final: true,
      deliveredAt: '2026-01-23T12:45:50+01:00',
    })
    expect(snapshot.events.map((event) => [event.occurredAt, event.status])).toEqual([
      ['2026-01-22T16:16:30+01:00', 'in_transit'],
      ['2026-01-23T08:31:34+01:00', 'out_for_delivery'],
      ['2026-01-23T12:45:50+01:00', 'delivered'],
      ['2026-02-12T09:50:37+01:00', 'exception'],
    ])
    expect(snapshot.events[0]).toMatchObject({
      code: 'VOTRE_COLIS_EST_ARRIVE_EN_FRANCE',
      description: 'Votre colis est arrivé en France',
      location: { name: 'Centre de tri DPD de Le Coudray (175)', city: 'Le Coudray' },
      details: { depot: '175' },
    })
    // "Livré au destinataire" in the place cell is wording, not a place.
    expect(snapshot.events[2]?.location).toBeUndefined()
    expect(deriveTrackingStatus(snapshot.events)).toBe('delivered')
    // The return leg names no number on this page: it is left out, never mixed in.
    expect(snapshot.events.some((event) => event.description.includes('REDACTED'))).toBe(false)
  })

  it('maps the synthetic Webtrace_Service answer: StatusNumber kept as code, the wording read', () => {
    const snapshot = parseSnapshot(fixture('GetShipmentTrace-response.synthetic.xml'))
    expect(snapshot.events).toMatchObject([
      {
        code: '10',
        status: 'in_transit',
        occurredAt: '2026-04-15T09:15:00+02:00',
        location: { name: 'TOULON' },
      },
      {
        code: '50',
        status: 'delivered',
        occurredAt: '2026-04-16T14:32:00+02:00',
        location: { name: 'MENTON' },
      },
    ])
  })

  it('gives every example wording of the pattern list the status it suggests', () => {
    const rows = fixture('trace-label-patterns.csv').trim().split('\n').slice(1)
    expect(rows).toHaveLength(9)
    const checked: string[] = []
    for (const row of rows) {
      const [, example, suggested] = row.match(/^[^,]+,("[^"]*"|[^,]*),([a-z_]+),/) ?? []
      if (!example || !suggested || example.startsWith('(')) continue
      for (const wording of example.replace(/"/g, '').split(' / ')) {
        const page = pageWith(NUMBER, rowHtml('22/01/2026', '16:16', wording))
        expect(parseSnapshot(page).events[0]?.status, wording).toBe(suggested)
        checked.push(wording)
      }
    }
    expect(checked).toHaveLength(10)
  })
})

describe('dpd: Webtrace_Service', () => {
  it('POSTs GetShipmentTrace with the credentials in the SOAP header, in French, without images', async () => {
    let sent = ''
    const scope = nock(WEBTRACE_ORIGIN)
      .post(WEBTRACE_PATH, (body: string) => {
        sent = body
        return true
      })
      .matchHeader('content-type', 'text/xml; charset=utf-8')
      .matchHeader('soapaction', '"http://www.cargonet.software/GetShipmentTrace"')
      .reply(200, webtraceAnswer(NUMBER, DPD_WEBTRACE_JOURNEY))
    await createAdapter().track({ trackingNumber: NUMBER })
    expect(scope.isDone()).toBe(true)
    const $ = load(sent, { xml: true })
    expect($('soap\\:Header c\\:userid').text()).toBe(CREDENTIALS.userId)
    expect($('soap\\:Header c\\:password').text()).toBe(CREDENTIALS.password)
    expect($('c\\:ShipmentNumber').text()).toBe(NUMBER)
    expect($('c\\:Language').text()).toBe('FR')
    expect($('c\\:GetImages').text()).toBe('false')
    expect($('c\\:Customer')).toHaveLength(0)
    expect(sent).not.toContain('<dpd>')
  })

  it('adds the Customer block when a depot and customer number are configured', () => {
    const envelope = buildGetShipmentTraceEnvelope(
      { ...CREDENTIALS, customer: { centerNumber: 123, number: 456789 } },
      NUMBER,
    )
    const $ = load(envelope, { xml: true })
    expect($('c\\:Customer c\\:centernumber').text()).toBe('123')
    expect($('c\\:Customer c\\:number').text()).toBe('456789')
    expect($('c\\:Customer c\\:countrycode').text()).toBe('250')
  })

  it('asks the parcel number of a barcode, of a number with its check character or GS1 digit', async () => {
    for (const [given, asked] of [
      ['008182709980000020033350276C', '09980000020033'],
      ['09980000020033F', '09980000020033'],
      ['2508033830356734', NUMBER],
    ] as const) {
      const scope = mockWebtrace(asked, 200, webtraceAnswer(asked, DPD_WEBTRACE_JOURNEY))
      const snapshot = await createAdapter().track({ trackingNumber: given })
      expect(scope.isDone(), given).toBe(true)
      expect(snapshot.trackingNumber).toBe(asked)
    }
  })

  it('picks the shipment naming the parcel among several, with or without its check character', () => {
    const other = webtraceShipmentXml('10658000986984', DPD_WEBTRACE_JOURNEY.slice(0, 1))
    const mine = webtraceShipmentXml('10654000122441R', DPD_WEBTRACE_JOURNEY)
    mockWebtrace('10654000122441', 200, webtraceEnvelope(other + mine))
    return expect(createAdapter().track({ trackingNumber: '10654000122441' })).resolves.toMatchObject({
      trackingNumber: '10654000122441',
      final: true,
    })
  })

  it('lists every shipment of an answer in parse, and skips nil shipments and traces', () => {
    const nilTrace = '<clsTrace xsi:nil="true"/>'
    const body = webtraceEnvelope(
      '<ShipmentTrace xsi:nil="true"/>' +
        webtraceShipmentXml('10654000122441', DPD_WEBTRACE_JOURNEY).replace(
          '<Traces>',
          `<Traces>${nilTrace}`,
        ) +
        webtraceShipmentXml('10658000986984', DPD_WEBTRACE_JOURNEY.slice(0, 2)),
    )
    expect(parseSnapshots(body).map((snapshot) => [snapshot.trackingNumber, snapshot.events.length])).toEqual(
      [
        ['10654000122441', 4],
        ['10658000986984', 2],
      ],
    )
  })

  it('reads relay points, depots and the Predict date', () => {
    const relay: WebtraceScan = {
      statusNumber: '21',
      description: 'Votre colis est disponible dans votre Relais Pickup',
      date: '2026-03-30',
      time: '10:02:00',
      center: 'Relais Pickup Tabac de la Gare',
      relais: { id: 'P12345', name: 'Tabac de la Gare' },
    }
    const schedule =
      '<DeliveryScheduled><StartDate>30/03/2026</StartDate><StartTime>09:00</StartTime></DeliveryScheduled>'
    const snapshot = parseSnapshot(
      webtraceAnswer(NUMBER, [...DPD_WEBTRACE_JOURNEY.slice(0, 2), relay], schedule),
    )
    expect(snapshot.estimatedDelivery).toBe('2026-03-30')
    expect(snapshot.events[1]?.details).toEqual({ depot: '175' })
    expect(snapshot.events[2]).toMatchObject({
      status: 'available_for_pickup',
      details: { pickupPointId: 'P12345', pickupPoint: 'Tabac de la Gare' },
    })
    expect(deriveTrackingStatus(snapshot.events)).toBe('available_for_pickup')
    const unreadable = schedule.replace('30/03/2026', 'soon')
    expect(
      parseSnapshot(webtraceAnswer(NUMBER, DPD_WEBTRACE_JOURNEY, unreadable)).estimatedDelivery,
    ).toBeUndefined()
  })

  it('reads the ScanDate forms DPD may use as Paris wall clock, across the DST changes', () => {
    const at = (date: string, time: string) =>
      parseSnapshot(webtraceAnswer(NUMBER, [{ ...UNKNOWN_SCAN, date, time }])).events[0]?.occurredAt
    expect(at('2026-03-28', '05:00:00')).toBe('2026-03-28T05:00:00+01:00')
    expect(at('30/03/2026', '05:00')).toBe('2026-03-30T05:00:00+02:00')
    expect(at('30.03.2026', '5h07')).toBe('2026-03-30T05:07:00+02:00')
    expect(at('2026-03-29T02:30:00', '')).toBe('2026-03-29T03:30:00+02:00')
    expect(at('2026-10-25', '02:30:00')).toBe('2026-10-25T02:30:00+02:00')
  })

  it('refuses the answer when a scan date or StatusNumber is unreadable', () => {
    for (const scan of [
      { ...UNKNOWN_SCAN, date: '31/02/2026' },
      { ...UNKNOWN_SCAN, time: '25:00' },
      { ...UNKNOWN_SCAN, statusNumber: 'ten' },
      { ...UNKNOWN_SCAN, date: '' },
    ]) {
      expect(parseError(webtraceAnswer(NUMBER, [scan])).kind, JSON.stringify(scan)).toBe(
        'unexpected_response',
      )
    }
  })

  it('reads an empty result, or a shipment without traces, as not found', () => {
    expect(parseError(WEBTRACE_EMPTY_ANSWER).kind).toBe('not_found')
    expect(parseError(webtraceAnswer(NUMBER, [])).kind).toBe('not_found')
    expect(parseError(webtraceEnvelope('')).kind).toBe('not_found')
  })

  it.each([
    ['an IpPermissionDenied fault', 500, webtraceFault('soap:Server', 'IpPermissionDenied'), 'unauthorized'],
    [
      'an IpPermissionDenied fault in the detail',
      500,
      webtraceFault('soap:Client', 'Access refused', '<ErrorId>IpPermissionDenied</ErrorId>'),
      'unauthorized',
    ],
    [
      'a refused password fault',
      500,
      webtraceFault('soap:Server', 'Invalid userid or password'),
      'unauthorized',
    ],
    [
      'a Server fault',
      500,
      webtraceFault('soap:Server', 'Server was unable to process request.'),
      'unavailable',
    ],
    [
      'a Client fault',
      500,
      webtraceFault('soap:Client', 'Server did not recognize the value'),
      'unexpected_response',
    ],
    ['a fault at 200', 200, webtraceFault('soap:Server', 'Timeout expired'), 'unavailable'],
    ['401', 401, '', 'unauthorized'],
    ['403 without a challenge', 403, '', 'unauthorized'],
    ['500 without a body', 500, '', 'unavailable'],
    ['502 with an HTML page', 502, '<html><body>Bad Gateway</body></html>', 'unavailable'],
    ['302 redirect', 302, '', 'unexpected_response'],
    ['404 with an HTML page', 404, '<html>Not Found</html>', 'unexpected_response'],
    ['200 with JSON', 200, '{"ShipmentNumber":1}', 'unexpected_response'],
  ] as const)('maps %s to %s', async (_label, status, body, kind) => {
    mockWebtrace(NUMBER, status, body)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    expect(error.kind).toBe(kind)
  })

  it('says which address DPD France must allow when it answers IpPermissionDenied', async () => {
    mockWebtrace(NUMBER, 500, webtraceFault('soap:Server', 'IpPermissionDenied'))
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    expect(error.message).toMatch(/IpPermissionDenied.*allow this server's address/)
  })

  it('blanks the credentials out of a fault that echoes the request', async () => {
    const echo = `Server was unable to read request: userid ${CREDENTIALS.userId} password ${CREDENTIALS.password}`
    mockWebtrace(NUMBER, 500, webtraceFault('soap:Server', echo))
    const thrown = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    mockWebtrace(NUMBER, 200, webtraceFault('soap:Server', echo))
    const entry = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    for (const error of [thrown, entry]) {
      expect(error.kind).toBe('unavailable')
      expect(error.message).toContain('userid [REDACTED] password [REDACTED]')
      expect(error.message).not.toContain(CREDENTIALS.password)
    }
  })

  it('reads a Cloudflare challenge in front of the service as unavailable', async () => {
    mockWebtrace(NUMBER, 403, fixture('trace-page-cloudflare-challenge.fragment.html'), {
      headers: { 'cf-mitigated': 'challenge', 'content-type': 'text/html' },
    })
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    expect(error).toMatchObject({ kind: 'unavailable' })
    expect(error.message).toContain('Cloudflare')
  })

  it('reads the wait of a 429 from Retry-After, else waits 1 s', async () => {
    mockWebtrace(NUMBER, 429, '', { headers: { 'retry-after': '7' } })
    const told = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    expect(told).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 })
  })

  it('refuses a number that is not DPD without calling it', async () => {
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '09980000020033D' }))
    expect(error).toMatchObject({ kind: 'invalid_number', message: 'check character is D, expected F' })
  })

  it('warns of a wording no pattern knows, naming its StatusNumber', async () => {
    const logger = createSilentLogger()
    const warn = vi.spyOn(logger, 'warn')
    const snapshot = parseSnapshot(webtraceAnswer(NUMBER, [UNKNOWN_SCAN]), createAdapter({ logger }))
    expect(snapshot.events[0]).toMatchObject({ code: '999', status: 'unknown' })
    expect(warn).toHaveBeenCalledWith({ code: '999' }, 'unmapped carrier code')
  })
})

describe('dpd: trace.dpd.fr page', () => {
  it('answers a Cloudflare challenge as unavailable with a clear lastError, never as no events', async () => {
    mockTracePage(NUMBER, 403, fixture('trace-page-cloudflare-challenge.fragment.html'), {
      'cf-mitigated': 'challenge',
    })
    const error = await caughtCarrierError(createPageAdapter().track({ trackingNumber: NUMBER }))
    expect(error.kind).toBe('unavailable')
    expect(error.message).toBe(
      'trace.dpd.fr answered a Cloudflare bot challenge instead of the tracking data; the public page is ' +
        'best-effort (DPD France contract customers can set DPD_FR_USER and DPD_FR_PASSWORD)',
    )
  })

  it('knows a challenge by its page alone, or by its header alone', async () => {
    mockTracePage(NUMBER, 200, fixture('trace-page-cloudflare-challenge.fragment.html'))
    expect((await caughtCarrierError(createPageAdapter().track({ trackingNumber: NUMBER }))).kind).toBe(
      'unavailable',
    )
    mockTracePage(NUMBER, 403, '', { 'cf-mitigated': 'challenge' })
    expect(
      (await caughtCarrierError(createPageAdapter().track({ trackingNumber: NUMBER }))).message,
    ).toContain('Cloudflare')
  })

  it.each([
    ['the not-found page', 200, fixture('trace-page-not-found.fragment.html'), 'not_found'],
    ['the not-found page with 404', 404, '<p>Numéro de colis inconnu</p>', 'not_found'],
    ['a parcel without rows yet', 200, pageWith(NUMBER, ''), 'not_found'],
    ['403 without a challenge', 403, 'Forbidden', 'unavailable'],
    ['503', 503, '', 'unavailable'],
    ['302 redirect', 302, '', 'unexpected_response'],
    ['404 with another page', 404, '<html>Not Found</html>', 'unexpected_response'],
    [
      'a page cut short',
      200,
      fixture('trace-page-delivered-then-claim.html').slice(0, -20),
      'unexpected_response',
    ],
    [
      'a row with an unreadable date',
      200,
      pageWith(NUMBER, rowHtml('32/01/2026', '08:00', 'Colis livré')),
      'unexpected_response',
    ],
    [
      'a row without wording',
      200,
      pageWith(NUMBER, rowHtml('22/01/2026', '08:00', ' ')),
      'unexpected_response',
    ],
  ] as const)('maps %s to %s', async (_label, status, body, kind) => {
    mockTracePage(NUMBER, status, body)
    const error = await caughtCarrierError(createPageAdapter().track({ trackingNumber: NUMBER }))
    expect(error.kind).toBe(kind)
  })

  it('asks the page of the parcel number, and picks the leg naming it', async () => {
    const page = fixture('trace-page-outbound-and-return.html')
    mockTracePage('10658000986984', 200, page)
    const returned = await createPageAdapter().track({ trackingNumber: '10658000986984' })
    expect(returned.events.map((event) => event.description)).toEqual([
      'Votre colis est en transit dans notre réseau',
    ])
    mockTracePage('10654000122441', 200, page)
    const outbound = await createPageAdapter().track({ trackingNumber: '10654000122441R' })
    expect(outbound).toMatchObject({ trackingNumber: '10654000122441', final: true })
    expect(outbound.events.map((event) => event.location?.name)).toEqual(['Outbound location'])
  })

  it('reads the leg number from its information block when the title has none', () => {
    const page = fixture('trace-page-outbound-and-return.html').replace(
      /<span class="parcelNumber\w+">[^<]*<\/span>/g,
      '',
    )
    expect(parseSnapshots(page, createPageAdapter()).map((snapshot) => snapshot.trackingNumber)).toEqual([
      '10654000122441',
      '10658000986984',
    ])
  })

  it('follows a pickup point: available, then collected (delivered) or sent back (returned)', () => {
    const status = (...rows: string[]) =>
      deriveTrackingStatus(parseSnapshot(pageWith(NUMBER, rows.join('')), createPageAdapter()).events)
    const arrived = rowHtml('02/04/2026', '10:02', 'Votre colis est disponible dans votre Relais Pickup')
    expect(status(arrived)).toBe('available_for_pickup')
    expect(
      status(rowHtml('03/04/2026', '17:40', 'Votre colis a été retiré dans votre Relais Pickup'), arrived),
    ).toBe('delivered')
    const sentBack = rowHtml(
      '10/04/2026',
      '08:00',
      'Colis non retiré : votre colis sera retourné à l´expéditeur.',
    )
    expect(status(sentBack, arrived)).toBe('returned_to_sender')
  })

  it('takes the data-sort instant only when it shows the same Paris minute', () => {
    const events = parseSnapshot(
      pageWith(
        NUMBER,
        rowHtml('25/10/2026', '02:30', 'Votre colis est en transit dans notre réseau', '', 1792891815) +
          rowHtml('23/01/2026', '12:45', 'Votre colis est livré', '', 1769000000),
      ),
      createPageAdapter(),
    ).events
    // 02:30:15 the second time (+01:00): the repeated autumn hour told apart; a data-sort elsewhere is ignored.
    expect(events.map((event) => event.occurredAt)).toEqual([
      '2026-01-23T12:45:00+01:00',
      '2026-10-25T02:30:15+01:00',
    ])
  })
})
