import type { CarrierSnapshot } from '../src/domain/carrier-snapshot.js'
import type { TrackingEvent } from '../src/domain/tracking-event.js'
import type { CodeOverrides } from './code-overrides.js'
import { type CarrierAdapter, isCarrierError, type UnknownCodeHook } from './contract.js'

/** Codes learned per carrier: beyond this, a carrier sending junk codes would only grow the set. */
const MAX_LEARNED_CODES = 1000

/**
 * The codes each carrier's own table lacks, as its adapter reports them while mapping (the runtime
 * gives adapters `learn` as their unknown-code hook). Adapters report a code before they return the
 * snapshot holding it, so the wrapper below knows it by the time it reads that snapshot.
 */
export function createUnknownCodeBook() {
  const byCarrier = new Map<string, Set<string>>()
  return {
    learn: ((carrier, code) => {
      let codes = byCarrier.get(carrier)
      if (!codes) {
        codes = new Set()
        byCarrier.set(carrier, codes)
      }
      if (codes.size < MAX_LEARNED_CODES) codes.add(code)
    }) satisfies UnknownCodeHook,
    of: (carrier: string): ReadonlySet<string> | undefined => byCarrier.get(carrier),
    /** A reloaded carrier definition may map codes its previous version lacked. */
    forget(carrier: string): void {
      byCarrier.delete(carrier)
    },
  }
}

export type UnknownCodeBook = ReturnType<typeof createUnknownCodeBook>

export interface OverrideContext {
  /** The overrides in force now (a reload swaps them). */
  overrides(): CodeOverrides
  unknownCodes: UnknownCodeBook
  /** Told of each event whose code the carrier's table lacks, with its wording, overridden or not. */
  onUnknownCode?: UnknownCodeHook
}

function mapSnapshot(carrier: string, snapshot: CarrierSnapshot, context: OverrideContext): CarrierSnapshot {
  const overrides = context.overrides()
  const unknown = context.unknownCodes.of(carrier)
  const overridden = overrides.covers(carrier)
  if (!overridden && (unknown === undefined || context.onUnknownCode === undefined)) return snapshot
  let events: TrackingEvent[] | undefined
  snapshot.events.forEach((event, index) => {
    if (event.status === 'unknown' && unknown?.has(event.code))
      context.onUnknownCode?.(carrier, event.code, event.description)
    const status = overridden ? overrides.statusOf(carrier, event.code, event.description) : undefined
    if (status === undefined || status === event.status) return
    events ??= [...snapshot.events]
    events[index] = { ...event, status }
  })
  return events ? { ...snapshot, events } : snapshot
}

/**
 * The adapter with COLIS_CODE_OVERRIDES applied to every event it maps, whatever the carrier (built-in,
 * defined in a file, or added later), and each code missing from its table told to `onUnknownCode`
 * with the event's wording. Event ids do not depend on statuses: an override changes no identity.
 */
export function withCodeOverrides(adapter: CarrierAdapter, context: OverrideContext): CarrierAdapter {
  const carrier = adapter.id
  const map = (snapshot: CarrierSnapshot) => mapSnapshot(carrier, snapshot, context)
  const { trackBatch } = adapter
  return {
    ...adapter,
    track: async (query, signal) => map(await adapter.track(query, signal)),
    ...(trackBatch && {
      trackBatch: async (queries, signal) => {
        const results = await trackBatch(queries, signal)
        for (const [number, result] of results) if (!isCarrierError(result)) results.set(number, map(result))
        return results
      },
    }),
    parse: (body, options) =>
      adapter.parse(body, options).map((entry) => (isCarrierError(entry) ? entry : map(entry))),
  }
}
