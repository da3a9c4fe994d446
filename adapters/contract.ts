import type { Config } from '../src/config.js'
import type { DeliveryDays } from '../src/domain/business-calendar.js'
import type { CarrierErrorKind } from '../src/domain/carrier-error-kind.js'
import type { CarrierSnapshot } from '../src/domain/carrier-snapshot.js'
import type { CarrierAlertFacts } from '../src/domain/delay-alerts.js'
import type { NumberCheck } from '../src/domain/tracking-number.js'
import type { Logger } from '../src/logger.js'

export { CARRIER_ERROR_KINDS, type CarrierErrorKind } from '../src/domain/carrier-error-kind.js'
export { type NumberCheck, normalizeTrackingNumber } from '../src/domain/tracking-number.js'

/**
 * The one way an adapter fails. `not_found` means "not scanned yet" (normal, poll later);
 * `unexpected_response` means the carrier changed its format (keep the last good timeline).
 */
export class CarrierError extends Error {
  override readonly name = 'CarrierError'
  readonly kind: CarrierErrorKind
  /** With `rate_limited`: how long the carrier asked us to wait, in ms. */
  readonly retryAfterMs: number | undefined

  constructor(
    kind: CarrierErrorKind,
    message: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.kind = kind
    this.retryAfterMs = options.retryAfterMs
  }
}

/**
 * Told of each carrier code missing from the carrier's code table (mapped to `unknown`), e.g. to count
 * it; `description` is the event's wording, when the caller has it.
 */
export type UnknownCodeHook = (carrier: string, code: string, description?: string) => void

export function isCarrierError(error: unknown): error is CarrierError {
  return error instanceof CarrierError
}

export interface TrackQuery {
  /** Normalized number (upper case, no spaces or dashes). */
  trackingNumber: string
  /** When colis registered the parcel; the sandbox carrier plays its journey from there. */
  registeredAt?: string
  /** The postal code the parcel was registered with, for carriers that need it (`requiresDestinationPostalCode`). */
  destinationPostalCode?: string
}

/** What `parse` may be told about a body beyond its text. */
export interface ParseOptions {
  /** The number the body answers for, for formats that do not carry it (Mondial Relay's). */
  trackingNumber?: string
}

/**
 * The `trackingNumber` of a snapshot parsed from a body that does not say which parcel it is about,
 * when `ParseOptions.trackingNumber` was not given. Give the number rather than fill it in afterwards:
 * event ids are keyed on it.
 */
export const NUMBER_NOT_IN_BODY = ''

/** Per-number outcome of a batch request: a snapshot or that number's own error. */
export type BatchResult = Map<string, CarrierSnapshot | CarrierError>

/** A carrier's claim on a number: how sure its shapes and check digits make it, and why. */
export interface NumberClaim {
  /** 0 to 1; 0.6 and more with a 0.3 lead over the next claim picks the carrier on its own. */
  confidence: number
  reason: string
}

/** What detection, alerts and the business calendar know of a carrier beyond its API. */
export interface CarrierFacts extends CarrierAlertFacts {
  /** Its claim on a normalized number it accepts; undefined when it makes none. */
  claimNumber(trackingNumber: string): NumberClaim | undefined
  /** Why a number of one of its shapes is still refused (a wrong check digit…); undefined otherwise. */
  explainNumberProblem?(trackingNumber: string): string | undefined
  /** Calendar days a pickup point keeps a parcel after the day it arrives, before it goes back. */
  readonly pickupHoldDays: number
  /** The days it delivers on, per service it reports in snapshots (lower case), else its default. */
  readonly deliveryDays: DeliveryDays
  /** True when it tracks a parcel only by its number and destination postal code together. */
  readonly requiresDestinationPostalCode?: boolean
  /**
   * The carrier's own public page for a number, for shoppers; absent when the carrier has none a link
   * can open without personal data.
   */
  publicTrackingUrl?(trackingNumber: string): string | undefined
}

/** Where a carrier's data comes from, for a carrier that can read more than one source. */
export interface CarrierSource {
  name: string
  /** A source colis reads without the carrier's support (a public page): it may fail at any time. */
  bestEffort: boolean
}

export interface CarrierAdapter extends CarrierFacts {
  readonly id: string
  readonly name: string
  /** Numbers per carrier request (1 = no batching). */
  readonly batchSize: number
  /** Requests the carrier allows per `durationMs`, shared by every worker. */
  readonly rateLimit: { max: number; durationMs: number }
  readonly needsCredentials: boolean
  /** False when credentials it needs are missing. */
  readonly configured: boolean
  /** The source it reads, when it depends on the configuration (shown by `GET /v1/carriers`). */
  readonly source?: CarrierSource
  /** The credentials it sends (API keys, header tokens), so that logs can blank them out. */
  listSecrets(): string[]
  /** Simulated carrier time per real time (the sandbox plays journeys faster); absent means 1. */
  readonly timeScale?: number
  /** Checks a normalized number against the carrier's formats and check digits. */
  checkNumber(trackingNumber: string): NumberCheck
  accepts(trackingNumber: string): boolean
  /** The carrier's whole current history for one number; throws only `CarrierError`. */
  track(query: TrackQuery, signal?: AbortSignal): Promise<CarrierSnapshot>
  /** Several numbers in one carrier request (when `batchSize` > 1); never throws for one number's error. */
  trackBatch?(queries: readonly TrackQuery[], signal?: AbortSignal): Promise<BatchResult>
  /**
   * Parses a raw carrier response body, as `colis normalize` reads it: one entry per parcel in it (a
   * multi-parcel answer may hold one parcel's own error). Throws only `CarrierError`.
   */
  parse(body: string, options?: ParseOptions): Array<CarrierSnapshot | CarrierError>
}

/** What a built-in carrier is built from: the deployment's config and the shared services. */
export interface BuiltinCarrierDeps {
  config: Config
  logger: Logger
  onUnknownCode?: UnknownCodeHook
  /** Told of each credential a carrier obtains while running (an OAuth access token), for logs to blank out. */
  onSecret?: (secret: string) => void
}

/** A carrier colis ships with: its facts, and how the runtime builds it (with the HTTP agent it owns). */
export interface BuiltinCarrier<Id extends string = string> {
  readonly id: Id
  readonly facts: CarrierFacts
  mount(deps: BuiltinCarrierDeps): { adapter: CarrierAdapter; http?: { close(): Promise<void> } }
}
