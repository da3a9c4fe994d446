import {
  addCalendarDays,
  type CalendarDate,
  type DayKind,
  type DeliveryDays,
  deliveryDayKindFor,
  isBusinessDay,
  parisDateOf,
  parisDateOfTimestamp,
} from '../business-calendar.js'
import { pickupWaitingSince } from '../delay-alerts.js'
import { calendarPostalCode } from '../destination.js'
import { hasOffset, instantOf } from '../paris-time.js'
import { sortEvents } from '../timeline.js'
import type { TrackingRecord } from '../tracking.js'
import type { TrackingEvent } from '../tracking-event.js'
import { type EventStatus, isTerminalStatus } from '../tracking-status.js'
import { type AnalyticsCell, destinationCellOf, isoWeekOf } from './analytics-cell.js'
import type { Histogram } from './histogram.js'
import { reportingLagHistogram } from './reporting-lag.js'

export type { AnalyticsCell } from './analytics-cell.js'

export const PARCEL_OUTCOMES = ['delivered', 'returned', 'expired'] as const
export type ParcelOutcomeKind = (typeof PARCEL_OUTCOMES)[number]

/** What colis knows of the parcel's carrier and of its own polling, beside the record and its events. */
export interface OutcomeFacts {
  /** The carrier's delivery days; the service (else the carrier id) picks the day kind, as for alerts. */
  deliveryDays: DeliveryDays
  /** Per-service day kinds that replace the carrier's own (the alert policy's `dayKinds`). */
  dayKinds?: Record<string, DayKind>
}

/** One finished parcel's contribution to its cell. Durations in hours or business days, never negative. */
export interface ParcelMetrics {
  outcome: ParcelOutcomeKind
  /**
   * Delivered parcels only: business days of the carrier's day kind, on the French calendar of the
   * destination (its public holidays excluded), strictly between the Paris dates of handover and
   * delivery, plus one for the delivery day when it is a later date. Handed over Friday, delivered
   * Saturday by a Monday-to-Friday carrier: 1; handed over Friday before a Monday holiday, delivered
   * Tuesday: 1; delivered the day of the handover: 0.
   */
  transitBusinessDays?: number
  /** Delivered parcels only: hours from handover to delivery. */
  transitHours?: number
  /**
   * Hours from registration with colis to the handover; absent without a handover, and when the parcel
   * was registered after the carrier had it (it then says nothing about how soon the carrier took it).
   */
  firstScanLagHours?: number
  /**
   * Delivered parcels with a promise only: delivered (Paris date) no later than the promised date.
   * A returned or expired parcel is counted in its own rate, not as late.
   */
  onTime?: boolean
  /** Delivered, and no failed attempt was scanned before the delivery. False for the other outcomes. */
  firstAttemptSuccess: boolean
  /** Delivered, and the timeline before the delivery ends with the parcel waiting at a pickup point. */
  atPickupPoint: boolean
  /** At a pickup point only: hours from its arrival there (the current wait) to its collection. */
  collectionHours?: number
  /** The outcome is a return to the sender (the flag the return rate counts). */
  returned: boolean
  /** The carrier scanned an exception at least once. */
  exception: boolean
  /** A `stalled` alert was opened at least once. */
  stalled: boolean
  /**
   * Per event that occurred after registration: hours from the scan to colis storing it, as the polls
   * counted them on the record (`TrackingRecord.reportingLag`), each read to its bucket. Empty when none.
   */
  reportingLag: Histogram
}

export interface ParcelOutcome {
  cell: AnalyticsCell
  /** The first carrier scan, as the carrier wrote it; absent when the carrier never scanned the parcel. */
  handedOverAt?: string
  metrics: ParcelMetrics
}

/**
 * Statuses that do not prove the carrier holds the parcel: `info_received` is the label or the
 * pre-advice the shipper sends, `unknown` an unmapped code that could mean anything. Every other
 * status is a scan of the parcel itself.
 */
const NOT_A_HANDOVER: readonly EventStatus[] = ['info_received', 'unknown']

const HOUR_MS = 3_600_000

/** The handover: the first carrier scan of a sorted timeline (see NOT_A_HANDOVER); undefined before it. */
export function handoverOf(sorted: readonly TrackingEvent[]): string | undefined {
  return sorted.find((event) => !NOT_A_HANDOVER.includes(event.status))?.occurredAt
}

/** The outcome a record stands at; undefined while the parcel is not finished (see `parcelOutcome`). */
export function parcelOutcomeKind(record: TrackingRecord): ParcelOutcomeKind | undefined {
  const terminal =
    record.stopped === 'terminal' ||
    record.stopped === 'expired' ||
    isTerminalStatus(record.status, record.final === true)
  if (!terminal || record.stopped === 'invalid_number') return undefined
  if (record.status === 'delivered') return 'delivered'
  if (record.status === 'returned_to_sender') return 'returned'
  return record.status === 'expired' || record.stopped === 'expired' ? 'expired' : undefined
}

function hoursBetween(from: string, to: string): number {
  return (instantOf(to) - instantOf(from)) / HOUR_MS
}

/** See `ParcelMetrics.transitBusinessDays`. */
export function countTransitBusinessDays(
  handedOverOn: CalendarDate,
  deliveredOn: CalendarDate,
  kind: DayKind,
  postalCode: string | undefined,
): number {
  if (deliveredOn <= handedOverOn) return 0
  let days = 1
  for (let day = addCalendarDays(handedOverOn, 1); day < deliveredOn; day = addCalendarDays(day, 1)) {
    if (isBusinessDay(day, kind, postalCode)) days++
  }
  return days
}

function deliveryOf(record: TrackingRecord, sorted: readonly TrackingEvent[]): string | undefined {
  const scan = sorted.find((event) => event.status === 'delivered')?.occurredAt
  if (scan !== undefined) return scan
  return record.deliveredAt !== undefined && hasOffset(record.deliveredAt) ? record.deliveredAt : undefined
}

/**
 * What a parcel that reached its terminal state adds to its cell; undefined while it is not terminal
 * (and for a number the carrier rejected: that was never a parcel).
 */
export function parcelOutcome(
  record: TrackingRecord,
  events: readonly TrackingEvent[],
  facts: OutcomeFacts,
): ParcelOutcome | undefined {
  const outcome = parcelOutcomeKind(record)
  if (outcome === undefined) return undefined
  const sorted = sortEvents(events)
  const handedOverAt = handoverOf(sorted)
  const deliveredAt = outcome === 'delivered' ? deliveryOf(record, sorted) : undefined
  const beforeDelivery =
    deliveredAt === undefined
      ? []
      : sorted.filter(
          (event) => event.status !== 'delivered' && instantOf(event.occurredAt) <= instantOf(deliveredAt),
        )
  const waitingSince = deliveredAt === undefined ? undefined : pickupWaitingSince(beforeDelivery)
  const promised =
    record.promisedDeliveryDate === undefined ? undefined : parisDateOfTimestamp(record.promisedDeliveryDate)
  const firstScanLagHours =
    handedOverAt === undefined ? undefined : hoursBetween(record.createdAt, handedOverAt)

  const metrics: ParcelMetrics = {
    outcome,
    firstAttemptSuccess:
      deliveredAt !== undefined && !beforeDelivery.some((event) => event.status === 'failed_attempt'),
    atPickupPoint: waitingSince !== undefined,
    returned: outcome === 'returned',
    exception: sorted.some((event) => event.status === 'exception'),
    stalled: record.alerts.some((alert) => alert.type === 'stalled'),
    reportingLag: reportingLagHistogram(record.reportingLag),
  }
  if (firstScanLagHours !== undefined && firstScanLagHours >= 0) metrics.firstScanLagHours = firstScanLagHours
  if (deliveredAt !== undefined && handedOverAt !== undefined) {
    const kind = deliveryDayKindFor(record.service ?? record.carrier, facts.deliveryDays, facts.dayKinds)
    metrics.transitBusinessDays = countTransitBusinessDays(
      parisDateOf(instantOf(handedOverAt)),
      parisDateOf(instantOf(deliveredAt)),
      kind,
      calendarPostalCode(record),
    )
    metrics.transitHours = Math.max(0, hoursBetween(handedOverAt, deliveredAt))
  }
  if (deliveredAt !== undefined && promised !== undefined) {
    metrics.onTime = parisDateOf(instantOf(deliveredAt)) <= promised
  }
  if (deliveredAt !== undefined && waitingSince !== undefined) {
    metrics.collectionHours = Math.max(0, hoursBetween(waitingSince, deliveredAt))
  }

  const cell: AnalyticsCell = {
    merchantId: record.merchantId,
    carrier: record.carrier,
    service: record.service ?? record.product ?? '-',
    destination: destinationCellOf(record),
    week: isoWeekOf(parisDateOf(instantOf(handedOverAt ?? record.createdAt))),
  }
  return handedOverAt === undefined ? { cell, metrics } : { cell, handedOverAt, metrics }
}
