import type { DelayAlert } from '../../domain/alert.js'
import { type CalendarDate, parisDateOf, parisDateOfTimestamp } from '../../domain/business-calendar.js'
import type { DeliveryWindow } from '../../domain/carrier-snapshot.js'
import { instantOf } from '../../domain/paris-time.js'
import type { TrackingRecord } from '../../domain/tracking.js'
import type { TrackingEvent } from '../../domain/tracking-event.js'
import type { EventStatus, TrackingStatus } from '../../domain/tracking-status.js'
import { shopperSafeText } from './personal-data.js'

/**
 * What a tracking page says, derived from the record and its events with no wording yet: the renderer
 * words it in the shopper's language.
 */

export type JourneyVariant = 'home' | 'pickup'
export type StepState = 'done' | 'current' | 'upcoming'
export type Headline = TrackingStatus | 'collected' | 'returning'

export interface Journey {
  variant: JourneyVariant
  /** One state per step of the variant: announced, in transit, out for delivery or at the point, the end. */
  steps: StepState[]
  /** The step the parcel is at (the last one once delivered). */
  current: number
  /** False once the parcel will move no further toward the shopper (returned, no longer followed). */
  progressing: boolean
  headline: Headline
}

const STEP_COUNT = 4
const LAST_STEP = STEP_COUNT - 1

/** The step each scan shows the parcel reached; a return, a delivery or an unknown code reach none. */
const STEP_OF_EVENT: Partial<Record<EventStatus, number>> = {
  info_received: 0,
  in_transit: 1,
  out_for_delivery: 2,
  failed_attempt: 2,
  available_for_pickup: 2,
}

const STEP_OF_STATUS: Partial<Record<TrackingStatus, number>> = {
  pending: 0,
  info_received: 0,
  in_transit: 1,
  out_for_delivery: 2,
  failed_attempt: 2,
  available_for_pickup: 2,
  delivered: LAST_STEP,
}

export function readJourney(record: TrackingRecord, events: readonly TrackingEvent[]): Journey {
  const variant: JourneyVariant =
    record.status === 'available_for_pickup' ||
    events.some((event) => event.status === 'available_for_pickup')
      ? 'pickup'
      : 'home'
  // A parcel halted for good (returned, in trouble, no longer followed) stays at the furthest step it reached.
  const current =
    STEP_OF_STATUS[record.status] ?? Math.max(0, ...events.map((event) => STEP_OF_EVENT[event.status] ?? 0))
  const steps = Array.from({ length: STEP_COUNT }, (_, index): StepState => {
    if (index < current || (index === LAST_STEP && record.status === 'delivered')) return 'done'
    return index === current ? 'current' : 'upcoming'
  })
  const progressing = record.status !== 'returned_to_sender' && record.status !== 'expired'
  return { variant, steps, current, progressing, headline: headlineOf(record, variant) }
}

function headlineOf(record: TrackingRecord, variant: JourneyVariant): Headline {
  if (record.status === 'delivered' && variant === 'pickup') return 'collected'
  if (record.status === 'returned_to_sender' && !record.final) return 'returning'
  return record.status
}

export interface DeliveryEstimate {
  /** The carrier's estimate, or the merchant's promise when the carrier gives none. */
  source: 'carrier' | 'promise'
  date: CalendarDate
  window?: DeliveryWindow
}

/** Statuses at which a delivery estimate no longer says anything. */
const ESTIMATE_MEANINGLESS: ReadonlySet<TrackingStatus> = new Set([
  'delivered',
  'returned_to_sender',
  'expired',
  'available_for_pickup',
])

/**
 * When the parcel should come: the carrier's booked window, else its estimated day, else the promised
 * day; an estimate whose day is already over (Paris) is stale and left out.
 */
export function readEstimate(record: TrackingRecord, nowMs: number): DeliveryEstimate | undefined {
  if (ESTIMATE_MEANINGLESS.has(record.status)) return undefined
  const today = parisDateOf(nowMs)
  const window = record.estimatedDeliveryWindow
  const windowDay = window && parisDateOfTimestamp(window.to)
  if (window && windowDay && windowDay >= today) return { source: 'carrier', date: windowDay, window }
  const estimated = record.estimatedDelivery && parisDateOfTimestamp(record.estimatedDelivery)
  if (estimated && estimated >= today) return { source: 'carrier', date: estimated }
  const promised = record.promisedDeliveryDate && parisDateOfTimestamp(record.promisedDeliveryDate)
  if (promised && promised >= today) return { source: 'promise', date: promised }
  return undefined
}

export type Notice =
  | { kind: 'failed_attempt'; reason?: string }
  | { kind: 'exception'; reason?: string }
  | { kind: 'returned' }
  | { kind: 'late'; promised?: CalendarDate; newEstimate?: DeliveryEstimate }
  | { kind: 'at_risk'; newEstimate: DeliveryEstimate }
  | { kind: 'stalled'; since?: CalendarDate }

/** Longest carrier wording a page shows; longer is cut. */
const MAX_WORDING_LENGTH = 140
const MAX_PLACE_LENGTH = 60

const isOpen = (alert: DelayAlert) => alert.resolvedAt === undefined

function openAlert(record: TrackingRecord, type: DelayAlert['type']): DelayAlert | undefined {
  return record.alerts.findLast((alert) => alert.type === type && isOpen(alert))
}

function latestOf(events: readonly TrackingEvent[], status: EventStatus): TrackingEvent | undefined {
  let latest: TrackingEvent | undefined
  for (const event of events) {
    if (event.status !== status) continue
    if (!latest || instantOf(event.occurredAt) >= instantOf(latest.occurredAt)) latest = event
  }
  return latest
}

function dateDetail(details: Record<string, unknown>, name: string): CalendarDate | undefined {
  const value = details[name]
  return typeof value === 'string' ? parisDateOfTimestamp(value) : undefined
}

/** Problems and delays, in the order a shopper should read them. */
export function readNotices(
  record: TrackingRecord,
  events: readonly TrackingEvent[],
  estimate: DeliveryEstimate | undefined,
): Notice[] {
  const notices: Notice[] = []
  const reasonOf = (status: EventStatus) =>
    shopperSafeText(latestOf(events, status)?.description, MAX_WORDING_LENGTH)
  if (record.status === 'failed_attempt')
    notices.push({ kind: 'failed_attempt', reason: reasonOf('failed_attempt') })
  if (record.status === 'exception') notices.push({ kind: 'exception', reason: reasonOf('exception') })
  if (record.status === 'returned_to_sender') notices.push({ kind: 'returned' })
  if (record.status === 'delivered' || record.status === 'returned_to_sender') return notices

  const promised = record.promisedDeliveryDate && parisDateOfTimestamp(record.promisedDeliveryDate)
  const later =
    estimate?.source === 'carrier' && (!promised || estimate.date > promised) ? estimate : undefined
  if (openAlert(record, 'late')) {
    notices.push({
      kind: 'late',
      ...(promised ? { promised } : {}),
      ...(later ? { newEstimate: later } : {}),
    })
  } else if (later && openAlert(record, 'at_risk')) {
    notices.push({ kind: 'at_risk', newEstimate: later })
  }
  const stalled = openAlert(record, 'stalled')
  if (stalled) {
    const since = dateDetail(stalled.details, 'lastEventAt')
    notices.push({ kind: 'stalled', ...(since ? { since } : {}) })
  }
  return notices
}

export interface PickupPoint {
  name?: string
  /** The point's postal code and town. */
  place?: string
  /** From the open `pickup_expiring` alert; unknown before it opens. */
  lastCollectionDay?: CalendarDate
}

/** Where the parcel waits, while it waits at a pickup point. */
export function readPickupPoint(
  record: TrackingRecord,
  events: readonly TrackingEvent[],
): PickupPoint | undefined {
  if (record.status !== 'available_for_pickup') return undefined
  const arrival = latestOf(events, 'available_for_pickup')
  const point: PickupPoint = {}
  const name =
    shopperSafeText(arrival?.location?.name, MAX_PLACE_LENGTH) ??
    shopperSafeText(arrival?.details?.pickupPoint, MAX_PLACE_LENGTH)
  if (name) point.name = name
  const place = shopperSafeText(
    [arrival?.location?.postalCode, arrival?.location?.city].filter(Boolean).join(' '),
    MAX_PLACE_LENGTH,
  )
  if (place) point.place = place
  const expiring = openAlert(record, 'pickup_expiring')
  const lastDay = expiring && dateDetail(expiring.details, 'lastCollectionDay')
  if (lastDay) point.lastCollectionDay = lastDay
  return point
}

/** When the parcel was delivered: the record's date, else its latest delivery scan. */
export function readDeliveredAtMs(
  record: TrackingRecord,
  events: readonly TrackingEvent[],
): number | undefined {
  if (record.status !== 'delivered') return undefined
  const at = record.deliveredAt ?? latestOf(events, 'delivered')?.occurredAt
  const instant = at === undefined ? Number.NaN : instantOf(at)
  return Number.isNaN(instant) ? undefined : instant
}

export interface TimelineRow {
  id: string
  instantMs: number
  status: EventStatus
  /** The carrier's own wording, when it carries nothing personal. */
  carrierWording?: string
  /** The scan's site and town; never its postal code, which may be the recipient's. */
  place?: string
}

/** The timeline a page shows, newest first, at most `limit` rows. */
export function readTimeline(events: readonly TrackingEvent[], limit: number): TimelineRow[] {
  return events
    .map((event) => ({ event, instantMs: instantOf(event.occurredAt) }))
    .filter(({ instantMs }) => !Number.isNaN(instantMs))
    .sort((a, b) => b.instantMs - a.instantMs)
    .slice(0, limit)
    .map(({ event, instantMs }) => {
      const row: TimelineRow = { id: event.id, instantMs, status: event.status }
      const wording = shopperSafeText(event.description, MAX_WORDING_LENGTH)
      if (wording) row.carrierWording = wording
      const place = placeOf(event)
      if (place) row.place = place
      return row
    })
}

function placeOf(event: TrackingEvent): string | undefined {
  const name = shopperSafeText(event.location?.name, MAX_PLACE_LENGTH)
  const city = shopperSafeText(event.location?.city, MAX_PLACE_LENGTH)
  if (name && city && name.toLowerCase().includes(city.toLowerCase())) return name
  return [name, city].filter(Boolean).join(', ') || undefined
}
