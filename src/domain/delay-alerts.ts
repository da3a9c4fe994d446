import { ALERT_TYPES, type AlertType, type DelayAlert } from './alert.js'
import {
  addBusinessDays,
  addCalendarDays,
  atParisHour,
  type CalendarDate,
  type DayKind,
  type DeliveryDays,
  deliveryDayKindFor,
  endOfParisDay,
  parisDateOf,
  parisDateOfTimestamp,
} from './business-calendar.js'
import { calendarPostalCode } from './destination.js'
import { formatInZone, instantOf, PARIS } from './paris-time.js'
import type { TrackingRecord } from './tracking.js'
import type { TrackingEvent } from './tracking-event.js'
import { type EventStatus, isTerminalStatus } from './tracking-status.js'

export { ALERT_TYPES, type AlertType, type DelayAlert } from './alert.js'

export interface AlertPolicy {
  /** Business days (of `dayKind`) without a new carrier event before `stalled`. Default 3. */
  stalledBusinessDays: number
  /** Calendar days a pickup point keeps a parcel after the day it arrives: the carrier's hold days. */
  pickupHoldDays: number
  /**
   * Calendar days between the morning `pickup_expiring` opens and the last collection day. Default 2.
   */
  pickupNoticeDays: number
  dayKind: DayKind
}

/** What alerts need to know of a parcel's carrier; its adapter says it. */
export interface CarrierAlertFacts {
  id: string
  /**
   * Calendar days a pickup point keeps a parcel after the day it arrives: the last collection day is
   * the arrival's Paris date plus these.
   */
  pickupHoldDays: number
  deliveryDays: DeliveryDays
}

/** Per-carrier thresholds and per-service day kinds that replace the carrier's own, and the notice. */
export interface AlertPolicyOverrides {
  stalledBusinessDays?: Record<string, number>
  pickupHoldDays?: Record<string, number>
  pickupNoticeDays?: number
  dayKinds?: Record<string, DayKind>
}

const DEFAULT_STALLED_BUSINESS_DAYS = 3
const DEFAULT_PICKUP_NOTICE_DAYS = 2

export function alertPolicyFor(
  carrier: CarrierAlertFacts,
  service: string | undefined,
  overrides?: AlertPolicyOverrides,
): AlertPolicy {
  return {
    stalledBusinessDays: overrides?.stalledBusinessDays?.[carrier.id] ?? DEFAULT_STALLED_BUSINESS_DAYS,
    pickupHoldDays: overrides?.pickupHoldDays?.[carrier.id] ?? carrier.pickupHoldDays,
    pickupNoticeDays: overrides?.pickupNoticeDays ?? DEFAULT_PICKUP_NOTICE_DAYS,
    // Without a service, the carrier id stands for it, so that an override can name the carrier.
    dayKind: deliveryDayKindFor(service ?? carrier.id, carrier.deliveryDays, overrides?.dayKinds),
  }
}

export interface AlertInput {
  record: TrackingRecord
  events: TrackingEvent[]
  nowMs: number
  policy: AlertPolicy
  /** The delivery forecast worked out for this instant, when colis has one for the parcel. */
  forecast?: ForecastFacts
}

/** What alerts read of a parcel's delivery forecast. */
export interface ForecastFacts {
  window: { from: string; to: string; mostLikely: string }
  basis: { level: string; samples: number }
  /** P(delivered after the promised date); absent without a promise. */
  probabilityLate?: number
}

/** The forecast says late more likely than not: `at_risk` opens ("predictive delay"). */
const PREDICTED_LATE_OPENS = 0.5
/**
 * An open predictive `at_risk` stays open down to this: a probability wavering around one half from
 * day to day would otherwise open and resolve it again and again.
 */
const PREDICTED_LATE_HOLDS = 0.4

export type AlertConditions = ReadonlyMap<AlertType, Record<string, unknown>>

const STATUS_ALERTS = [
  ['exception', 'exception'],
  ['failed_attempt', 'failed_attempt'],
  ['returned', 'returned_to_sender'],
] as const satisfies ReadonlyArray<readonly [AlertType, EventStatus]>

function latestBy<T>(items: readonly T[], instant: (item: T) => number): T | undefined {
  let latest: T | undefined
  for (const item of items) if (latest === undefined || instant(item) >= instant(latest)) latest = item
  return latest
}

const eventInstant = (event: TrackingEvent) => instantOf(event.occurredAt)

/** When the parcel was last scanned, as given (registration time when never scanned). */
function lastScanAt(input: AlertInput): string {
  return latestBy(input.events, eventInstant)?.occurredAt ?? input.record.createdAt
}

/** Instant at which the parcel counts as stalled, or undefined when it cannot stall. */
function stalledDeadline(input: AlertInput): number | undefined {
  const { record, policy } = input
  if (isTerminalStatus(record.status, record.final ?? false)) return undefined
  // Waiting at a pickup point is the recipient's silence, not the carrier's: pickup_expiring covers it.
  if (record.status === 'available_for_pickup') return undefined
  const lastDay = parisDateOf(instantOf(lastScanAt(input)))
  return stalledAfter(lastDay, policy, calendarPostalCode(record))
}

const stalledAfterCache = new Map<string, number>()
const STALLED_AFTER_CACHE_LIMIT = 10_000

/**
 * End of the Paris day `stalledBusinessDays` business days after `lastDay`. Memoized: walking the
 * calendar is the costliest step of a poll's alert check, and parcels scanned the same day share it.
 */
function stalledAfter(lastDay: string, policy: AlertPolicy, postalCode: string | undefined): number {
  const key = `${lastDay}|${policy.stalledBusinessDays}|${policy.dayKind}|${postalCode ?? ''}`
  const cached = stalledAfterCache.get(key)
  if (cached !== undefined) return cached
  const deadline = endOfParisDay(
    addBusinessDays(lastDay, policy.stalledBusinessDays, policy.dayKind, postalCode),
  )
  if (stalledAfterCache.size >= STALLED_AFTER_CACHE_LIMIT) stalledAfterCache.clear()
  stalledAfterCache.set(key, deadline)
  return deadline
}

/**
 * Start of the current wait at a pickup point: the first pickup scan after the last other meaningful
 * scan; undefined when the timeline does not end at a pickup point.
 */
export function pickupWaitingSince(events: readonly TrackingEvent[]): string | undefined {
  const sorted = [...events].sort((a, b) => eventInstant(a) - eventInstant(b))
  let since: string | undefined
  for (const event of sorted) {
    if (event.status === 'available_for_pickup') since ??= event.occurredAt
    else if (event.status !== 'unknown') since = undefined
  }
  return since
}

/** The last Paris date a pickup point hands over a parcel that arrived at `waitingSince`. */
export function lastCollectionDayAfter(waitingSince: string, pickupHoldDays: number): CalendarDate {
  return addCalendarDays(parisDateOf(instantOf(waitingSince)), pickupHoldDays)
}

/** The morning hour at which a shopper is told to collect: early on a day they can still act on. */
const PICKUP_NOTICE_HOUR = 9

interface PickupDeadline {
  waitingSince: string
  /** The last Paris date the point hands the parcel over. */
  lastCollectionDay: CalendarDate
  opensAtMs: number
}

/**
 * The pickup point's last collection day and when `pickup_expiring` opens: in the morning (Paris),
 * `pickupNoticeDays` before that day, but never before the parcel arrived (a short hold warns at once).
 */
function pickupDeadline(input: AlertInput): PickupDeadline | undefined {
  if (input.record.status !== 'available_for_pickup') return undefined
  const { pickupHoldDays, pickupNoticeDays } = input.policy
  const waitingSince = pickupWaitingSince(input.events) ?? input.record.lastNewEventAt
  const arrivedAtMs = instantOf(waitingSince)
  const lastCollectionDay = lastCollectionDayAfter(waitingSince, pickupHoldDays)
  const noticeDay = addCalendarDays(lastCollectionDay, -pickupNoticeDays)
  const opensAtMs = Math.max(arrivedAtMs, atParisHour(noticeDay, PICKUP_NOTICE_HOUR))
  return { waitingSince, lastCollectionDay, opensAtMs }
}

function endOfPromisedDay(record: TrackingRecord): number | undefined {
  if (record.status === 'delivered' || !record.promisedDeliveryDate) return undefined
  const promised = parisDateOfTimestamp(record.promisedDeliveryDate)
  return promised === undefined ? undefined : endOfParisDay(promised)
}

function lateIsLikely(input: AlertInput): boolean {
  const probability = input.forecast?.probabilityLate
  if (probability === undefined) return false
  const open = input.record.alerts.some((alert) => alert.type === 'at_risk' && alert.resolvedAt === undefined)
  return probability > (open ? PREDICTED_LATE_HOLDS : PREDICTED_LATE_OPENS)
}

/** The alert types whose condition holds at `nowMs`, each with the facts that explain it. */
export function evaluateAlertConditions(input: AlertInput): Map<AlertType, Record<string, unknown>> {
  const { record, events, nowMs, policy } = input
  const conditions = new Map<AlertType, Record<string, unknown>>()
  const terminal = isTerminalStatus(record.status, record.final ?? false)

  const lateSinceMs = endOfPromisedDay(record)
  if (lateSinceMs !== undefined && nowMs >= lateSinceMs) {
    conditions.set('late', {
      promisedDeliveryDate: record.promisedDeliveryDate,
      lateSince: formatInZone(lateSinceMs, PARIS),
    })
  }

  const promised = record.promisedDeliveryDate && parisDateOfTimestamp(record.promisedDeliveryDate)
  const estimated = record.estimatedDelivery && parisDateOfTimestamp(record.estimatedDelivery)
  // Once terminal, the carrier's estimate is no longer a forecast.
  if (!terminal && promised && estimated && estimated > promised) {
    conditions.set('at_risk', {
      source: 'carrier_estimate',
      promisedDeliveryDate: record.promisedDeliveryDate,
      estimatedDelivery: record.estimatedDelivery,
    })
  } else if (!terminal && promised && lateIsLikely(input)) {
    const { window, basis, probabilityLate } = input.forecast ?? {}
    conditions.set('at_risk', {
      source: 'forecast',
      promisedDeliveryDate: record.promisedDeliveryDate,
      probabilityLate: Math.round((probabilityLate ?? 0) * 100) / 100,
      forecast: window,
      basis,
    })
  }

  const stalledAtMs = stalledDeadline(input)
  if (stalledAtMs !== undefined && nowMs >= stalledAtMs) {
    conditions.set('stalled', { lastEventAt: lastScanAt(input), businessDays: policy.stalledBusinessDays })
  }

  for (const [type, status] of STATUS_ALERTS) {
    if (record.status !== status) continue
    const cause = latestBy(
      events.filter((event) => event.status === status),
      eventInstant,
    )
    conditions.set(type, cause ? { eventId: cause.id, code: cause.code, description: cause.description } : {})
  }

  const pickup = pickupDeadline(input)
  if (pickup && nowMs >= pickup.opensAtMs) {
    conditions.set('pickup_expiring', {
      waitingSince: pickup.waitingSince,
      holdDays: policy.pickupHoldDays,
      lastCollectionDay: pickup.lastCollectionDay,
    })
  }
  return conditions
}

/**
 * Opens and resolves alerts so each opens once and resolves once. An open alert whose condition still
 * holds is left untouched (its details are not rewritten), so re-polls never repeat a notification.
 * A type whose last alert was resolved and whose condition holds again opens a NEW alert: a second
 * episode (a second stall, a second failed attempt) is news. `alerts` keeps the history, newest last.
 */
export function reconcileAlerts(
  current: readonly DelayAlert[],
  conditions: AlertConditions,
  nowIso: string,
  newId: (type: AlertType) => string,
): { alerts: DelayAlert[]; opened: DelayAlert[]; resolved: DelayAlert[] } {
  const openTypes = new Set<AlertType>()
  const resolved: DelayAlert[] = []
  const alerts = current.map((alert) => {
    if (alert.resolvedAt !== undefined) return alert
    // A second open alert of one type cannot come from here; should one exist, it is closed.
    if (conditions.has(alert.type) && !openTypes.has(alert.type)) {
      openTypes.add(alert.type)
      return alert
    }
    const closed = { ...alert, resolvedAt: nowIso }
    resolved.push(closed)
    return closed
  })
  const opened: DelayAlert[] = []
  for (const type of ALERT_TYPES) {
    const details = conditions.get(type)
    if (details === undefined || openTypes.has(type)) continue
    opened.push({ id: newId(type), type, openedAt: nowIso, details })
  }
  return { alerts: [...alerts, ...opened], opened, resolved }
}

/**
 * The earliest instant after `nowMs` at which a time-driven condition (late, stalled, pickup_expiring)
 * may change with no new event; undefined when nothing is pending.
 */
export function nextAlertCheckAt(input: AlertInput): number | undefined {
  // A forecast moves with the days gone too, but a parcel that may have one is still polled, and the
  // first poll of each Paris day works it out again (tracking-lifecycle.ts): it needs no check of its own.
  const candidates = [
    endOfPromisedDay(input.record),
    stalledDeadline(input),
    pickupDeadline(input)?.opensAtMs,
  ]
  let earliest: number | undefined
  for (const at of candidates) {
    if (at !== undefined && at > input.nowMs && (earliest === undefined || at < earliest)) earliest = at
  }
  return earliest
}
