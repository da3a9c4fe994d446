import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { normalizeCarrierTimestamp } from '../../src/domain/paris-time.js'
import { dropRepeatedEvents, sortEvents } from '../../src/domain/timeline.js'
import {
  createEventId,
  type EventDraft,
  type EventLocation,
  type TrackingEvent,
} from '../../src/domain/tracking-event.js'
import type { Logger } from '../../src/logger.js'
import { statusOfCode } from '../code-table.js'
import { CarrierError, type UnknownCodeHook } from '../contract.js'
import { estimateDelivery } from './delivery-estimate.js'
import { CHRONOPOST_RESUMES_ONLY_CODES, CHRONOPOST_STATUS_BY_CODE } from './event-codes.js'
import type { ChronopostEvent } from './raw-schema.js'

export const CHRONOPOST_CARRIER_ID = 'chronopost'

/** The `infoCompList` pair that names where a scan happened when the office is a service (French answers). */
export const SCAN_PLACE = 'Lieu'

/**
 * Office labels that name one of Chronopost's services, not a place: the shipper's labelling system on
 * preparation scans, the notification service, the partner network abroad. Compared trimmed, spaces
 * collapsed, lower case, with typographic apostrophes as `'`.
 */
const SERVICE_OFFICE_LABELS: ReadonlySet<string> = new Set([
  'web services',
  "service d'avisage",
  'chronopost networks',
])

/** One skybill's `trackSkybillV2` events as a snapshot, oldest first; throws only `unexpected_response`. */
export function mapChronopostEvents(
  skybillNumber: string,
  rawEvents: readonly ChronopostEvent[],
  logger: Logger,
  onUnknownCode?: UnknownCodeHook,
): CarrierSnapshot {
  // Chronopost lists events oldest first: a stable sort keeps same-instant scans in order.
  const events = dropRepeatedEvents(
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
  const estimate = estimateDelivery(events)
  if (estimate) Object.assign(snapshot, estimate)
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
  const details = readDetails(event)
  const location = readPlace(event, details)
  const draft: EventDraft = {
    occurredAt,
    status,
    code: event.code,
    description: event.eventLabel ?? '',
    ...(location ? { location } : {}),
    ...(details ? { details } : {}),
    ...(CHRONOPOST_RESUMES_ONLY_CODES.has(event.code) ? { resumesOnly: true as const } : {}),
  }
  // The identity keeps the office as sent: timelines stored while a service name was shown as the
  // place keep their scans, rather than getting each one again under the place now shown.
  const id = createEventId(CHRONOPOST_CARRIER_ID, skybillNumber, {
    code: event.code,
    occurredAt,
    location: officeAsSent(event),
  })
  return { id, ...draft }
}

/**
 * Where the scan happened: the `Lieu` pair when there is one (a partner's depot abroad, "Vijfhuizen - NL
 * (depot 0516)"), else `officeLabel` — the depot or site, with `zipCode` its postal code — unless it names
 * a service. Chronopost gives no country.
 */
function readPlace(
  event: ChronopostEvent,
  details: Record<string, string> | undefined,
): EventLocation | undefined {
  const place = details?.[SCAN_PLACE]?.trim()
  if (place) return { name: place }
  const location: EventLocation = {}
  if (event.officeLabel && !isServiceName(event.officeLabel)) location.name = event.officeLabel
  if (event.zipCode) location.postalCode = event.zipCode
  return location.name || location.postalCode ? location : undefined
}

function isServiceName(officeLabel: string): boolean {
  const key = officeLabel.replace(/\s+/g, ' ').trim().replace(/[’‘]/g, "'").toLowerCase()
  return SERVICE_OFFICE_LABELS.has(key)
}

function officeAsSent(event: ChronopostEvent): EventLocation | undefined {
  if (!event.officeLabel && !event.zipCode) return undefined
  return {
    ...(event.officeLabel ? { name: event.officeLabel } : {}),
    ...(event.zipCode ? { postalCode: event.zipCode } : {}),
  }
}

/** Every `infoCompList` pair, by name. */
function readDetails(event: ChronopostEvent): Record<string, string> | undefined {
  const details = new Map<string, string>()
  for (const { name, value } of event.infoCompList) {
    if (!name) continue
    const before = details.get(name)
    details.set(name, before === undefined ? (value ?? '') : `${before}; ${value ?? ''}`)
  }
  // fromEntries defines own properties: a pair named `__proto__` stays a plain key.
  return details.size > 0 ? Object.fromEntries(details) : undefined
}
