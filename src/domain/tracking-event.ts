import { hash } from 'node:crypto'
import { instantOf } from './paris-time.js'
import type { EventStatus } from './tracking-status.js'

export interface EventLocation {
  name?: string
  city?: string
  postalCode?: string
  countryCode?: string
}

export interface TrackingEvent {
  id: string
  /** RFC 3339 with the carrier's offset, never rewritten to UTC. */
  occurredAt: string
  status: EventStatus
  /** Raw carrier code, trimmed: history can be re-mapped without polling again. */
  code: string
  description: string
  location?: EventLocation
  /** Extra carrier facts kept as name/value pairs. */
  details?: Record<string, string>
  /**
   * The scan moves the tracking's status only while it has none yet or the parcel is halted (a failed
   * attempt, an exception); otherwise it leaves the status as it is (`deriveTrackingStatus`).
   */
  resumesOnly?: true
}

export type EventDraft = Omit<TrackingEvent, 'id'>

function locationKey(location: EventLocation | undefined): string {
  if (!location) return ''
  const parts = [location.name, location.city, location.postalCode, location.countryCode].map((part) =>
    (part ?? '').trim().toLowerCase(),
  )
  // A location with no field filled in says nothing: it must not give the scan another identity.
  return parts.some((part) => part !== '') ? JSON.stringify(parts) : ''
}

/**
 * Identity of a carrier scan: carrier, number, code, instant and place. The wording is left out on
 * purpose, so a label or language change never duplicates an event.
 */
export function createEventId(
  carrier: string,
  trackingNumber: string,
  draft: Pick<EventDraft, 'code' | 'occurredAt' | 'location'>,
): string {
  const key = [
    carrier,
    trackingNumber,
    draft.code,
    instantOf(draft.occurredAt),
    locationKey(draft.location),
  ].join('|')
  return `evt_${hash('sha256', key, 'base64url').slice(0, 22)}`
}

export function withEventId(carrier: string, trackingNumber: string, draft: EventDraft): TrackingEvent {
  const event: TrackingEvent = { id: '', ...draft }
  event.id = createEventId(carrier, trackingNumber, draft)
  return event
}
