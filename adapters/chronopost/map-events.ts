import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { formatInZone, instantOf, normalizeCarrierTimestamp, PARIS } from '../../src/domain/paris-time.js'
import { sortEvents } from '../../src/domain/timeline.js'
import { type EventLocation, type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import type { Logger } from '../../src/logger.js'
import { statusOfCode } from '../code-table.js'
import { CarrierError, type UnknownCodeHook } from '../contract.js'
import {
  CHRONOPOST_STATUS_BY_CODE,
  type DeliveryEstimateRule,
  findDeliveryEstimateRule,
} from './event-codes.js'
import type { ChronopostEvent } from './raw-schema.js'

export const CHRONOPOST_CARRIER_ID = 'chronopost'

const DAY_MS = 24 * 3600 * 1000
const MONDAY = 1

/** One skybill's `trackSkybillV2` events as a snapshot, oldest first; throws only `unexpected_response`. */
export function mapChronopostEvents(
  skybillNumber: string,
  rawEvents: readonly ChronopostEvent[],
  logger: Logger,
  onUnknownCode?: UnknownCodeHook,
): CarrierSnapshot {
  // Chronopost lists events oldest first: a stable sort keeps same-instant scans in order.
  const events = dropRepeats(
    sortEvents(rawEvents.map((event) => mapChronopostEvent(skybillNumber, event, logger, onUnknownCode))),
  )
  const snapshot: CarrierSnapshot = {
    carrier: CHRONOPOST_CARRIER_ID,
    trackingNumber: skybillNumber,
    events,
    service: 'chronopost',
    final: events.some((event) => event.status === 'delivered' || event.status === 'returned_to_sender'),
  }
  const delivered = events.find((event) => event.status === 'delivered')
  if (delivered) snapshot.deliveredAt = delivered.occurredAt
  const estimatedDelivery = estimateDelivery(events)
  if (estimatedDelivery) snapshot.estimatedDelivery = estimatedDelivery
  return snapshot
}

function mapChronopostEvent(
  skybillNumber: string,
  event: ChronopostEvent,
  logger: Logger,
  onUnknownCode: UnknownCodeHook | undefined,
): TrackingEvent {
  // eventDate is an xs:dateTime with offset, kept as sent; an offset-less one is Paris wall clock
  // (docs/carriers/chronopost.md, "Dates").
  const occurredAt = normalizeCarrierTimestamp(event.eventDate)
  if (!occurredAt) {
    throw new CarrierError('unexpected_response', `Chronopost event ${event.code} has an unreadable date`)
  }
  const status = statusOfCode(
    CHRONOPOST_STATUS_BY_CODE,
    CHRONOPOST_CARRIER_ID,
    event.code,
    logger,
    onUnknownCode,
  )
  return withEventId(CHRONOPOST_CARRIER_ID, skybillNumber, {
    occurredAt,
    status,
    code: event.code,
    description: event.eventLabel ?? '',
    ...optionalFields(event),
  })
}

/** `officeLabel` is the depot or site, `zipCode` its postal code; Chronopost gives no country. */
function optionalFields(event: ChronopostEvent): Pick<TrackingEvent, 'location' | 'details'> {
  const fields: Pick<TrackingEvent, 'location' | 'details'> = {}
  const location: EventLocation = {}
  if (event.officeLabel) location.name = event.officeLabel
  if (event.zipCode) location.postalCode = event.zipCode
  if (location.name || location.postalCode) fields.location = location
  const details = new Map<string, string>()
  for (const { name, value } of event.infoCompList) {
    if (!name) continue
    const before = details.get(name)
    details.set(name, before === undefined ? (value ?? '') : `${before}; ${value ?? ''}`)
  }
  // fromEntries defines own properties: a pair named `__proto__` stays a plain key.
  if (details.size > 0) fields.details = Object.fromEntries(details)
  return fields
}

/**
 * The delivery date the latest IS/ZS ("livraison prévue lundi prochain") or "livraison reportée de 24h"
 * event announces, as `YYYY-MM-DD`: the first Monday strictly after the event's day in Europe/Paris (an IS
 * scanned on a Monday means the Monday after), or the day after the event's day. Later events without a
 * date of their own leave it as it is.
 */
function estimateDelivery(events: readonly TrackingEvent[]): string | undefined {
  for (const event of [...events].reverse()) {
    const rule = findDeliveryEstimateRule(event.code)
    if (rule) return addDaysToParisDate(event.occurredAt, rule)
  }
  return undefined
}

function addDaysToParisDate(occurredAt: string, rule: DeliveryEstimateRule): string {
  const [year, month, day] = formatInZone(instantOf(occurredAt), PARIS).slice(0, 10).split('-').map(Number)
  const date = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1)
  const weekday = new Date(date).getUTCDay()
  const days = rule === 'next_day' ? 1 : (MONDAY - weekday + 7) % 7 || 7
  return new Date(date + days * DAY_MS).toISOString().slice(0, 10)
}

/** The same scan sent twice has the same id; the store would keep one, so does the snapshot. */
function dropRepeats(events: readonly TrackingEvent[]): TrackingEvent[] {
  const seen = new Set<string>()
  return events.filter((event) => {
    if (seen.has(event.id)) return false
    seen.add(event.id)
    return true
  })
}
