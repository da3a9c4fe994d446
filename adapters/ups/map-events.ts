import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { formatOffset, normalizeCarrierTimestamp } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus, dropRepeatedEvents, sortEvents } from '../../src/domain/timeline.js'
import { type EventLocation, type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import type { Logger } from '../../src/logger.js'
import { statusOfCode } from '../code-table.js'
import { CarrierError, type UnknownCodeHook } from '../contract.js'
import {
  ACCESS_POINT_AND_RETURN_ACTIVITIES,
  UPS_RETURN_COMPLETED_CODES,
  UPS_STATUS_BY_ACTIVITY,
  UPS_STATUS_BY_ACTIVITY_TYPE,
  UPS_STATUS_BY_STATUS_CODE,
} from './event-codes.js'
import type { UpsActivity, UpsPackage, UpsStatus } from './raw-schema.js'

export const UPS_CARRIER_ID = 'ups'

/** Every key an event's `code` can take; the tables' keys never collide (3 digits, `X/YY`, letters). */
export const UPS_STATUS_BY_CODE: Readonly<Record<string, EventStatus>> = {
  ...UPS_STATUS_BY_STATUS_CODE,
  ...ACCESS_POINT_AND_RETURN_ACTIVITIES,
  ...UPS_STATUS_BY_ACTIVITY,
  ...UPS_STATUS_BY_ACTIVITY_TYPE,
}

/** One UPS package as a snapshot, oldest event first; throws only `unexpected_response`. */
export function mapUpsPackage(
  trackingNumber: string,
  pkg: UpsPackage,
  logger: Logger,
  onUnknownCode?: UnknownCodeHook,
): CarrierSnapshot {
  // UPS lists activities newest first: reversing keeps same-instant scans in wire order.
  const wireOldestFirst = [...(pkg.activity ?? [])].reverse()
  const events = dropRepeatedEvents(
    sortEvents(
      wireOldestFirst.map((activity) => mapUpsActivity(trackingNumber, activity, logger, onUnknownCode)),
    ),
  )
  const status = deriveTrackingStatus(events)
  const snapshot: CarrierSnapshot = {
    carrier: UPS_CARRIER_ID,
    trackingNumber,
    events,
    final:
      status === 'delivered' ||
      (status === 'returned_to_sender' && events.some((event) => UPS_RETURN_COMPLETED_CODES.has(event.code))),
  }
  if (status === 'delivered') {
    const delivered = events.findLast((event) => event.status === 'delivered')
    if (delivered) snapshot.deliveredAt = delivered.occurredAt
  }
  const estimatedDelivery = readEstimatedDelivery(pkg)
  if (estimatedDelivery) snapshot.estimatedDelivery = estimatedDelivery
  if (pkg.service?.description) snapshot.product = pkg.service.description
  return snapshot
}

function mapUpsActivity(
  trackingNumber: string,
  activity: UpsActivity,
  logger: Logger,
  onUnknownCode: UnknownCodeHook | undefined,
): TrackingEvent {
  const raw: Partial<UpsStatus> = activity.status ?? {}
  const code = decideUpsCode(raw)
  if (code === undefined) {
    throw new CarrierError('unexpected_response', 'UPS activity has no type, code nor statusCode')
  }
  const occurredAt = readOccurredAt(activity)
  if (!occurredAt) {
    throw new CarrierError('unexpected_response', `UPS activity ${code} has an unreadable date or offset`)
  }
  const event: Omit<TrackingEvent, 'id'> = {
    occurredAt,
    status: statusOfCode(UPS_STATUS_BY_CODE, UPS_CARRIER_ID, code, logger, onUnknownCode),
    code,
    description: raw.description ?? '',
    details: rawCodes(raw),
  }
  const location = readLocation(activity)
  if (location) event.location = location
  return withEventId(UPS_CARRIER_ID, trackingNumber, event)
}

/**
 * The key that decides an activity's status (docs/carriers/ups.md, "Codes"): an Access Point or return
 * activity code, else the 3-digit statusCode, else the activity code of its type, else the type. A key
 * no table knows is kept as is (`170`, `Q/ZZ`) and becomes an `unknown` event.
 */
export function decideUpsCode(
  raw: Partial<Pick<UpsStatus, 'type' | 'code' | 'statusCode'>>,
): string | undefined {
  const { type, code, statusCode } = raw
  const activity = code === undefined ? undefined : `${type ?? ''}/${code}`
  if (activity !== undefined && Object.hasOwn(ACCESS_POINT_AND_RETURN_ACTIVITIES, activity)) return activity
  if (statusCode !== undefined) return /^\d{1,3}$/.test(statusCode) ? statusCode.padStart(3, '0') : statusCode
  if (activity !== undefined && Object.hasOwn(UPS_STATUS_BY_ACTIVITY, activity)) return activity
  if (type !== undefined && Object.hasOwn(UPS_STATUS_BY_ACTIVITY_TYPE, type)) return type
  return activity ?? type
}

/** UPS's own fields, kept so that the history can be read again whatever decided the status. */
function rawCodes({ type, code, statusCode }: Partial<UpsStatus>): Record<string, string> {
  const details: Record<string, string> = {}
  if (type !== undefined) details.type = type
  if (code !== undefined) details.code = code
  if (statusCode !== undefined) details.statusCode = statusCode
  return details
}

/**
 * `date` + `time` are the wall clock of the scan's place, `gmtOffset` that place's offset: kept as the
 * event's offset. Without it, the offset is what separates `gmtDate` + `gmtTime` (UTC) from the local
 * time; without either, the time is read as Europe/Paris wall clock (the project's rule for a carrier
 * time without offset). Undefined when a field is unreadable: the answer is refused, never half read.
 */
export function readOccurredAt(
  activity: Pick<UpsActivity, 'date' | 'time'> &
    Partial<Pick<UpsActivity, 'gmtDate' | 'gmtTime' | 'gmtOffset'>>,
): string | undefined {
  const local = toIsoLocal(activity.date, activity.time)
  if (local === undefined) return undefined
  const { gmtOffset, gmtDate, gmtTime } = activity
  if (gmtOffset !== undefined) {
    return OFFSET.test(gmtOffset) ? normalizeCarrierTimestamp(`${local}${gmtOffset}`) : undefined
  }
  if (gmtDate !== undefined && gmtTime !== undefined) {
    const utc = toIsoLocal(gmtDate, gmtTime)
    if (utc === undefined || !normalizeCarrierTimestamp(`${utc}Z`)) return undefined
    const offsetMinutes = (Date.parse(`${local}Z`) - Date.parse(`${utc}Z`)) / 60_000
    return Number.isInteger(offsetMinutes)
      ? normalizeCarrierTimestamp(`${local}${formatOffset(offsetMinutes)}`)
      : undefined
  }
  return normalizeCarrierTimestamp(local)
}

/** `-05:00`, `+0530` or `Z`; the domain checks it stays within ±18 h. */
const OFFSET = /^(Z|[+-]\d{2}:?\d{2})$/i

/**
 * `YYYYMMDD` + `HHMMSS` as `YYYY-MM-DDTHH:MM:SS`, not yet checked as a real date (the domain's reader
 * does). UPS drops the leading zero of some times: `74700` is 07:47:00.
 */
function toIsoLocal(date: string, time: string): string | undefined {
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(date)
  const clock = /^(\d{2})(\d{2})(\d{2})$/.exec(time.length === 5 ? `0${time}` : time)
  if (!day || !clock) return undefined
  return `${day[1]}-${day[2]}-${day[3]}T${clock[1]}:${clock[2]}:${clock[3]}`
}

/**
 * The scan's town, postal code and country. Address lines are never read: at a delivery they would
 * be the recipient's street.
 */
function readLocation(activity: UpsActivity): EventLocation | undefined {
  const address = activity.location?.address
  if (!address) return undefined
  const location: EventLocation = {}
  if (address.city) location.city = address.city
  if (address.postalCode) location.postalCode = address.postalCode
  const country = address.countryCode ?? address.country
  if (country && /^[A-Za-z]{2}$/.test(country)) location.countryCode = country.toUpperCase()
  return Object.keys(location).length > 0 ? location : undefined
}

/**
 * The day UPS now expects: a rescheduled date (`RDD`) before the scheduled one (`SDD`). A date that
 * is no `YYYYMMDD` is ignored: an estimate is not worth refusing the history for.
 */
function readEstimatedDelivery(pkg: UpsPackage): string | undefined {
  const dates = pkg.deliveryDate ?? []
  for (const type of ['RDD', 'SDD']) {
    const raw = dates.find((entry) => entry.type === type)?.date
    const day = raw === undefined ? undefined : toIsoLocal(raw, '000000')
    if (day !== undefined && normalizeCarrierTimestamp(`${day}Z`)) return day.slice(0, 10)
  }
  return undefined
}
