import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { CarrierError } from '../../adapters/contract.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { type MondialRelayScan, mondialRelayAnswer } from '../support/mondialrelay-answer.js'
import { propertyRuns } from '../support/property-runs.js'
import { createAdapter, fixture, parseOutcome } from './mondialrelay-setup.js'
import { runParseProperties } from './parse-properties.js'

const http = createCarrierHttp({ carrier: 'mondialrelay', timeoutMs: 2000 })
const adapter = createAdapter(http)

afterAll(async () => {
  await http.close()
})

runParseProperties('mondialrelay', adapter, {
  samples: [
    'tracing-es-delivered-home.xml',
    'tracing-fr-in-transit.stub.xml',
    'tracing-stat24-error.stub.xml',
    'relay-collected.xml',
  ].map(fixture),
  tokens: [
    '<',
    '</',
    '>',
    '/>',
    'soap:',
    'soap12:',
    'Envelope',
    'Body',
    'Fault',
    'faultcode',
    'Client',
    'Code',
    'Value',
    'WSI2_TracingColisDetailleResponse',
    'WSI2_TracingColisDetailleResult',
    'STAT',
    '82',
    'Tracing',
    'ret_WSI2_sub_TracingColisDetaille',
    'Libelle',
    'COLIS LIVRÉ',
    'Date',
    '22/10/25',
    'Heure',
    '10:15',
    'Relais_Num',
    ' ',
  ],
  // A SOAP Fault of the service's side, however it came about, says the service failed.
  tokenErrorKinds: ['unavailable'],
})

describe('mondialrelay: properties of readable answers', () => {
  const two = (value: number) => String(value).padStart(2, '0')
  const scan: fc.Arbitrary<MondialRelayScan> = fc.record({
    label: fc.oneof(
      fc.constantFrom(
        'RÉCEPTION DES DONNÉES',
        'PRISE EN CHARGE EN AGENCE',
        'COLIS REMIS AU LIVREUR',
        'DISPONIBLE AU POINT RELAIS',
        'COLIS LIVRÉ',
        "RETOUR A L'EXPÉDITEUR",
        'En reparto',
        'COLIS EN ATTENTE',
      ),
      fc.string({ minLength: 1 }).filter((text) => /[\p{L}\p{N}]/u.test(text)),
    ),
    date: fc
      .tuple(
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 99 }),
      )
      .map(([day, month, year]) => `${two(day)}/${two(month)}/${two(year)}`),
    time: fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([hour, minute]) => `${two(hour)}:${two(minute)}`),
    place: fc.constantFrom(undefined, 'HUB LILLE', 'ESPAGNE'),
    relayNumber: fc.constantFrom(undefined, '020371', '066214'),
    relayCountry: fc.constantFrom(undefined, 'FR', 'BE'),
  })
  const tracingStat = fc.constantFrom(0, 80, 81, 82, 83, 84, 89)

  it('maps every readable answer: sorted, offsets kept, STAT 82 final and delivered or returned', () => {
    fc.assert(
      fc.property(tracingStat, fc.array(scan, { maxLength: 15 }), fc.boolean(), (stat, scans, withRelay) => {
        const summary = withRelay ? { relayName: 'TABAC DE LA GARE', relayNumber: '020371' } : {}
        const outcome = parseOutcome(adapter, mondialRelayAnswer(stat, scans, summary))
        expect(outcome).toBeInstanceOf(Array)
        const [snapshot] = outcome as Exclude<typeof outcome, CarrierError>
        if (!snapshot || snapshot instanceof CarrierError) throw new Error('expected a snapshot')
        expect(snapshot.final).toBe(stat === 82)
        expect(new Set(snapshot.events.map((event) => event.id)).size).toBe(snapshot.events.length)
        const status = deriveTrackingStatus(snapshot.events)
        if (stat === 82 && scans.length > 0) expect(['delivered', 'returned_to_sender']).toContain(status)
        if (stat === 83 && scans.length > 0)
          expect(['exception', 'delivered', 'returned_to_sender']).toContain(status)
        if (status === 'delivered') expect(snapshot.deliveredAt).toBeDefined()
        else expect(snapshot.deliveredAt).toBeUndefined()
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
