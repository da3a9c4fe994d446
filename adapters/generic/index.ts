import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { normalizeTrackingNumber } from '../../src/domain/tracking-number.js'
import type { Logger } from '../../src/logger.js'
import type { CarrierHttp } from '../carrier-http.js'
import { reportUnknownCode } from '../code-table.js'
import {
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  NUMBER_NOT_IN_BODY,
  type NumberCheck,
  type UnknownCodeHook,
} from '../contract.js'
import { fetchTracking, readHttpStatus } from './client.js'
import { compileNumberPattern, type GenericCarrierDefinition } from './definition-schema.js'
import { createJsonExtractor } from './extract-json.js'
import { createMarkupExtractor } from './extract-markup.js'
import { type ExtractedBody, mapGenericDocument } from './map-events.js'
import { createParcelStatusMapper, createStatusMapper, DEFINITION_REGEX_FLAGS } from './map-status.js'
import { type CompiledDateFormat, compileDateFormat } from './parse-date.js'
import { listEnvNames, needsDestinationPostalCode } from './request-schema.js'

export interface GenericAdapterDeps {
  /** One per carrier, built by the caller with the definition's `request.timeoutMs`. */
  http: CarrierHttp
  logger: Logger
  /** Where the `{ "env": … }` headers are looked up. */
  env: Record<string, string | undefined>
  onUnknownCode?: UnknownCodeHook
}

/**
 * What a definition file does not say: 10 days at a pickup point after the arrival day, deliveries
 * Monday to Saturday.
 */
export const GENERIC_CARRIER_DEFAULTS = {
  pickupHoldDays: 10,
  deliveryDays: { default: 'ouvrables' },
} as const satisfies Pick<CarrierFacts, 'pickupHoldDays' | 'deliveryDays'>

/** A configured pattern is weaker evidence than a check digit. */
const PATTERN_ONLY_CONFIDENCE = 0.6

// Longer input is refused before the carrier's own pattern runs on it.
const MAX_NUMBER_LENGTH = 64

/**
 * A carrier described by a validated definition (definition-schema.ts; docs/carriers/generic.md) instead
 * of code.
 */
export function createGenericAdapter(
  definition: GenericCarrierDefinition,
  deps: GenericAdapterDeps,
): CarrierAdapter {
  const { id, name } = definition
  const envNames = listEnvNames(definition.request)
  const numberPattern = compileNumberPattern(definition.numbers.pattern)
  const notFoundBody = definition.notFound?.bodyPattern
  const notFoundPattern =
    notFoundBody === undefined ? undefined : new RegExp(notFoundBody, DEFINITION_REGEX_FLAGS)
  const extract = createExtractor(definition)
  const context = {
    carrier: id,
    formats: definition.dates.formats.map(compileFormat),
    timeZone: definition.dates.timeZone,
    mapStatus: createStatusMapper(definition.statusMapping),
    mapParcelStatus: createParcelStatusMapper(definition.statusMapping),
  }
  const expected = definition.numbers.example ? ` such as ${definition.numbers.example}` : ''
  const reason = `not a ${name} tracking number (expected ${definition.numbers.pattern}${expected})`

  const checkNumber = (trackingNumber: string): NumberCheck =>
    trackingNumber.length <= MAX_NUMBER_LENGTH && numberPattern.test(trackingNumber)
      ? { ok: true, trackingNumber }
      : { ok: false, reason }

  const readBody = (body: string): ExtractedBody =>
    notFoundPattern?.test(body) ? { found: false } : extract(body)

  /**
   * One body as an entry: the snapshot, or `not_found`; throws `unexpected_response` for the rest.
   * Without an asked number (`parse()` not told one) it keys events on the number the body shows, else
   * on NUMBER_NOT_IN_BODY.
   */
  const parseEntry = (body: string, askedNumber?: string): CarrierSnapshot | CarrierError => {
    const extracted = readBody(body)
    if (!extracted.found) return new CarrierError('not_found', `${name} has no tracking for this number yet`)
    const echoed = extracted.document.trackingNumber
    const trackingNumber =
      askedNumber ?? (echoed === undefined ? NUMBER_NOT_IN_BODY : normalizeTrackingNumber(echoed))
    const { snapshot, unmapped } = mapGenericDocument(extracted.document, { ...context, trackingNumber })
    for (const code of unmapped) reportUnknownCode(deps.logger, id, code, deps.onUnknownCode)
    return snapshot
  }

  const accepts = (trackingNumber: string) => checkNumber(trackingNumber).ok

  return {
    id,
    name,
    ...GENERIC_CARRIER_DEFAULTS,
    claimNumber: (trackingNumber) =>
      accepts(trackingNumber)
        ? { confidence: PATTERN_ONLY_CONFIDENCE, reason: `matches ${name}'s number pattern` }
        : undefined,
    requiresDestinationPostalCode: needsDestinationPostalCode(definition.request),
    batchSize: 1,
    rateLimit: definition.request.rateLimit,
    needsCredentials: envNames.length > 0,
    configured: envNames.every((envName) => Boolean(deps.env[envName])),
    listSecrets: () =>
      envNames.flatMap((envName) => {
        const value = deps.env[envName]
        return value ? [value] : []
      }),
    checkNumber,
    accepts,
    async track(query, signal) {
      const response = await fetchTracking(deps.http, definition, query, deps.env, signal)
      const failure = readHttpStatus(definition, response)
      if (failure) throw failure
      if (response.status >= 300) {
        const extracted = tryReadBody(readBody, response.text)
        if (extracted && !extracted.found)
          throw new CarrierError('not_found', `${name}: HTTP ${response.status}`)
        throw new CarrierError('unexpected_response', `${name} answered HTTP ${response.status}`)
      }
      const entry = parseEntry(response.text, query.trackingNumber)
      if (entry instanceof CarrierError) throw entry
      return entry
    },
    parse: (body, options) => [parseEntry(body, options?.trackingNumber)],
  }
}

function createExtractor(definition: GenericCarrierDefinition): (body: string) => ExtractedBody {
  const { kind } = definition.response
  if (kind === 'json')
    return createJsonExtractor(definition.id, definition.extraction, definition.notFound?.jsonPath)
  return createMarkupExtractor(definition.id, kind, definition.extraction, definition.notFound?.selector)
}

function compileFormat(format: string): CompiledDateFormat {
  const compiled = compileDateFormat(format)
  if (typeof compiled === 'string') throw new TypeError(`date format "${format}": ${compiled}`)
  return compiled
}

/** An error body may still be the carrier's "no such parcel" answer; anything unreadable is not one. */
function tryReadBody(readBody: (body: string) => ExtractedBody, body: string): ExtractedBody | undefined {
  try {
    return readBody(body)
  } catch (error) {
    if (error instanceof CarrierError) return undefined
    throw error
  }
}
