import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { formatInZone, PARIS } from '../../src/domain/paris-time.js'
import type { Logger } from '../../src/logger.js'
import { reportUnknownCode } from '../code-table.js'
import {
  type BuiltinCarrier,
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  type NumberCheck,
  type TrackQuery,
  type UnknownCodeHook,
} from '../contract.js'
import { mapSandboxDocument } from './map-events.js'
import { readSandboxDocument, type SandboxRawEvent } from './raw-schema.js'
import {
  journeyDurationHours,
  readSandboxNumber,
  SANDBOX_DESTINATIONS,
  SANDBOX_PLACES,
  SANDBOX_PLAYS,
  type SandboxNumber,
  type SandboxStep,
} from './scenarios.js'

export interface SandboxAdapterDeps {
  /** Simulated time per real time: 3600 plays one simulated hour per real second, 1 plays in real time. */
  timeScale: number
  rateLimit: { max: number; durationMs: number }
  /** Clock in ms since the epoch; default `Date.now`. */
  now?: () => number
  logger?: Pick<Logger, 'warn'>
  onUnknownCode?: UnknownCodeHook
}

const SANDBOX_CARRIER_ID = 'sandbox'

/** Sandbox parcels are held and delivered like a Colissimo. */
export const SANDBOX_FACTS: CarrierFacts = {
  id: SANDBOX_CARRIER_ID,
  claimNumber: (trackingNumber) =>
    /^SBX[A-Z]+\d{3}$/.test(trackingNumber)
      ? { confidence: 1, reason: 'sandbox number (SBX + scenario + 3 digits)' }
      : undefined,
  pickupHoldDays: 10,
  deliveryDays: { default: 'ouvrables' },
}

const HOUR_MS = 3_600_000
const RATE_LIMIT_RETRY_AFTER_MS = 1000

/** What GARBAGE answers: a plausible "v2" of the format, which the sandbox schema must refuse. */
function garbageBody(trackingNumber: string): string {
  return JSON.stringify({ version: 2, parcel: { id: trackingNumber, history: [{ ts: 0, c: 'X' }] } })
}

function rawEventOf(step: SandboxStep, number: SandboxNumber, atMs: number): SandboxRawEvent {
  const at = formatInZone(atMs, PARIS)
  const place =
    step.place === 'destination'
      ? SANDBOX_DESTINATIONS[number.suffix % SANDBOX_DESTINATIONS.length]
      : step.place && SANDBOX_PLACES[step.place]
  return {
    code: step.code,
    label: step.label,
    at: step.withoutOffset ? at.slice(0, 19) : at,
    ...(place ? { city: place.city, postalCode: place.postalCode, countryCode: place.countryCode } : {}),
  }
}

/** Scripted journeys played as a carrier would scan them, without network (docs/carriers/sandbox.md). */
export function createSandboxAdapter(deps: SandboxAdapterDeps): CarrierAdapter {
  const { timeScale, logger } = deps
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new RangeError(`sandbox timeScale must be a positive number, got ${timeScale}`)
  }
  const now = deps.now ?? Date.now
  const realMs = (hours: number) => (hours * HOUR_MS) / timeScale

  /** The raw body the sandbox "carrier" would send at `nowMs`, scans in the order they were uploaded. */
  function answerJourney(
    trackingNumber: string,
    number: SandboxNumber,
    steps: readonly SandboxStep[],
    registeredAt: string | undefined,
    nowMs: number,
  ): string {
    // Without a (readable) registration time, the journey ends now, so a one-shot `colis track` shows it all.
    const registeredMs = registeredAt === undefined ? Number.NaN : Date.parse(registeredAt)
    const startMs = Number.isNaN(registeredMs) ? nowMs - realMs(journeyDurationHours(steps)) : registeredMs
    const shown = steps
      .map((step) => ({ step, shownAtMs: startMs + realMs(step.shownAtHours ?? step.hours) }))
      .filter(({ shownAtMs }) => shownAtMs <= nowMs)
      .sort((a, b) => a.shownAtMs - b.shownAtMs)
    if (shown.length === 0)
      throw new CarrierError('not_found', `sandbox parcel ${trackingNumber} not scanned yet`)
    const events = shown.map(({ step }) => rawEventOf(step, number, startMs + realMs(step.hours)))
    return JSON.stringify({ trackingNumber, events })
  }

  function parse(body: string): CarrierSnapshot[] {
    const { snapshot, unknownCodes } = mapSandboxDocument(readSandboxDocument(body))
    for (const code of unknownCodes) reportUnknownCode(logger, SANDBOX_CARRIER_ID, code, deps.onUnknownCode)
    return [snapshot]
  }

  function checkNumber(trackingNumber: string): NumberCheck {
    const read = readSandboxNumber(trackingNumber)
    return read.ok ? { ok: true, trackingNumber } : read
  }

  async function track(query: TrackQuery, signal?: AbortSignal): Promise<CarrierSnapshot> {
    if (signal?.aborted)
      throw new CarrierError('unavailable', 'sandbox request aborted', { cause: signal.reason })
    const { trackingNumber } = query
    const read = readSandboxNumber(trackingNumber)
    if (!read.ok) throw new CarrierError('invalid_number', read.reason)
    const play = SANDBOX_PLAYS[read.number.scenario]
    let body: string
    switch (play.kind) {
      case 'not_found':
        throw new CarrierError('not_found', `sandbox parcel ${trackingNumber} is never found`)
      case 'rate_limited':
        throw new CarrierError('rate_limited', 'sandbox quota exceeded', {
          retryAfterMs: RATE_LIMIT_RETRY_AFTER_MS,
        })
      case 'garbage':
        body = garbageBody(trackingNumber)
        break
      case 'journey':
        body = answerJourney(trackingNumber, read.number, play.steps, query.registeredAt, now())
        break
    }
    const [snapshot] = parse(body)
    if (!snapshot) throw new CarrierError('unexpected_response', 'sandbox answer holds no parcel')
    return snapshot
  }

  return {
    ...SANDBOX_FACTS,
    name: 'Sandbox (simulated journeys)',
    batchSize: 1,
    rateLimit: deps.rateLimit,
    needsCredentials: false,
    configured: true,
    listSecrets: () => [],
    timeScale,
    checkNumber,
    accepts: (trackingNumber) => checkNumber(trackingNumber).ok,
    track,
    parse,
  }
}

export const SANDBOX_CARRIER: BuiltinCarrier<typeof SANDBOX_CARRIER_ID> = {
  id: SANDBOX_CARRIER_ID,
  facts: SANDBOX_FACTS,
  mount: ({ config, logger, onUnknownCode }) => ({
    adapter: createSandboxAdapter({
      timeScale: config.SANDBOX_TIME_SCALE,
      rateLimit: config.SANDBOX_RATE_LIMIT,
      logger: logger.child({ carrier: SANDBOX_CARRIER_ID }),
      onUnknownCode,
    }),
  }),
}

export { describeSandboxScenarios, SANDBOX_SCENARIOS } from './scenarios.js'
