import { readdirSync } from 'node:fs'
import { load } from 'cheerio'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { CarrierError, type CarrierErrorKind, NUMBER_NOT_IN_BODY } from '../../adapters/contract.js'
import { buildTracingEnvelope } from '../../adapters/mondialrelay/client.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import {
  type MondialRelayScan,
  mondialRelayAnswer,
  mondialRelayFault,
} from '../support/mondialrelay-answer.js'
import { runAdapterContract } from './adapter-contract.js'
import {
  createAdapter as createWith,
  ENSEIGNE,
  expectedRequest,
  fixture,
  fixturesDir,
  ORIGIN,
  PATH,
  type ParseEntry,
  PRIVATE_KEY,
  parseError,
  parseOutcome,
  parseSnapshot,
} from './mondialrelay-setup.js'

const http = createCarrierHttp({ carrier: 'mondialrelay', timeoutMs: 2000 })
const createAdapter = (overrides: Parameters<typeof createWith>[1] = {}) => createWith(http, overrides)

/** A SOAP endpoint that answers only a correctly signed tracing call for `expedition`. */
function mockSoap(
  expedition: string,
  status: number,
  body?: string,
  options: { headers?: Record<string, string>; delayMs?: number } = {},
) {
  return nock(ORIGIN)
    .post(PATH, (sent: unknown) => sent === expectedRequest(expedition))
    .matchHeader('content-type', 'text/xml; charset=utf-8')
    .matchHeader('soapaction', '"http://www.mondialrelay.fr/webservice/WSI2_TracingColisDetaille"')
    .delay(options.delayMs ?? 0)
    .reply(status, body, { 'content-type': 'text/xml; charset=utf-8', ...options.headers })
}

const RELAY = { relayName: 'TABAC DE LA GARE', relayNumber: '020371' }
const RECEIVED: MondialRelayScan = { label: 'RÉCEPTION DES DONNÉES', date: '20/10/25', time: '09:02' }
const IN_AGENCY: MondialRelayScan = {
  label: 'PRISE EN CHARGE EN AGENCE',
  date: '21/10/25',
  time: '05:40',
  place: 'HUB LYON',
}
const AT_RELAY: MondialRelayScan = {
  label: 'DISPONIBLE AU POINT RELAIS',
  date: '22/10/25',
  time: '10:15',
  relayNumber: '020371',
  relayCountry: 'FR',
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

runAdapterContract('mondialrelay', (hooks) => createAdapter(hooks), {
  history: {
    trackingNumber: '31234567',
    arrange: () => mockSoap('31234567', 200, fixture('relay-collected.xml')),
  },
  unknownCode: {
    trackingNumber: '96045752',
    code: 'COLIS_EN_ATTENTE_DE_TRI_MANUEL',
    arrange: () => mockSoap('96045752', 200, fixture('unknown-label.xml')),
  },
  notFound: {
    trackingNumber: '98081708',
    arrange: () => mockSoap('98081708', 200, mondialRelayAnswer(99, null)),
  },
  rateLimited: {
    trackingNumber: '20720967',
    arrange: () => mockSoap('20720967', 429, ''),
  },
  garbage: {
    trackingNumber: '31234567',
    arrange: () => mockSoap('31234567', 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: [
    fixture('tracing-request.xml'),
    fixture('relay-collected.xml').slice(0, 1500),
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
    mondialRelayAnswer('eighty-two', []),
    mondialRelayAnswer('', null),
    '<a/><soap:Envelope><soap:Body></soap:Body></soap:Envelope>',
  ],
  facts: {
    claims: [
      { trackingNumber: '31234567', confidence: 0.6 },
      { trackingNumber: '12123456780101006623123454', confidence: 0.95 },
    ],
    pickupHoldDays: 5,
    deliveryDays: [[undefined, 'ouvrables']],
  },
})

describe('mondialrelay: adapter', () => {
  it('needs its merchant code and key, asks one shipment per request, and keeps the given rate limit', () => {
    const adapter = createAdapter({ rateLimit: { max: 3, durationMs: 2000 } })
    expect(adapter).toMatchObject({
      id: 'mondialrelay',
      name: 'Mondial Relay',
      batchSize: 1,
      needsCredentials: true,
      configured: true,
      rateLimit: { max: 3, durationMs: 2000 },
    })
    expect(adapter.trackBatch).toBeUndefined()
    expect(adapter.listSecrets()).toEqual([PRIVATE_KEY])
  })

  it('is listed but not configured without both credentials, and never calls the service then', async () => {
    for (const missing of [{ enseigne: undefined }, { privateKey: undefined }]) {
      const adapter = createAdapter(missing)
      expect(adapter.configured).toBe(false)
      const error = await caughtCarrierError(adapter.track({ trackingNumber: '31234567' }))
      expect(error.kind).toBe('unauthorized')
    }
    expect(createAdapter({ privateKey: undefined }).listSecrets()).toEqual([])
  })
})

type SampleEntry = { status: TrackingStatus; trackingNumber: string } | { error: CarrierErrorKind }
type SampleOutcome = { entries: SampleEntry[] } | { thrown: CarrierErrorKind }

/** What each research sample copied from public sources must give through `parse` (no number given). */
const SAMPLE_OUTCOMES: Record<string, SampleOutcome> = {
  'tracing-es-delivered-home.xml': { entries: [{ status: 'delivered', trackingNumber: NUMBER_NOT_IN_BODY }] },
  'tracing-fr-in-transit.stub.xml': {
    entries: [{ status: 'in_transit', trackingNumber: NUMBER_NOT_IN_BODY }],
  },
  // STAT 24 "numéro de colis invalide" for a number colis let through: not known yet.
  'tracing-stat24-error.stub.xml': { entries: [{ error: 'not_found' }] },
  // A request, and the code tables, are no answers.
  'tracing-request.xml': { thrown: 'unexpected_response' },
  'stat-codes.csv': { thrown: 'unexpected_response' },
  'event-labels.csv': { thrown: 'unexpected_response' },
}

function describeEntry(entry: ParseEntry): SampleEntry {
  if (entry instanceof CarrierError) return { error: entry.kind }
  return { status: deriveTrackingStatus(entry.events), trackingNumber: entry.trackingNumber }
}

const statuses = (snapshot: CarrierSnapshot) =>
  snapshot.events.map((event) => `${event.code}:${event.status}`)

describe('mondialrelay: research samples', () => {
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
    const samples = readdirSync(fixturesDir).filter((name) => name.endsWith('.source.txt'))
    expect(samples).toHaveLength(6)
    for (const source of samples)
      expect(SAMPLE_OUTCOMES, source).toHaveProperty([source.replace(/\.source\.txt$/, '')])
  })

  it('maps the real Spanish answer: 3 events of 15 slots, Paris time, delivered under STAT 82', () => {
    const snapshot = parseSnapshot(createAdapter(), fixture('tracing-es-delivered-home.xml'))
    expect(statuses(snapshot)).toEqual([
      'RECOGIDO_EN_AGENCIA_PUNTO_PACK:in_transit',
      'EN_REPARTO:out_for_delivery',
      'LIQUIDADO_EN_ENSENA:delivered',
    ])
    expect(snapshot.events.map((event) => event.occurredAt)).toEqual([
      '2018-10-22T16:16:00+02:00',
      '2018-10-23T07:24:00+02:00',
      '2018-10-24T10:47:00+02:00',
    ])
    expect(snapshot.events[0]).toMatchObject({
      description: 'Recogido en agencia Punto Pack',
      location: { name: 'ESPAGNE CORREOS EXPRESS' },
    })
    expect(snapshot).toMatchObject({
      carrier: 'mondialrelay',
      final: true,
      deliveredAt: '2018-10-24T10:47:00+02:00',
    })
  })

  it('maps the French stub: accented upper-case labels, in transit, the summary relay on no scan of its own', () => {
    const snapshot = parseSnapshot(createAdapter(), fixture('tracing-fr-in-transit.stub.xml'), {
      trackingNumber: '31234567',
    })
    expect(snapshot.trackingNumber).toBe('31234567')
    expect(statuses(snapshot)).toEqual([
      'RECEPTION_DES_DONNEES:info_received',
      'PRISE_EN_CHARGE_EN_AGENCE:in_transit',
    ])
    expect(snapshot.events[0]).toMatchObject({
      occurredAt: '2024-03-14T10:10:00+01:00',
      description: 'RÉCEPTION DES DONNÉES',
    })
    expect(snapshot.events[0]?.location).toBeUndefined()
    expect(snapshot.events[1]?.location).toEqual({ name: 'ESPAGNE' })
    expect(snapshot.final).toBe(false)
    expect(snapshot.deliveredAt).toBeUndefined()
  })
})

describe('mondialrelay: a parcel collected at a relay', () => {
  const snapshot = () =>
    parseSnapshot(createAdapter(), fixture('relay-collected.xml'), { trackingNumber: '31234567' })

  it('reads the journey: drop-off relay, hub, at the relay, collected', () => {
    expect(statuses(snapshot())).toEqual([
      'RECEPTION_DES_DONNEES:info_received',
      'PRISE_EN_CHARGE_POINT_RELAIS:in_transit',
      'PRISE_EN_CHARGE_EN_AGENCE:in_transit',
      'DISPONIBLE_AU_POINT_RELAIS:available_for_pickup',
      'COLIS_LIVRE:delivered',
    ])
    expect(deriveTrackingStatus(snapshot().events.slice(0, 4))).toBe('available_for_pickup')
    expect(snapshot()).toMatchObject({ final: true, deliveredAt: '2025-11-08T17:54:00+01:00' })
  })

  it('names the delivery relay on its scans, and keeps the drop-off relay by its number only', () => {
    const [, dropOff, hub, atRelay, collected] = snapshot().events
    expect(dropOff).toMatchObject({ location: { countryCode: 'FR' }, details: { Relais_Num: '066214' } })
    expect(hub).toMatchObject({ location: { name: 'HUB LILLE' } })
    expect(hub?.details).toBeUndefined()
    for (const event of [atRelay, collected]) {
      expect(event?.location).toEqual({ name: 'TABAC DE LA GARE', countryCode: 'FR' })
      expect(event?.details).toEqual({ Relais_Num: '020371' })
    }
  })

  it('keeps event ids when the summary stops naming the relay', () => {
    const unnamed = fixture('relay-collected.xml').replace('TABAC DE LA GARE', '')
    const without = parseSnapshot(createAdapter(), unnamed, { trackingNumber: '31234567' })
    expect(without.events.map((event) => event.id)).toEqual(snapshot().events.map((event) => event.id))
    expect(without.events[3]?.location).toEqual({ countryCode: 'FR' })
  })

  it('names an arrival at the relay that carries no relay number after the summary relay', () => {
    const { relayNumber: _, relayCountry: __, ...bare } = AT_RELAY
    const arrived = parseSnapshot(createAdapter(), mondialRelayAnswer(81, [RECEIVED, bare], RELAY))
    expect(arrived.events[1]).toMatchObject({
      location: { name: 'TABAC DE LA GARE' },
      details: { Relais_Num: '020371' },
    })
  })
})

describe('mondialrelay: a parcel sent back from its relay', () => {
  it('is returned to its sender through the transit scans of the way back, and not over yet', () => {
    const snapshot = parseSnapshot(createAdapter(), fixture('returned-from-relay.xml'))
    expect(statuses(snapshot).slice(-3)).toEqual([
      'DISPONIBLE_AU_POINT_RELAIS:available_for_pickup',
      'RETOUR_A_L_EXPEDITEUR:returned_to_sender',
      'PRISE_EN_CHARGE_EN_AGENCE:in_transit',
    ])
    expect(deriveTrackingStatus(snapshot.events)).toBe('returned_to_sender')
    expect(snapshot.final).toBe(false)
    expect(snapshot.deliveredAt).toBeUndefined()
  })
})

describe('mondialrelay: the tracking number', () => {
  it('says it does not know the number when not told, and keys events on the number it is given', async () => {
    const body = fixture('relay-collected.xml')
    expect(parseSnapshot(createAdapter(), body).trackingNumber).toBe(NUMBER_NOT_IN_BODY)
    mockSoap('31234567', 200, body)
    const tracked = await createAdapter().track({ trackingNumber: '31234567' })
    const parsed = parseSnapshot(createAdapter(), body, { trackingNumber: '3123-4567' })
    expect(parsed).toEqual(tracked)
  })

  it('takes a label barcode as its shipment number, and refuses a number that is not Mondial Relay', () => {
    const body = fixture('relay-collected.xml')
    const barcode = parseSnapshot(createAdapter(), body, { trackingNumber: '12123456780101006623123454' })
    expect(barcode.trackingNumber).toBe('12345678')
    const refused = parseError(createAdapter(), body, { trackingNumber: '12123456780101006623123455' })
    expect(refused).toMatchObject({
      kind: 'invalid_number',
      message: 'Mondial Relay label barcode: second check digit is 5, expected 4',
    })
  })
})

describe('mondialrelay: STAT first', () => {
  const parse = (stat: number, scans: MondialRelayScan[], summary = {}) =>
    parseSnapshot(createAdapter(), mondialRelayAnswer(stat, scans, summary))

  it('keeps STAT 82 without a delivery label as a delivery at the newest scan, at the relay', () => {
    const snapshot = parse(82, [RECEIVED, IN_AGENCY, AT_RELAY], {
      libelle01: 'Delivery at Pick Up Point',
      ...RELAY,
    })
    expect(statuses(snapshot).at(-1)).toBe('STAT_82:delivered')
    expect(snapshot.events.at(-1)).toMatchObject({
      occurredAt: '2025-10-22T10:15:00+02:00',
      description: 'Delivery at Pick Up Point',
      location: { name: 'TABAC DE LA GARE' },
      details: { Relais_Num: '020371' },
    })
    expect(deriveTrackingStatus(snapshot.events)).toBe('delivered')
    expect(snapshot).toMatchObject({ final: true, deliveredAt: '2025-10-22T10:15:00+02:00' })
  })

  it('adds nothing when the labels already say it', () => {
    const collected = { ...AT_RELAY, label: 'COLIS LIVRÉ', date: '23/10/25' }
    expect(statuses(parse(82, [RECEIVED, AT_RELAY, collected], RELAY))).not.toContain('STAT_82:delivered')
    expect(statuses(parse(80, [RECEIVED]))).toEqual(['RECEPTION_DES_DONNEES:info_received'])
    expect(statuses(parse(81, [RECEIVED, IN_AGENCY, AT_RELAY]))).toHaveLength(3)
  })

  it('keeps a return under STAT 82: the return went back to its sender', () => {
    const returned = { ...AT_RELAY, label: "RETOUR A L'EXPÉDITEUR", date: '28/10/25' }
    const snapshot = parse(82, [RECEIVED, AT_RELAY, returned], RELAY)
    expect(statuses(snapshot)).not.toContain('STAT_82:delivered')
    expect(deriveTrackingStatus(snapshot.events)).toBe('returned_to_sender')
    expect(snapshot.final).toBe(true)
    expect(snapshot.deliveredAt).toBeUndefined()
  })

  it('reads STAT 83 as an anomaly, worded by the summary, and STAT 81 as at least in process', () => {
    const anomaly = parse(83, [RECEIVED, IN_AGENCY], { libelle01: 'COLIS EN ANOMALIE', libelle02: 'ADRESSE' })
    expect(anomaly.events.at(-1)).toMatchObject({
      code: 'STAT_83',
      status: 'exception',
      occurredAt: '2025-10-21T05:40:00+02:00',
      description: 'COLIS EN ANOMALIE — ADRESSE',
    })
    expect(deriveTrackingStatus(anomaly.events)).toBe('exception')
    const inProcess = parse(81, [RECEIVED])
    expect(statuses(inProcess)).toEqual(['RECEPTION_DES_DONNEES:info_received', 'STAT_81:in_transit'])
    expect(inProcess.events.at(-1)?.description).toBe('Colis en traitement chez Mondial Relay')
  })

  it('keeps a reserved tracing STAT as an unknown event, and STAT 0 as the labels alone', () => {
    const reserved = parse(85, [RECEIVED])
    expect(statuses(reserved)).toEqual(['RECEPTION_DES_DONNEES:info_received', 'STAT_85:unknown'])
    expect(statuses(parse(0, [RECEIVED]))).toEqual(['RECEPTION_DES_DONNEES:info_received'])
  })

  it('answers a registered parcel without any scan with an empty history, not an error', () => {
    const snapshot = parse(80, [])
    expect(snapshot.events).toEqual([])
    expect(snapshot.final).toBe(false)
  })

  it.each([
    [97, 'unauthorized', 'Mondial Relay STAT 97: Clé de sécurité invalide'],
    [1, 'unauthorized', 'Mondial Relay STAT 1: Enseigne invalide'],
    [8, 'unauthorized', 'Mondial Relay STAT 8: Incorrect password or hash'],
    [24, 'not_found', 'Mondial Relay STAT 24: Numéro de Colis Mondial Relay invalide'],
    [94, 'not_found', 'Mondial Relay STAT 94: Colis Inexistant'],
    [99, 'not_found', 'Mondial Relay STAT 99: Erreur générique du service'],
    [90, 'unavailable', 'Mondial Relay STAT 90: AS400 indisponible'],
    [98, 'unavailable', 'Mondial Relay STAT 98: Service Indisponible'],
    [74, 'unexpected_response', 'Mondial Relay STAT 74: Langue invalide'],
    [20, 'unexpected_response', 'Mondial Relay STAT 20: Poids du colis invalide'],
    [4, 'unexpected_response', 'Mondial Relay STAT 4 is undocumented'],
    [100, 'unexpected_response', 'Mondial Relay STAT 100 is undocumented'],
  ] as const)('reads STAT %i as %s, whatever events come with it', (stat, kind, message) => {
    for (const scans of [null, [RECEIVED]]) {
      expect(parseError(createAdapter(), mondialRelayAnswer(stat, scans))).toMatchObject({ kind, message })
    }
  })
})

describe('mondialrelay: event slots', () => {
  const parse = (scans: MondialRelayScan[]) => parseSnapshot(createAdapter(), mondialRelayAnswer(81, scans))
  const refused = (scans: MondialRelayScan[]) => parseError(createAdapter(), mondialRelayAnswer(81, scans))

  it('reads dd/mm/yy HH:MM as Paris wall clock in 20yy, across both DST changes', () => {
    const at = (date: string, time: string) => parse([{ ...RECEIVED, date, time }]).events[0]?.occurredAt
    expect(at('15/01/26', '08:00')).toBe('2026-01-15T08:00:00+01:00')
    expect(at('15/07/26', '08:00')).toBe('2026-07-15T08:00:00+02:00')
    // 02:30 does not exist on 29 March 2026 in Paris; 02:30 on 25 October 2026 exists twice.
    expect(at('29/03/26', '02:30')).toBe('2026-03-29T03:30:00+02:00')
    expect(at('25/10/26', '02:30')).toBe('2026-10-25T02:30:00+02:00')
    expect(at('01/01/00', '00:00')).toBe('2000-01-01T00:00:00+01:00')
  })

  it('sorts scans by instant when the service does not list them oldest first', () => {
    expect(statuses(parse([IN_AGENCY, RECEIVED]))).toEqual([
      'RECEPTION_DES_DONNEES:info_received',
      'PRISE_EN_CHARGE_EN_AGENCE:in_transit',
    ])
  })

  it('skips empty slots wherever they stand, and drops a scan listed twice', () => {
    const blank = { label: '', date: '', time: '' }
    expect(statuses(parse([blank, RECEIVED, blank, IN_AGENCY, IN_AGENCY]))).toHaveLength(2)
  })

  it('refuses the whole answer for a slot it cannot read whole', () => {
    expect(refused([RECEIVED, { ...IN_AGENCY, time: '' }]).message).toBe(
      'Mondial Relay answer: event 2 lacks its label, date or time',
    )
    expect(refused([{ ...RECEIVED, label: '' }]).kind).toBe('unexpected_response')
    expect(refused([{ ...RECEIVED, date: '31/02/26' }]).message).toBe(
      'Mondial Relay answer: event 1 has an unreadable date "31/02/26 09:02"',
    )
    for (const [date, time] of [
      ['2026-02-03', '09:02'],
      ['3/2/26', '09:02'],
      ['03/02/26', '9:02'],
      ['03/02/26', '24:00'],
      ['03/02/26', '09:02:11'],
    ]) {
      expect(refused([{ ...RECEIVED, date: date ?? '', time: time ?? '' }]).kind, `${date} ${time}`).toBe(
        'unexpected_response',
      )
    }
    expect(refused([{ ...RECEIVED, label: '—!' }]).kind).toBe('unexpected_response')
  })

  it('decodes entities and keeps an unknown label as unknown, with a warning', () => {
    const logger = createSilentLogger()
    const warn = vi.spyOn(logger, 'warn')
    const reported: string[] = []
    const adapter = createAdapter({ logger, onUnknownCode: (_carrier, code) => reported.push(code) })
    const snapshot = parseSnapshot(
      adapter,
      mondialRelayAnswer(81, [{ ...RECEIVED, label: 'COLIS BLOQUÉ & EN ATTENTE' }]),
    )
    expect(snapshot.events[0]).toMatchObject({
      code: 'COLIS_BLOQUE_EN_ATTENTE',
      status: 'unknown',
      description: 'COLIS BLOQUÉ & EN ATTENTE',
    })
    expect(warn).toHaveBeenCalledWith({ code: 'COLIS_BLOQUE_EN_ATTENTE' }, 'unmapped carrier code')
    expect(reported).toEqual(['COLIS_BLOQUE_EN_ATTENTE'])
  })

  it.each([
    ['SOAP 1.2, soap12 prefix', (xml: string) => xml.replaceAll('soap:', 'soap12:')],
    [
      'a prefixed operation',
      (xml: string) =>
        xml.replace(/<(\/?)(WSI2_|ret_|STAT|Libelle|Date|Heure|Empl|Relais|Tracing)/g, '<$1mr:$2'),
    ],
    ['no prefix', (xml: string) => xml.replaceAll('soap:', '')],
  ])('reads the same answer whatever the namespace prefixes (%s)', (_label, rename) => {
    const original = fixture('relay-collected.xml')
    const renamed = rename(original)
    expect(renamed).not.toBe(original)
    expect(createAdapter().parse(renamed)).toEqual(createAdapter().parse(original))
  })
})

describe('mondialrelay: HTTP', () => {
  it('POSTs the signed WSI2_TracingColisDetaille envelope, and never the private key', async () => {
    let sent = ''
    const scope = nock(ORIGIN)
      .post(PATH, (body: unknown) => {
        sent = String(body)
        return true
      })
      .reply(200, fixture('relay-collected.xml'))
    const snapshot = await createAdapter().track({ trackingNumber: '31234567' })
    expect(scope.isDone()).toBe(true)
    expect(snapshot.events).toHaveLength(5)
    expect(sent).toBe(expectedRequest('31234567'))
    // The published vector for BDTEST13 / 31234567 / FR / PrivateK.
    expect(load(sent, { xml: true })('Security').text()).toBe('0B6207A255819DDF5AA0E339D2C6FCB3')
    expect(sent).not.toContain(PRIVATE_KEY)
    expect(sent).toContain(`<Enseigne>${ENSEIGNE}</Enseigne>`)
  })

  it('escapes what it puts in the envelope', () => {
    const envelope = buildTracingEnvelope({ enseigne: `A<B>&'C`, expedition: '1"2', langue: 'FR' }, 'X')
    const $ = load(envelope, { xml: true })
    expect($('Enseigne').text()).toBe(`A<B>&'C`)
    expect($('Expedition').text()).toBe('1"2')
    expect(envelope).not.toContain('<B>')
  })

  it('asks the shipment number a label barcode carries', async () => {
    const scope = mockSoap('12345678', 200, fixture('relay-collected.xml'))
    const snapshot = await createAdapter().track({ trackingNumber: '12123456780101006623123454' })
    expect(scope.isDone()).toBe(true)
    expect(snapshot.trackingNumber).toBe('12345678')
  })

  it('refuses a number that is not Mondial Relay without calling it', async () => {
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '1234567' }))
    expect(error.kind).toBe('invalid_number')
  })

  it.each([
    [
      '500 with a Server fault',
      'unavailable',
      500,
      mondialRelayFault('soap:Server', 'Server was unable to process request.'),
    ],
    [
      '500 with a Client fault',
      'unexpected_response',
      500,
      mondialRelayFault('soap:Client', 'Server was unable to read request.'),
    ],
    ['200 with a Server fault', 'unavailable', 200, mondialRelayFault('soap:Server', 'Timeout')],
    ['500 without a body', 'unavailable', 500, ''],
    ['502 with an HTML page', 'unavailable', 502, '<html><body>Bad Gateway</body></html>'],
    ['503 with half an envelope', 'unavailable', 503, fixture('relay-collected.xml').slice(0, 300)],
    ['200 with STAT 97', 'unauthorized', 200, mondialRelayAnswer(97, null)],
    ['200 with STAT 94', 'not_found', 200, mondialRelayAnswer(94, null)],
    ['200 with STAT 98', 'unavailable', 200, mondialRelayAnswer(98, null)],
    ['200 with JSON', 'unexpected_response', 200, '{"STAT":"82"}'],
    ['200 with nothing', 'unexpected_response', 200, ''],
    ['401', 'unauthorized', 401, ''],
    ['403 with a fault', 'unauthorized', 403, mondialRelayFault('soap:Server', 'Forbidden')],
    ['302 redirect', 'unexpected_response', 302, ''],
    ['404 with an HTML page', 'unexpected_response', 404, '<html>Not Found</html>'],
  ] as const)('maps %s to %s', async (_label, kind, status, body) => {
    mockSoap('31234567', status, body)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '31234567' }))
    expect(error.kind).toBe(kind)
  })

  it('reads a SOAP 1.2 fault too: Sender is our request, Receiver the service', async () => {
    const fault12 = (code: string) =>
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>' +
      `<env:Code><env:Value>env:${code}</env:Value></env:Code>` +
      '<env:Reason><env:Text xml:lang="en">Boom</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>'
    mockSoap('31234567', 500, fault12('Sender'))
    const ours = await caughtCarrierError(createAdapter().track({ trackingNumber: '31234567' }))
    expect(ours).toMatchObject({
      kind: 'unexpected_response',
      message: 'Mondial Relay SOAP fault env:Sender: Boom',
    })
    mockSoap('31234567', 500, fault12('Receiver'))
    const theirs = await caughtCarrierError(createAdapter().track({ trackingNumber: '31234567' }))
    expect(theirs.kind).toBe('unavailable')
  })

  it('reads the wait of a 429 from Retry-After, else waits 1 s', async () => {
    mockSoap('31234567', 429, '', { headers: { 'retry-after': '7' } })
    const told = await caughtCarrierError(createAdapter().track({ trackingNumber: '31234567' }))
    expect(told).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 })
    mockSoap('31234567', 429, '')
    const guessed = await caughtCarrierError(createAdapter().track({ trackingNumber: '31234567' }))
    expect(guessed).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 })
  })

  it('reports a timeout as unavailable', async () => {
    mockSoap('31234567', 200, fixture('relay-collected.xml'), { delayMs: 1000 })
    const impatient = createCarrierHttp({ carrier: 'mondialrelay', timeoutMs: 100 })
    try {
      const error = await caughtCarrierError(
        createAdapter({ http: impatient }).track({ trackingNumber: '31234567' }),
      )
      expect(error).toMatchObject({ kind: 'unavailable', message: 'mondialrelay: timed out' })
    } finally {
      await impatient.close()
    }
  })
})
