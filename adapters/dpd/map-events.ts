import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { dropRepeatedEvents, sortEvents } from '../../src/domain/timeline.js'
import { type EventLocation, type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import type { Logger } from '../../src/logger.js'
import { reportUnknownCode } from '../code-table.js'
import { CarrierError, type UnknownCodeHook } from '../contract.js'
import { deriveEventCode } from '../generic/map-events.js'
import type { DpdRawEvent } from './raw-schema.js'
import { readDpdDate, readDpdTimestamp } from './read-timestamp.js'
import { findDpdStatus, foldDpdWording } from './status-patterns.js'

export const DPD_CARRIER_ID = 'dpd'

/** "Agence DPD de La Crau (283)", "Centre de tri DPD de Le Coudray (175)": a town and a depot number. */
const DEPOT_PLACE = /^(?:agence|centre de tri|hub|plateforme)\b.*?\b(?:de|du|d')\s*(.+?)\s*\((\d+)\)$/iu

/**
 * One parcel's events as a snapshot, oldest first; throws only `unexpected_response` (an unreadable
 * date refuses the whole answer). The code is Webtrace_Service's `StatusNumber`, or on the page the
 * wording folded into a code (`VOTRE_COLIS_EST_LIVRE`); the status always comes from the wording.
 */
export function mapDpdEvents(
  trackingNumber: string,
  answer: { events: readonly DpdRawEvent[]; estimatedDelivery?: string },
  logger: Logger,
  onUnknownCode?: UnknownCodeHook,
): CarrierSnapshot {
  const events = dropRepeatedEvents(
    sortEvents(answer.events.map((event) => mapDpdEvent(trackingNumber, event, logger, onUnknownCode))),
  )
  const snapshot: CarrierSnapshot = {
    carrier: DPD_CARRIER_ID,
    trackingNumber,
    events,
    final: events.some((event) => event.status === 'delivered' || event.status === 'returned_to_sender'),
  }
  const delivered = events.find((event) => event.status === 'delivered')
  if (delivered) snapshot.deliveredAt = delivered.occurredAt
  // The Predict window is not attested in a captured answer: a date colis cannot read is left out.
  const estimate = answer.estimatedDelivery && readDpdDate(answer.estimatedDelivery)
  if (estimate) snapshot.estimatedDelivery = estimate
  return snapshot
}

function mapDpdEvent(
  trackingNumber: string,
  event: DpdRawEvent,
  logger: Logger,
  onUnknownCode: UnknownCodeHook | undefined,
): TrackingEvent {
  const occurredAt = readDpdTimestamp(event.date, event.time, event.epochSeconds)
  if (!occurredAt) {
    const when = `${event.date} ${event.time ?? ''}`.trim().slice(0, 40)
    throw new CarrierError('unexpected_response', `DPD event has an unreadable date "${when}"`)
  }
  const code = event.statusNumber ?? deriveEventCode(event.description)
  if (!code) throw new CarrierError('unexpected_response', 'DPD event has neither a code nor a wording')
  let status = findDpdStatus(event.description)
  if (!status) {
    reportUnknownCode(logger, DPD_CARRIER_ID, code, onUnknownCode)
    status = 'unknown'
  }
  const place = readPlace(event.place)
  const details = readDetails(event, place.depot)
  return withEventId(DPD_CARRIER_ID, trackingNumber, {
    occurredAt,
    status,
    code,
    description: event.description,
    ...(place.location ? { location: place.location } : {}),
    ...(details ? { details } : {}),
  })
}

/**
 * The place, with the town and depot number a DPD depot's name holds. The page's last cell of a
 * delivery reads "Livré au destinataire": a wording, not a place.
 */
function readPlace(place: string | undefined): { location?: EventLocation; depot?: string } {
  if (!place || foldDpdWording(place).startsWith('livre')) return {}
  const depot = DEPOT_PLACE.exec(place)
  return depot?.[1]
    ? { location: { name: place, city: depot[1] }, depot: depot[2] }
    : { location: { name: place } }
}

function readDetails(
  event: DpdRawEvent,
  depotOfPlace: string | undefined,
): Record<string, string> | undefined {
  const details: Record<string, string> = {}
  const depot = event.centerNumber ?? depotOfPlace
  if (depot) details.depot = depot
  if (event.pickupPoint?.id) details.pickupPointId = event.pickupPoint.id
  if (event.pickupPoint?.name) details.pickupPoint = event.pickupPoint.name
  return Object.keys(details).length > 0 ? details : undefined
}
