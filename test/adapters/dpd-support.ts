import { readFileSync } from 'node:fs'
import nock from 'nock'
import { expect } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import { createDpdAdapter, type DpdAdapterDeps } from '../../adapters/dpd/index.js'
import { buildGetShipmentTraceEnvelope, type WebtraceCredentials } from '../../adapters/dpd/webtrace.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { createSilentLogger } from '../../src/logger.js'

export const FIXTURES = new URL('../fixtures/dpd/', import.meta.url)
export const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')

export const WEBTRACE_ORIGIN = 'https://webtrace.dpd.fr'
export const WEBTRACE_PATH = '/trace-service/Webtrace_Service.asmx'
export const TRACE_ORIGIN = 'https://trace.dpd.fr'
export const CREDENTIALS: WebtraceCredentials = { userId: 'shop-dpd-user', password: 'Pa55-w0rd&<dpd>' }

export const dpdHttp = createCarrierHttp({ carrier: 'dpd', timeoutMs: 2000 })

/** A DPD adapter reading Webtrace_Service (with `credentials`) or, with `credentials: undefined`, the page. */
export function createAdapter(overrides: Partial<DpdAdapterDeps> = {}): CarrierAdapter {
  return createDpdAdapter({
    http: dpdHttp,
    logger: createSilentLogger(),
    credentials: CREDENTIALS,
    webtraceUrl: `${WEBTRACE_ORIGIN}${WEBTRACE_PATH}`,
    traceUrl: TRACE_ORIGIN,
    rateLimit: { max: 2, durationMs: 1000 },
    ...overrides,
  })
}

export function createPageAdapter(overrides: Partial<DpdAdapterDeps> = {}): CarrierAdapter {
  return createAdapter({ credentials: undefined, ...overrides })
}

/** A Webtrace_Service endpoint that answers only a GetShipmentTrace call for `parcelNumber`. */
export function mockWebtrace(
  parcelNumber: string,
  status: number,
  body?: string,
  options: { headers?: Record<string, string>; credentials?: WebtraceCredentials } = {},
) {
  const envelope = buildGetShipmentTraceEnvelope(options.credentials ?? CREDENTIALS, parcelNumber)
  return nock(WEBTRACE_ORIGIN)
    .post(WEBTRACE_PATH, (sent: unknown) => sent === envelope)
    .matchHeader('content-type', 'text/xml; charset=utf-8')
    .matchHeader('soapaction', '"http://www.cargonet.software/GetShipmentTrace"')
    .reply(status, body, { 'content-type': 'text/xml; charset=utf-8', ...options.headers })
}

/** The public page of `parcelNumber`. */
export function mockTracePage(
  parcelNumber: string,
  status: number,
  body?: string,
  headers: Record<string, string> = {},
) {
  return nock(TRACE_ORIGIN)
    .get(`/fr/trace/${parcelNumber}`)
    .matchHeader('accept-language', /^fr-FR/)
    .reply(status, body, { 'content-type': 'text/html; charset=utf-8', ...headers })
}

export type ParseEntry = CarrierSnapshot | CarrierError

/** What `parse` gives: the error it threw for the whole body, or one entry per parcel. */
export function parseOutcome(adapter: CarrierAdapter, body: string): CarrierError | ParseEntry[] {
  try {
    const entries = adapter.parse(body)
    for (const entry of entries) {
      if (entry instanceof CarrierError) continue
      const instants = entry.events.map((event) => Date.parse(event.occurredAt))
      expect(instants).toEqual([...instants].sort((a, b) => a - b))
      for (const event of entry.events) {
        expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
        expect(event.occurredAt).not.toMatch(/Z$/)
      }
    }
    return entries
  } catch (error) {
    if (error instanceof CarrierError) return error
    throw error
  }
}

export function parseSnapshots(body: string, adapter = createAdapter()): CarrierSnapshot[] {
  return adapter.parse(body).map((entry) => {
    if (entry instanceof CarrierError) throw new Error(`expected a snapshot: ${entry.kind} ${entry.message}`)
    return entry
  })
}

export function parseSnapshot(body: string, adapter = createAdapter()): CarrierSnapshot {
  const snapshots = parseSnapshots(body, adapter)
  expect(snapshots).toHaveLength(1)
  return snapshots[0] as CarrierSnapshot
}

/** The single error entry `parse` gives for a body, or the one it throws. */
export function parseError(body: string): CarrierError {
  const outcome = parseOutcome(createAdapter(), body)
  const error = outcome instanceof CarrierError ? outcome : outcome[0]
  expect(error).toBeInstanceOf(CarrierError)
  return error as CarrierError
}
