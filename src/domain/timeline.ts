import { instantOf } from './paris-time.js'
import type { TrackingEvent } from './tracking-event.js'
import type { TrackingStatus } from './tracking-status.js'

export interface MergeResult {
  events: TrackingEvent[]
  added: TrackingEvent[]
}

/**
 * Merges a carrier's history into the stored timeline. Known events (same id) are kept as first seen;
 * new ones are placed by instant, after any stored event of the same instant, in the carrier's order.
 * Merging the same history twice changes nothing.
 */
export function mergeTimeline(
  stored: readonly TrackingEvent[],
  incoming: readonly TrackingEvent[],
): MergeResult {
  const known = new Set(stored.map((event) => event.id))
  const added: TrackingEvent[] = []
  for (const event of sortEvents(incoming)) {
    if (known.has(event.id)) continue
    known.add(event.id)
    added.push(event)
  }
  if (added.length === 0) return { events: [...stored], added }
  const events = [...stored]
  for (const event of added) {
    const instant = instantOf(event.occurredAt)
    let index = events.length
    while (index > 0 && instantOf((events[index - 1] as TrackingEvent).occurredAt) > instant) index--
    events.splice(index, 0, event)
  }
  return { events, added }
}

/** Stable sort by instant: events of the same instant keep their given order. */
export function sortEvents(events: readonly TrackingEvent[]): TrackingEvent[] {
  // Carriers and the store nearly always give events in order: checked first, without the wrappers.
  if (isSorted(events)) return [...events]
  return events
    .map((event, index) => ({ event, index, instant: instantOf(event.occurredAt) }))
    .sort((a, b) => a.instant - b.instant || a.index - b.index)
    .map(({ event }) => event)
}

/** Each event once, in the given order: the same scan sent twice by a carrier has the same id. */
export function dropRepeatedEvents(events: readonly TrackingEvent[]): TrackingEvent[] {
  const seen = new Set<string>()
  return events.filter((event) => {
    if (seen.has(event.id)) return false
    seen.add(event.id)
    return true
  })
}

function isSorted(events: readonly TrackingEvent[]): boolean {
  let previous = Number.NEGATIVE_INFINITY
  for (const event of events) {
    const instant = instantOf(event.occurredAt)
    // NaN (an unreadable time) compares false both ways: the full sort decides where it goes.
    if (!(instant >= previous)) return false
    previous = instant
  }
  return true
}

/** What a `resumesOnly` scan may move the status out of: nothing known yet, or a halted parcel. */
const RESUMABLE: ReadonlySet<TrackingStatus> = new Set(['pending', 'failed_attempt', 'exception'])

/**
 * The parcel's status from its whole timeline, not from its last row:
 * - a delivery stays a delivery, whatever is scanned after it, unless a return starts later;
 * - once a return starts, transit scans of the way back keep it `returned_to_sender`
 *   until the carrier scans a delivery to the recipient;
 * - a `resumesOnly` scan moves the status only out of `pending`, `failed_attempt` or `exception`: a
 *   scan that repeats a step already reached (a courier's drop-off scan after the pickup point's own
 *   arrival scan) or that only means something after a halt (a delivery instruction) never moves the
 *   parcel back;
 * - otherwise the latest meaningful scan wins; `unknown` codes never move the status.
 */
export function deriveTrackingStatus(events: readonly TrackingEvent[]): TrackingStatus {
  let status: TrackingStatus = 'pending'
  let settled: 'delivered' | 'returned_to_sender' | undefined
  for (const event of sortEvents(events)) {
    if (event.resumesOnly && !RESUMABLE.has(status)) continue
    switch (event.status) {
      case 'unknown':
        break
      case 'delivered':
        settled = 'delivered'
        status = 'delivered'
        break
      case 'returned_to_sender':
        settled = 'returned_to_sender'
        status = 'returned_to_sender'
        break
      default:
        if (!settled) status = event.status
    }
  }
  return status
}
