import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { CarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError, type ParseOptions } from '../../adapters/contract.js'
import { createMondialRelayAdapter, type MondialRelayAdapterDeps } from '../../adapters/mondialrelay/index.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { createSilentLogger } from '../../src/logger.js'
import { expectWellFormed } from './parse-properties.js'

/** Mondial Relay's public test merchant and key. */
export const ENSEIGNE = 'BDTEST13'
export const PRIVATE_KEY = 'PrivateK'
export const ORIGIN = 'https://api.mondialrelay.com'
export const PATH = '/Web_Services.asmx'

const FIXTURES = new URL('../fixtures/mondialrelay/', import.meta.url)
export const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')
export const fixturesDir = FIXTURES

export function createAdapter(
  http: CarrierHttp,
  overrides: Partial<MondialRelayAdapterDeps> = {},
): CarrierAdapter {
  return createMondialRelayAdapter({
    http,
    logger: createSilentLogger(),
    enseigne: ENSEIGNE,
    privateKey: PRIVATE_KEY,
    baseUrl: `${ORIGIN}${PATH}`,
    rateLimit: { max: 2, durationMs: 1000 },
    ...overrides,
  })
}

/** The request the service expects for `expedition`, signed here independently of the adapter. */
export function expectedRequest(expedition: string, enseigne = ENSEIGNE, key = PRIVATE_KEY): string {
  const security = createHash('md5').update(`${enseigne}${expedition}FR${key}`).digest('hex').toUpperCase()
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    '<WSI2_TracingColisDetaille xmlns="http://www.mondialrelay.fr/webservice/">' +
    `<Enseigne>${enseigne}</Enseigne><Expedition>${expedition}</Expedition><Langue>FR</Langue>` +
    `<Security>${security}</Security></WSI2_TracingColisDetaille></soap:Body></soap:Envelope>`
  )
}

export type ParseEntry = CarrierSnapshot | CarrierError

/** `parse`'s outcome: the error it threw for the whole body, or its entries, each checked well formed. */
export function parseOutcome(
  adapter: CarrierAdapter,
  body: string,
  options?: ParseOptions,
): CarrierError | ParseEntry[] {
  let entries: ParseEntry[]
  try {
    entries = adapter.parse(body, options)
  } catch (error) {
    if (error instanceof CarrierError) return error
    throw error
  }
  expect(entries).toHaveLength(1)
  expectWellFormed(entries)
  return entries
}

/** The one snapshot `parse` gives for `body`; fails the test otherwise. */
export function parseSnapshot(
  adapter: CarrierAdapter,
  body: string,
  options?: ParseOptions,
): CarrierSnapshot {
  const outcome = parseOutcome(adapter, body, options)
  const entry = outcome instanceof CarrierError ? outcome : outcome[0]
  if (entry === undefined || entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry}`)
  return entry
}

/** The error `parse` gives for `body`, thrown or as its entry; fails the test otherwise. */
export function parseError(adapter: CarrierAdapter, body: string, options?: ParseOptions): CarrierError {
  const outcome = parseOutcome(adapter, body, options)
  const error = outcome instanceof CarrierError ? outcome : outcome[0]
  expect(error).toBeInstanceOf(CarrierError)
  return error as CarrierError
}
