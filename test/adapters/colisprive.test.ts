import { readFileSync } from 'node:fs'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { COLISPRIVE_CARRIER } from '../../adapters/colisprive/index.js'
import { checkColisPriveNumber } from '../../adapters/colisprive/number.js'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import { definitionBaseUrl } from '../../adapters/generic/builtin-definition.js'
import { loadConfig } from '../../src/config.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { createSilentLogger } from '../../src/logger.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { type ContractHooks, runAdapterContract } from './adapter-contract.js'
import { runDefinitionParseProperties } from './definition-parse-properties.js'

const FIXTURES = new URL('../fixtures/colisprive/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')
const ORIGIN = 'https://colisprive.com'
const PATH = '/moncolis/pages/DetailColis.aspx'
const http = createCarrierHttp({ carrier: 'colisprive', timeoutMs: 2000 })

function createAdapter(hooks: ContractHooks = {}, env: Record<string, string> = {}): CarrierAdapter {
  return COLISPRIVE_CARRIER.build({
    config: loadConfig(env),
    logger: createSilentLogger(),
    onUnknownCode: hooks.onUnknownCode,
    http,
  })
}

/** The page for a number and postal code, asked as the recipient's browser asks it. */
function mockPage(numColis: string, status: number, body = '', headers: Record<string, string> = {}) {
  return nock(ORIGIN)
    .get(PATH)
    .query({ numColis, lang: 'fr' })
    .matchHeader('accept-language', /^fr-FR/)
    .reply(status, body, { 'content-type': 'text/html; charset=utf-8', ...headers })
}

function parseSnapshot(body: string): CarrierSnapshot {
  const [entry, ...rest] = createAdapter().parse(body)
  expect(rest).toEqual([])
  if (entry === undefined || entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry}`)
  return entry
}

/** A history page with `rows` ([date, wording], newest first). */
function page(rows: Array<[string, string]>): string {
  const cells = rows
    .map(
      ([date, text]) =>
        `<tr class="bandeauText"><td class="tdText" headers="th-date">${date}</td>` +
        `<td class="tdText" headers="th-statut">${text}</td></tr>`,
    )
    .join('')
  return `<html><body><table class="tableHistoriqueColis">${cells}</table></body></html>`
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

runAdapterContract('colisprive', createAdapter, {
  history: {
    trackingNumber: '991122334455',
    destinationPostalCode: '75012',
    arrange: () => mockPage('99112233445575012', 200, fixture('detailcolis-delivered.html')),
  },
  unknownCode: {
    trackingNumber: 'AB1234567890',
    destinationPostalCode: '69003',
    code: 'VOTRE_COLIS_EST_MIS_EN_ATTENTE_A_LA_DEMA',
    arrange: () => mockPage('AB123456789069003', 200, fixture('detailcolis-unknown-label.html')),
  },
  notFound: {
    trackingNumber: 'AB1234567891',
    destinationPostalCode: '75001',
    arrange: () =>
      nock(ORIGIN)
        .get(PATH)
        .query({ numColis: 'AB123456789175001', lang: 'fr' })
        .reply(302, '', { location: '/moncolis/Default.aspx' }),
  },
  rateLimited: {
    trackingNumber: 'AB1234567892',
    destinationPostalCode: '75001',
    arrange: () => mockPage('AB123456789275001', 429, ''),
  },
  garbage: {
    trackingNumber: 'AB1234567893',
    destinationPostalCode: '75001',
    arrange: () => mockPage('AB123456789375001', 200, '<html><body>Maintenance en cours</body></html>'),
  },
  garbageBodies: [
    page([['28/08/26', 'Votre colis a été livré.']]),
    page([['31/02/2026', 'Votre colis a été livré.']]),
    page([['', 'Votre colis a été livré.']]),
    '<html><body><table class="tableHistoriqueColis"></table></body></html>',
  ],
  facts: {
    claims: [
      { trackingNumber: 'AB1234567890', confidence: 0.3 },
      { trackingNumber: '991122334455', confidence: 0.2 },
    ],
    pickupHoldDays: 7,
    deliveryDays: [[undefined, 'ouvrables']],
  },
})

runDefinitionParseProperties('colisprive', () => createAdapter(), [
  fixture('detailcolis-failed-attempt.assembled.html'),
  fixture('detailcolis-delivered.html'),
  fixture('detailcolis-unknown-label.html'),
])

describe('colisprive: the definition file', () => {
  it('is keyless, paced by COLISPRIVE_RATE_LIMIT, and needs the destination postal code', () => {
    const adapter = createAdapter()
    expect(adapter).toMatchObject({
      id: 'colisprive',
      name: 'Colis Privé',
      needsCredentials: false,
      configured: true,
      requiresDestinationPostalCode: true,
      batchSize: 1,
      rateLimit: { max: 1, durationMs: 1000 },
    })
  })

  it('asks the page for the number followed by the postal code, at the configured base URL', async () => {
    expect(loadConfig({}).COLISPRIVE_BASE_URL).toBe(definitionBaseUrl(COLISPRIVE_CARRIER.definition))
    const scope = nock('http://127.0.0.1:9')
      .get('/DetailColis.aspx')
      .query({ numColis: '991122334455B1000', lang: 'fr' })
      .reply(200, fixture('detailcolis-delivered.html'))
    const adapter = createAdapter({}, { COLISPRIVE_BASE_URL: 'http://127.0.0.1:9/DetailColis.aspx' })
    await adapter.track({ trackingNumber: '991122334455', destinationPostalCode: 'B1000' })
    expect(scope.isDone()).toBe(true)
  })

  it.each([undefined, '', '  '])(
    'refuses to ask without a postal code (%j), never retrying',
    async (code) => {
      const scope = nock(ORIGIN).get(PATH).query(true).reply(200, fixture('detailcolis-delivered.html'))
      const error = await caughtCarrierError(
        createAdapter().track({ trackingNumber: '991122334455', destinationPostalCode: code }),
      )
      expect(error.kind).toBe('invalid_number')
      expect(error.message).toMatch(/destination postal code/)
      expect(scope.isDone()).toBe(false)
    },
  )

  it.each([404, 301, 302, 303, 307, 308])(
    'reads HTTP %i (a redirect to the home page) as not found',
    async (status) => {
      mockPage('99112233445575012', status, '', { location: '/' })
      const error = await caughtCarrierError(
        createAdapter().track({ trackingNumber: '991122334455', destinationPostalCode: '75012' }),
      )
      expect(error.kind).toBe('not_found')
    },
  )
})

describe('colisprive: the page', () => {
  it('maps the sample page: dates at midnight in Paris, same-day rows kept in the page’s order', () => {
    const snapshot = parseSnapshot(fixture('detailcolis-failed-attempt.assembled.html'))
    expect(snapshot.trackingNumber).toBe('991122334455')
    expect(snapshot.events.map((event) => [event.occurredAt, event.status])).toEqual([
      ['2026-08-25T00:00:00+02:00', 'info_received'],
      ['2026-08-26T00:00:00+02:00', 'in_transit'],
      ['2026-08-28T00:00:00+02:00', 'out_for_delivery'],
      ['2026-08-28T00:00:00+02:00', 'failed_attempt'],
    ])
    expect(deriveTrackingStatus(snapshot.events)).toBe('failed_attempt')
    expect(deriveTrackingStatus(parseSnapshot(fixture('detailcolis-delivered.html')).events)).toBe(
      'delivered',
    )
  })

  it('never reads the recipient block', () => {
    const snapshot = parseSnapshot(fixture('detailcolis-failed-attempt.assembled.html'))
    expect(JSON.stringify(snapshot)).not.toMatch(/REDACTED|75012/)
    const named = fixture('detailcolis-failed-attempt.assembled.html').replaceAll('REDACTED', 'Jeanne Martin')
    expect(JSON.stringify(parseSnapshot(named))).not.toContain('Jeanne')
  })

  it('keeps one row of a row listed twice, and whitespace inside a wording does not matter', () => {
    const snapshot = parseSnapshot(
      page([
        ['26/08/2026', 'Votre colis est   arrivé sur\n\tnotre agence régionale de distribution.'],
        ['26/08/2026', 'Votre colis est arrivé sur notre agence régionale de distribution.'],
      ]),
    )
    expect(snapshot.events).toHaveLength(1)
    expect(snapshot.events[0]?.status).toBe('in_transit')
  })

  it('follows a relay stop: at the relay, then collected there', () => {
    const atRelay: Array<[string, string]> = [['02/09/2026', 'Votre colis vous attend au relais.']]
    expect(deriveTrackingStatus(parseSnapshot(page(atRelay)).events)).toBe('available_for_pickup')
    const collected = page([['04/09/2026', 'Votre colis vous a été remis au relais.'], ...atRelay])
    expect(deriveTrackingStatus(parseSnapshot(collected).events)).toBe('delivered')
  })

  // Each phrase of the wording table, as a sentence of the page would hold it.
  const phrases = fixture('label-patterns.csv')
    .trim()
    .split('\n')
    .slice(1)
    .flatMap((row) => {
      const [alternatives = '', , status = ''] = row.split(',')
      return alternatives.split('|').map((phrase) => [phrase, status] as const)
    })

  it.each(phrases.map(([phrase, status]) => [phrase, status]))('maps "%s" to %s', (phrase, status) => {
    const snapshot = parseSnapshot(page([['02/09/2026', `Votre colis ${phrase}.`]]))
    expect(snapshot.events.map((event) => event.status)).toEqual([status])
  })

  it('maps the table’s example sentences as written, accents and apostrophes included', () => {
    const examples = fixture('label-patterns.csv')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(','))
      .filter(([, example]) => example)
    expect(examples.length).toBeGreaterThan(3)
    for (const [, example, status] of examples) {
      const snapshot = parseSnapshot(page([['02/09/2026', example ?? '']]))
      expect(snapshot.events[0]?.status, example).toBe(status)
    }
  })
})

describe('colisprive: numbers', () => {
  const vectors = JSON.parse(
    readFileSync(new URL('../fixtures/samples/tracking-numbers-more.json', import.meta.url), 'utf8'),
  ).colisprive as { examples: Array<{ number: string }>; invalid: string[] }

  it.each(vectors.examples.map((example) => example.number))(
    'reads %s as the 12-character number followed by the postal code',
    (credential) => {
      const number = credential.slice(0, 12)
      expect(checkColisPriveNumber(number)).toEqual({ ok: true, trackingNumber: number })
      const postalCode = credential.slice(12)
      const country = { B: 'BE', L: 'LU' }[postalCode[0] ?? '']
      expect(checkColisPriveNumber(credential)).toEqual({
        ok: true,
        trackingNumber: number,
        destination: country ? { postalCode, country } : { postalCode },
      })
    },
  )

  it('refuses a number followed by 5 digits that are no French postal code', () => {
    expect(checkColisPriveNumber('AB123456789000001')).toEqual({
      ok: false,
      reason: '00001 after the Colis Privé number is not a French postal code',
    })
  })

  it('refuses the invalid credentials, but takes a bare 12-character number (its postal code given apart)', () => {
    const numbers = vectors.invalid.map((entry) => entry.split(' ')[0] ?? '')
    expect(numbers.filter((number) => checkColisPriveNumber(number).ok)).toEqual(['991122334455'])
  })
})
