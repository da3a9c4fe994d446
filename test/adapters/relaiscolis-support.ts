import { readFileSync } from 'node:fs'
import nock from 'nock'
import { expect } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import { RELAISCOLIS_STATUS_PATH } from '../../adapters/relaiscolis/client.js'
import { createRelaisColisAdapter, type RelaisColisAdapterDeps } from '../../adapters/relaiscolis/index.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { createSilentLogger } from '../../src/logger.js'

/** What the Relais Colis test files share: fixtures, the adapter under test and a fake modules API. */

export const FIXTURES = new URL('../fixtures/relaiscolis/', import.meta.url)
export const ORIGIN = 'https://ws-modules.relaiscolis.com'
export const ACTIVATION_KEY = 'fCwdKsMGEAkRK0jrNSVXzAzjJt5qqx6v'
export const http = createCarrierHttp({ carrier: 'relaiscolis', timeoutMs: 2000 })

export const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')

export function createAdapter(overrides: Partial<RelaisColisAdapterDeps> = {}): CarrierAdapter {
  return createRelaisColisAdapter({
    http,
    logger: createSilentLogger(),
    activationKey: ACTIVATION_KEY,
    baseUrl: ORIGIN,
    rateLimit: { max: 5, durationMs: 1000 },
    batchSize: 20,
    ...overrides,
  })
}

/** The modules API answering only a `getPackagesStatus` call for exactly `numbers`, with our key. */
export function mockStatus(
  numbers: readonly string[],
  status: number,
  body?: string,
  options: { headers?: Record<string, string>; delayMs?: number } = {},
) {
  return nock(ORIGIN)
    .post(RELAISCOLIS_STATUS_PATH, (sent: { activationKey?: unknown; parcelNumbers?: unknown }) => {
      return (
        sent.activationKey === ACTIVATION_KEY &&
        JSON.stringify(sent.parcelNumbers) === JSON.stringify(numbers) &&
        Object.keys(sent).length === 2
      )
    })
    .matchHeader('content-type', 'application/json')
    .delay(options.delayMs ?? 0)
    .reply(status, body, { 'content-type': 'application/json', ...options.headers })
}

export type ParseEntry = CarrierSnapshot | CarrierError

/** What `parse` gives: the error it threw for the whole body, or one entry per parcel, each well formed. */
export function parseOutcome(adapter: CarrierAdapter, body: string): CarrierError | ParseEntry[] {
  try {
    const entries = adapter.parse(body)
    for (const entry of entries) if (!(entry instanceof CarrierError)) expectWellFormed(entry)
    return entries
  } catch (error) {
    if (error instanceof CarrierError) return error
    throw error
  }
}

export function expectWellFormed(snapshot: CarrierSnapshot) {
  const instants = snapshot.events.map((event) => Date.parse(event.occurredAt))
  expect(instants).toEqual([...instants].sort((a, b) => a - b))
  for (const event of snapshot.events) {
    expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
    expect(event.occurredAt).not.toMatch(/Z$/)
  }
}

export function onlySnapshot(result: ParseEntry | undefined): CarrierSnapshot {
  if (result === undefined || result instanceof CarrierError)
    throw new Error(`expected a snapshot: ${result}`)
  return result
}

/** The one snapshot a single-parcel body holds. */
export function parseSnapshot(body: string, adapter = createAdapter()): CarrierSnapshot {
  const entries = adapter.parse(body)
  expect(entries).toHaveLength(1)
  return onlySnapshot(entries[0])
}

/** A getPackagesStatus event with the fields the plugin documents; `overrides` change or add fields. */
export function rawEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    parcelNumber: '4H013000253201',
    RangPaquet: 1,
    Libelle: 'Votre colis a été annoncé.',
    LibelleDetaille: 'Votre colis a été annoncé.',
    Categorie: 'Colis annoncé',
    Date: '2026-02-17T18:00:00',
    GMT: 'GMT+1',
    Etape: 0,
    CodeEVT: 'APF',
    CodeJUS: '',
    CodeTrack: 'AN',
    ...overrides,
  }
}
