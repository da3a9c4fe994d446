import { readdirSync, readFileSync } from 'node:fs'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { CarrierError, type CarrierErrorKind } from '../../adapters/contract.js'
import { alertFactsOf, createCarrierRuntime } from '../../adapters/registry.js'
import {
  RELAISCOLIS_STATUS_BY_CODE,
  RELAISCOLIS_STATUS_BY_EVENT_CODE,
} from '../../adapters/relaiscolis/event-codes.js'
import { loadConfig } from '../../src/config.js'
import { alertPolicyFor, evaluateAlertConditions } from '../../src/domain/delay-alerts.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'
import { createSilentLogger } from '../../src/logger.js'
import { expectProblem } from '../api/tracking-api.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { createMemoryHarness } from '../support/memory-harness.js'
import { registeredRecord } from '../support/tracking-record.js'
import { runAdapterContract } from './adapter-contract.js'
import {
  ACTIVATION_KEY,
  createAdapter,
  FIXTURES,
  fixture,
  http,
  mockStatus,
  onlySnapshot,
  type ParseEntry,
  parseOutcome,
  parseSnapshot,
  rawEvent,
} from './relaiscolis-support.js'

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

runAdapterContract('relaiscolis', (hooks) => createAdapter(hooks), {
  history: {
    trackingNumber: '4H013000253201',
    arrange: () => mockStatus(['4H013000253201'], 200, fixture('relay-collected.json')),
  },
  unknownCode: {
    trackingNumber: 'BP000803202401',
    code: 'ZZZ/Q9',
    arrange: () => mockStatus(['BP000803202401'], 200, fixture('unknown-code.json')),
  },
  notFound: {
    trackingNumber: '4H013000011101',
    arrange: () => mockStatus(['4H013000011101'], 200, '[]'),
  },
  rateLimited: {
    trackingNumber: '4H013000011101',
    arrange: () => mockStatus(['4H013000011101'], 429, ''),
  },
  garbage: {
    trackingNumber: '4H013000011101',
    arrange: () => mockStatus(['4H013000011101'], 200, '<html><body>Maintenance</body></html>'),
  },
  garbageBodies: [
    '{"parcelNumber":"4H013000253201"}',
    '[{"CodeEVT":"APF"}]',
    '[1]',
    '{"status":"400","title":"x"}',
    fixture('getPackagesStatus-request.json'),
  ],
  facts: {
    claims: [
      { trackingNumber: '4H013000253201', confidence: 0.6 },
      { trackingNumber: 'BP000803202401', confidence: 0.6 },
      { trackingNumber: '10654000122441', confidence: 0.3 },
      { trackingNumber: '4H013000253200', confidence: 0.3 },
    ],
    pickupHoldDays: 10,
    deliveryDays: [
      [undefined, 'ouvrables'],
      ['relaiscolis', 'ouvrables'],
    ],
  },
})

type SampleEntry = { status: TrackingStatus; trackingNumber: string } | { error: CarrierErrorKind }
type SampleOutcome = { entries: SampleEntry[] } | { thrown: CarrierErrorKind }

/** What each research sample must give through `parse`. */
const SAMPLE_OUTCOMES: Record<string, SampleOutcome> = {
  'getPackagesStatus-response.doc-example.json': {
    entries: [{ status: 'info_received', trackingNumber: '4H013000253201' }],
  },
  // A 400 that names neither the key nor a number says nothing about a parcel.
  'error-400-doc-example.json': { thrown: 'unexpected_response' },
  // A request is not an answer.
  'getPackagesStatus-request.json': { thrown: 'unexpected_response' },
}

function describeEntry(entry: ParseEntry): SampleEntry {
  if (entry instanceof CarrierError) return { error: entry.kind }
  return { status: deriveTrackingStatus(entry.events), trackingNumber: entry.trackingNumber }
}

describe('relaiscolis: research samples', () => {
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

  it('has an expected outcome for every JSON research sample copied into the fixtures', () => {
    const samples = readdirSync(FIXTURES).filter((name) => name.endsWith('.json.source.txt'))
    const numberVectors = 'tracking-numbers.json.source.txt'
    expect(samples).toContain(numberVectors)
    for (const source of samples.filter((name) => name !== numberVectors))
      expect(SAMPLE_OUTCOMES, source).toHaveProperty([source.replace(/\.source\.txt$/, '')])
  })

  it('reads the documented example: the announcement, GMT+1 kept as the offset', () => {
    const snapshot = parseSnapshot(fixture('getPackagesStatus-response.doc-example.json'))
    expect(snapshot).toMatchObject({ carrier: 'relaiscolis', trackingNumber: '4H013000253201', final: false })
    expect(snapshot.events).toEqual([
      expect.objectContaining({
        occurredAt: '2025-02-17T18:00:00+01:00',
        status: 'info_received',
        code: 'APF',
        description: 'Your package has been announced.',
        details: { Categorie: 'Package announced.', CodeTrack: 'AN' },
      }),
    ])
  })
})

describe('relaiscolis: relay point journeys', () => {
  it('follows a parcel to the relay and its collection, oldest first, across the DST change', () => {
    const snapshot = parseSnapshot(fixture('relay-collected.json'))
    expect(snapshot.events.map((event) => [event.code, event.status, event.occurredAt])).toEqual([
      ['APF', 'info_received', '2026-03-26T18:00:00+01:00'],
      ['AAR/AV', 'in_transit', '2026-03-27T06:12:00+01:00'],
      ['RST/1P', 'out_for_delivery', '2026-03-27T08:30:00+01:00'],
      ['DEP/REL', 'available_for_pickup', '2026-03-27T14:05:00+01:00'],
      ['SOL/LIV', 'delivered', '2026-03-30T11:05:00+02:00'],
    ])
    expect(deriveTrackingStatus(snapshot.events.slice(0, 4))).toBe('available_for_pickup')
    expect(deriveTrackingStatus(snapshot.events)).toBe('delivered')
    expect(snapshot).toMatchObject({ final: true, deliveredAt: '2026-03-30T11:05:00+02:00' })
  })

  it('reads a parcel sent back from the relay as returned, final once back at the sender', () => {
    const events = JSON.parse(fixture('relay-returned.json')) as unknown[]
    const leaving = parseSnapshot(JSON.stringify(events.slice(0, 4)))
    expect(leaving.events.at(-1)).toMatchObject({ code: 'SOR/R2', status: 'returned_to_sender' })
    expect(deriveTrackingStatus(leaving.events)).toBe('returned_to_sender')
    expect(leaving.final).toBe(false)
    const back = parseSnapshot(fixture('relay-returned.json'))
    expect(back.events.at(-1)).toMatchObject({ code: 'APF/RDF', status: 'returned_to_sender' })
    expect(back.final).toBe(true)
    expect(back.deliveredAt).toBeUndefined()
  })

  it('keeps a parcel deposited at the relay (RST/REC, REN/AV) available for pickup', () => {
    for (const [codeEvt, codeJus] of [
      ['RST', 'REC'],
      ['REN', 'AV'],
    ]) {
      const body = [rawEvent(), rawEvent({ CodeEVT: codeEvt, CodeJUS: codeJus, Date: '2026-02-18T10:00:00' })]
      expect(deriveTrackingStatus(parseSnapshot(JSON.stringify(body)).events)).toBe('available_for_pickup')
    }
  })

  it('warns two days before the last of the 10 days at the relay, before Relais Colis sends it back', () => {
    const { events } = parseSnapshot(fixture('relay-returned.json'))
    const atRelay = events.slice(0, 3)
    const record = registeredRecord({
      carrier: 'relaiscolis',
      trackingNumber: '4H013000011101',
      status: 'available_for_pickup',
    })
    const policy = alertPolicyFor(alertFactsOf('relaiscolis'), undefined)
    const conditionsAt = (at: string) =>
      evaluateAlertConditions({ record, events: atRelay, nowMs: Date.parse(at), policy })
    // Deposited on 5 May: the 15th is the last collection day, the alert opens on the 13th at 09:00.
    expect(conditionsAt('2026-05-13T08:59:59+02:00').has('pickup_expiring')).toBe(false)
    expect(conditionsAt('2026-05-13T09:00:00+02:00').get('pickup_expiring')).toEqual({
      waitingSince: '2026-05-05T13:20:00+02:00',
      holdDays: 10,
      lastCollectionDay: '2026-05-15',
    })
    // The fixture's parcel leaves the relay uncollected after that last day.
    expect(Date.parse(events[3]?.occurredAt ?? '')).toBeGreaterThan(Date.parse('2026-05-16T00:00:00+02:00'))
  })

  it('groups a multi-parcel answer per parcel, in the order they first appear', () => {
    const entries = createAdapter().parse(fixture('multi-parcel.json'))
    expect(entries.map(describeEntry)).toEqual([
      { status: 'available_for_pickup', trackingNumber: '4H091500000201' },
      { status: 'in_transit', trackingNumber: '4H091500000202' },
    ])
  })
})

describe('relaiscolis: event codes', () => {
  const rows = readFileSync(new URL('evt-jus-codes.csv', FIXTURES), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(','))

  it('maps all 96 pairs of the code table to the status the table suggests', () => {
    expect(rows).toHaveLength(96)
    const fromCsv = Object.fromEntries(rows.map(([evt, jus, , status]) => [`${evt}/${jus}`, status]))
    const { APF, 'REN/LIV': renLiv, 'SOR/RDF': sorRdf, ...fromModule } = RELAISCOLIS_STATUS_BY_CODE
    expect(fromModule).toEqual(fromCsv)
    // The three pairs the module lacks, from the API's example and the WooCommerce plugin's rules.
    expect([APF, renLiv, sorRdf]).toEqual(['info_received', 'delivered', 'returned_to_sender'])
  })

  it.each([
    ['APF', 'NEW', 'in_transit'],
    ['RST', 'NEW', 'out_for_delivery'],
    ['SOL', '', 'delivered'],
    ['REN', 'NEW', 'returned_to_sender'],
    ['SOR', 'NEW', 'failed_attempt'],
  ])(
    'maps a new justification %s/%s by its event code\u2019s rule (%s), as a known code',
    (evt, jus, status) => {
      const reported: string[] = []
      const body = JSON.stringify([rawEvent({ CodeEVT: evt, CodeJUS: jus })])
      const snapshot = parseSnapshot(
        body,
        createAdapter({ onUnknownCode: (_carrier, code) => reported.push(code) }),
      )
      expect(snapshot.events[0]?.status).toBe(status)
      expect(reported).toEqual([])
    },
  )

  it('keeps a pair of an event code without a rule as unknown, warns and reports it', () => {
    const logger = createSilentLogger()
    const warn = vi.spyOn(logger, 'warn')
    const reported: Array<[string, string]> = []
    const body = JSON.stringify([rawEvent({ CodeEVT: 'DEP', CodeJUS: 'NEW', Libelle: 'Livré (?)' })])
    const snapshot = parseSnapshot(
      body,
      createAdapter({ logger, onUnknownCode: (carrier, code) => reported.push([carrier, code]) }),
    )
    expect(snapshot.events[0]).toMatchObject({ code: 'DEP/NEW', status: 'unknown' })
    expect(reported).toEqual([['relaiscolis', 'DEP/NEW']])
    expect(warn).toHaveBeenCalledWith({ code: 'DEP/NEW' }, 'unmapped carrier code')
    expect(Object.keys(RELAISCOLIS_STATUS_BY_EVENT_CODE)).not.toContain('DEP')
  })

  it('matches justifications exactly, case included, and trims what is sent', () => {
    const body = JSON.stringify([rawEvent({ CodeEVT: ' SOR ', CodeJUS: ' R4a ' })])
    expect(parseSnapshot(body).events[0]).toMatchObject({ code: 'SOR/R4a', status: 'returned_to_sender' })
    const upper = JSON.stringify([rawEvent({ CodeEVT: 'SOR', CodeJUS: 'R25' })])
    expect(parseSnapshot(upper).events[0]?.status).toBe('exception')
  })

  it('shows the whole code table in docs/carriers/relaiscolis.md as the adapter maps it', () => {
    const page = readFileSync(new URL('../../docs/carriers/relaiscolis.md', import.meta.url), 'utf8')
    const shown = Object.fromEntries(
      [...page.matchAll(/^\| `([A-Z0-9]+)` \| (?:`([A-Za-z0-9]+)`|\(empty\)) \|.*\| `([a-z_]+)` \|$/gm)].map(
        ([, evt, jus, status]) => [jus ? `${evt}/${jus}` : evt, status],
      ),
    )
    expect(shown).toEqual(RELAISCOLIS_STATUS_BY_CODE)
    const rules = Object.fromEntries(
      [...page.matchAll(/^\| `([A-Z0-9]+)` \| any other \|.*\| `([a-z_]+)` \|$/gm)].map(([, evt, status]) => [
        evt,
        status,
      ]),
    )
    expect(rules).toEqual(RELAISCOLIS_STATUS_BY_EVENT_CODE)
  })
})

describe('relaiscolis: dates', () => {
  const timeOf = (overrides: Record<string, unknown>) =>
    parseSnapshot(JSON.stringify([rawEvent(overrides)])).events[0]?.occurredAt

  it.each([
    ['2026-02-17T18:00:00', 'GMT+1', '2026-02-17T18:00:00+01:00'],
    ['2026-07-17T18:00:00', 'GMT+2', '2026-07-17T18:00:00+02:00'],
    ['2026-07-17T18:00:00', 'gmt+02:00', '2026-07-17T18:00:00+02:00'],
    ['2026-07-17T18:00:00', 'UTC+0200', '2026-07-17T18:00:00+02:00'],
    ['2026-07-17T18:00:00', 'GMT', '2026-07-17T18:00:00+00:00'],
    ['2026-07-17T18:00:00', 'GMT-3', '2026-07-17T18:00:00-03:00'],
    ['2026-07-17T18:00:00', 'GMT+5:30', '2026-07-17T18:00:00+05:30'],
    ['2026-07-17 18:00:00.000', 'GMT+2', '2026-07-17T18:00:00+02:00'],
    // Without a readable GMT, Paris wall clock with its DST rules.
    ['2026-07-17T18:00:00', '', '2026-07-17T18:00:00+02:00'],
    ['2026-02-17T18:00:00', null, '2026-02-17T18:00:00+01:00'],
    ['2026-07-17T18:00:00', 'CEST', '2026-07-17T18:00:00+02:00'],
    ['2026-07-17T18:00:00', 'GMT+15', '2026-07-17T18:00:00+02:00'],
    // A date with an offset of its own keeps it.
    ['2026-07-17T18:00:00+02:00', 'GMT+1', '2026-07-17T18:00:00+02:00'],
  ])('reads %s with %j as %s', (date, gmt, expected) => {
    expect(timeOf({ Date: date, GMT: gmt })).toBe(expected)
  })

  it('refuses the whole parcel when one event date is unreadable, not the other parcels', () => {
    const body = [
      rawEvent(),
      rawEvent({ Date: '17/02/2026 18:00', CodeEVT: 'AAR', CodeJUS: 'AV' }),
      rawEvent({ parcelNumber: '4H013000011101' }),
    ]
    const [broken, fine] = createAdapter().parse(JSON.stringify(body))
    expect(broken).toMatchObject({ name: 'CarrierError', kind: 'unexpected_response' })
    expect(onlySnapshot(fine).trackingNumber).toBe('4H013000011101')
  })

  it('orders events of the same instant by Etape, and keeps one of an event sent twice', () => {
    const body = [
      rawEvent({ CodeEVT: 'DEP', CodeJUS: 'REL', Etape: 3, Date: '2026-02-18T10:00:00' }),
      rawEvent({ CodeEVT: 'RST', CodeJUS: '1P', Etape: '2', Date: '2026-02-18T10:00:00' }),
      rawEvent(),
      rawEvent(),
    ]
    const snapshot = parseSnapshot(JSON.stringify(body))
    expect(snapshot.events.map((event) => event.code)).toEqual(['APF', 'RST/1P', 'DEP/REL'])
    expect(deriveTrackingStatus(snapshot.events)).toBe('available_for_pickup')
  })
})

describe('relaiscolis: HTTP', () => {
  it('posts the activation key and the numbers as JSON, as the documented request does', async () => {
    const documented = JSON.parse(fixture('getPackagesStatus-request.json')) as Record<string, unknown>
    let sent: Record<string, unknown> = {}
    const scope = nock('https://ws-modules.relaiscolis.com')
      .post('/api/package/getPackagesStatus', (body: Record<string, unknown>) => {
        sent = body
        return true
      })
      .matchHeader('content-type', 'application/json')
      .matchHeader('accept', 'application/json')
      .reply(200, fixture('getPackagesStatus-response.doc-example.json'))
    const snapshot = await createAdapter().track({ trackingNumber: '4H013000253201' })
    expect(scope.isDone()).toBe(true)
    expect(Object.keys(sent)).toEqual(Object.keys(documented))
    expect(sent).toEqual({ activationKey: ACTIVATION_KEY, parcelNumbers: ['4H013000253201'] })
    expect(snapshot.events).toHaveLength(1)
  })

  it('fails unauthorized without calling Relais Colis when the key is missing', async () => {
    const adapter = createAdapter({ activationKey: undefined })
    expect(adapter.configured).toBe(false)
    expect(adapter.needsCredentials).toBe(true)
    expect(adapter.listSecrets()).toEqual([])
    expect(createAdapter().listSecrets()).toEqual([ACTIVATION_KEY])
    const error = await caughtCarrierError(adapter.track({ trackingNumber: '4H013000253201' }))
    expect(error).toMatchObject({ kind: 'unauthorized', message: 'RELAISCOLIS_ACTIVATION_KEY is not set' })
  })

  it('refuses a number of another shape without calling Relais Colis', async () => {
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '6A15602676300' }))
    expect(error.kind).toBe('invalid_number')
  })

  const problem = (status: number, detail: string) =>
    JSON.stringify({ title: 'An Error occurred', status, detail })

  it.each([
    ['200 with an empty list', 'not_found', 200, '[]'],
    [
      '200 with another parcel only',
      'not_found',
      200,
      JSON.stringify([rawEvent({ parcelNumber: '4H013000011101' })]),
    ],
    ['404 without a body', 'not_found', 404, ''],
    ['404 naming the parcel', 'not_found', 404, problem(404, 'Package not found')],
    ['404 naming no route', 'unexpected_response', 404, problem(404, 'No route found for "POST /api/x"')],
    ['400 refusing the key', 'unauthorized', 400, problem(400, 'activationKey: invalid activation key')],
    [
      '400 refusing the number',
      'invalid_number',
      400,
      problem(400, 'parcelNumbers: 4H013000253201 is invalid'),
    ],
    ['400 refusing something else', 'unexpected_response', 400, fixture('error-400-doc-example.json')],
    ['401', 'unauthorized', 401, ''],
    ['403 with an envelope', 'unauthorized', 403, problem(403, 'Access denied')],
    ['200 with a 401 envelope', 'unauthorized', 200, problem(401, 'Invalid credentials')],
    ['200 with a 500 envelope', 'unavailable', 200, problem(500, 'Internal error')],
    ['200 with a 400 envelope naming the number', 'invalid_number', 200, problem(400, 'bad 4H013000253201')],
    ['200 with a 404 envelope', 'not_found', 200, problem(404, 'Package not found')],
    ['200 with a 200 envelope', 'unexpected_response', 200, problem(200, 'OK')],
    ['500 with an envelope', 'unavailable', 500, problem(500, 'Internal error')],
    ['503 without a body', 'unavailable', 503, ''],
    ['302 redirect', 'unexpected_response', 302, ''],
    ['200 with HTML', 'unexpected_response', 200, '<html>Maintenance</html>'],
  ] as const)('maps %s to %s', async (_label, kind, status, body) => {
    mockStatus(['4H013000253201'], status, body)
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '4H013000253201' }))
    expect(error.kind).toBe(kind)
  })

  it('never puts the activation key in an error message, even when Relais Colis echoes it', async () => {
    for (const status of [400, 500]) {
      mockStatus(['4H013000253201'], status, problem(status, `activationKey ${ACTIVATION_KEY} refused`))
      const error = await caughtCarrierError(createAdapter().track({ trackingNumber: '4H013000253201' }))
      expect(error.message).not.toContain(ACTIVATION_KEY)
      expect(error.message).toContain('[REDACTED]')
    }
  })

  it('reads the wait of a 429 from Retry-After, else waits 1 s', async () => {
    mockStatus(['4H013000253201'], 429, '', { headers: { 'retry-after': '7' } })
    const told = await caughtCarrierError(createAdapter().track({ trackingNumber: '4H013000253201' }))
    expect(told).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 })
    mockStatus(['4H013000253201'], 200, problem(429, 'Too many requests'))
    const enveloped = await caughtCarrierError(createAdapter().track({ trackingNumber: '4H013000253201' }))
    expect(enveloped).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 })
  })

  it('reports a timeout as unavailable', async () => {
    mockStatus(['4H013000253201'], 200, fixture('relay-collected.json'), { delayMs: 1000 })
    const impatient = createCarrierHttp({ carrier: 'relaiscolis', timeoutMs: 100 })
    try {
      const error = await caughtCarrierError(
        createAdapter({ http: impatient }).track({ trackingNumber: '4H013000253201' }),
      )
      expect(error).toMatchObject({ kind: 'unavailable', message: 'relaiscolis: timed out' })
    } finally {
      await impatient.close()
    }
  })
})

describe('relaiscolis: trackBatch', () => {
  const asked = ['4H091500000201', '4H091500000202', '4H091500000301']

  it('asks several numbers in one request and answers each number on its own', async () => {
    const scope = mockStatus(asked, 200, fixture('multi-parcel.json'))
    const results = await createAdapter().trackBatch?.(asked.map((trackingNumber) => ({ trackingNumber })))
    expect(scope.isDone()).toBe(true)
    expect([...(results?.keys() ?? [])]).toEqual(asked)
    expect(deriveTrackingStatus(onlySnapshot(results?.get('4H091500000201')).events)).toBe(
      'available_for_pickup',
    )
    expect(deriveTrackingStatus(onlySnapshot(results?.get('4H091500000202')).events)).toBe('in_transit')
    expect(results?.get('4H091500000301')).toMatchObject({ name: 'CarrierError', kind: 'not_found' })
  })

  it('on a 400 naming one number drops only that one', async () => {
    const body = JSON.stringify({
      title: 'An Error occurred',
      status: 400,
      detail: 'parcel 4H091500000202 unknown format',
    })
    mockStatus(asked, 400, body)
    const results = await createAdapter().trackBatch?.(asked.map((trackingNumber) => ({ trackingNumber })))
    expect(results?.get('4H091500000202')).toMatchObject({ kind: 'invalid_number' })
    expect(results?.get('4H091500000201')).toMatchObject({ kind: 'unavailable' })
  })

  it('answers a number of another shape without asking for it, and asks each number once', async () => {
    const scope = mockStatus(['4H091500000201'], 200, fixture('multi-parcel.json'))
    const results = await createAdapter().trackBatch?.([
      { trackingNumber: '4H091500000201' },
      { trackingNumber: 'NOT-A-NUMBER' },
      { trackingNumber: '4H091500000201' },
    ])
    expect(scope.isDone()).toBe(true)
    expect(results?.get('NOT-A-NUMBER')).toMatchObject({ kind: 'invalid_number' })
    expect(results?.get('4H091500000201')).not.toBeInstanceOf(CarrierError)
  })

  it('throws request-wide errors, asks nothing for an empty batch, refuses an oversized one', async () => {
    mockStatus(asked, 401, '')
    const adapter = createAdapter({ batchSize: 3 })
    const queries = asked.map((trackingNumber) => ({ trackingNumber }))
    expect((await caughtCarrierError(adapter.trackBatch?.(queries) ?? Promise.resolve())).kind).toBe(
      'unauthorized',
    )
    expect(await adapter.trackBatch?.([])).toEqual(new Map())
    await expect(adapter.trackBatch?.([...queries, { trackingNumber: '4H091500000401' }])).rejects.toThrow(
      RangeError,
    )
  })
})

describe('relaiscolis: numbers and detection', () => {
  const vectors = JSON.parse(fixture('tracking-numbers.json')) as {
    relaiscolis: { examples: string[] }
    dpd_france_14_digits: { examples: Array<{ number: string }> }
  }
  const runtime = createCarrierRuntime(
    loadConfig({ LAPOSTE_API_KEY: 'k', RELAISCOLIS_ACTIVATION_KEY: ACTIVATION_KEY }),
    createSilentLogger(),
  )
  afterAll(() => runtime.close())

  it.each(vectors.relaiscolis.examples)('detects %s as Relais Colis, saying why', (number) => {
    const detection = runtime.detect(number)
    expect(detection.winner).toBe('relaiscolis')
    expect(detection.candidates[0]?.reason).toMatch(/Relais Colis shape.*parcel \d+ of its shipment/)
  })

  it.each(vectors.dpd_france_14_digits.examples.map((vector) => vector.number))(
    'lists 14 digits %s as a weak Relais Colis candidate only',
    (number) => {
      const detection = runtime.detect(number)
      expect(detection.winner).not.toBe('relaiscolis')
      expect(detection.candidates.find((candidate) => candidate.carrier === 'relaiscolis')).toMatchObject({
        confidence: 0.3,
        reason: expect.stringMatching(/Chronopost and DPD/),
      })
    },
  )

  it.each([
    ['4h 0130 0025 3201', '4H013000253201'],
    ['bp-000803-202401', 'BP000803202401'],
  ])('normalizes %s to %s before detecting', (raw, normalized) => {
    const detection = runtime.detect(raw)
    expect(detection).toMatchObject({ trackingNumber: normalized, winner: 'relaiscolis' })
  })

  it.each(['4H01300025320', '4H0130002532011', '4HA13000253201', 'éH013000253201'])(
    'refuses %s with the shape it expected',
    (number) => {
      const check = createAdapter().checkNumber(number)
      expect(check).toEqual({ ok: false, reason: expect.stringMatching(/like 4H013000253201/) })
      expect(createAdapter().claimNumber(number)).toBeUndefined()
    },
  )
})

describe('relaiscolis: through the API', () => {
  it('is listed, and refuses parcels with carrier_not_configured until it has an activation key', async () => {
    for (const [env, configured] of [
      [{}, false],
      [{ RELAISCOLIS_ACTIVATION_KEY: ACTIVATION_KEY }, true],
    ] as const) {
      const harness = await createMemoryHarness('relaiscolis-api', env)
      try {
        const key = (await harness.apiKeys.create('shop-rc')).key
        const { data } = (await (await harness.request(key, '/v1/carriers')).json()) as {
          data: Array<Record<string, unknown>>
        }
        expect(data.find((carrier) => carrier.id === 'relaiscolis')).toEqual({
          id: 'relaiscolis',
          name: 'Relais Colis',
          batchSize: 20,
          rateLimit: { max: 5, durationMs: 1000 },
          needsCredentials: true,
          configured,
          recentFailures: {},
        })
        const registered = await harness.request(key, '/v1/trackings', {
          method: 'POST',
          body: JSON.stringify({ trackingNumber: '4H013000253201' }),
        })
        if (configured) expect(((await registered.json()) as { carrier: string }).carrier).toBe('relaiscolis')
        else await expectProblem(registered, 422, 'carrier_not_configured')
      } finally {
        await harness.close()
      }
    }
  })
})
