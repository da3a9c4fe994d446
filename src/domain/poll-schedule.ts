import { type DayKind, isBusinessDay } from './business-calendar.js'
import { offsetMinutesAt, resolveWallClock } from './paris-time.js'
import type { TrackingStatus } from './tracking-status.js'

/** A delay drawn between two bounds, in ms (a POLL_* setting such as `2h-4h`). */
export interface DurationRange {
  minMs: number
  maxMs: number
}

/** Minutes of the Europe/Paris day, `endMinute` excluded (1440 is midnight at the end of the day). */
export interface ClockRange {
  startMinute: number
  endMinute: number
}

/**
 * When carriers scan, so that colis polls when something can happen (POLL_SCAN_*, POLL_ROUND_*).
 * Times are Europe/Paris wall-clock: the French carriers' day, DST included.
 */
export interface PollCalendar {
  /** Hours carriers scan in: a poll that would fall outside them is moved to the next start. */
  scanHours: ClockRange
  /** Days carriers scan on (public holidays excluded), or `all`. */
  scanDays: DayKind | 'all'
  /** Hours delivery rounds leave in: when in_transit parcels turn out_for_delivery. */
  roundHours: ClockRange
  /** in_transit cadence during `roundHours` (the rest of the scan day uses `inTransit`). */
  inTransitRound: DurationRange
}

/** How often to poll, by stage. Values come from config (POLL_*), never from constants in code. */
export interface PollPolicy {
  pending: DurationRange
  infoReceived: DurationRange
  inTransit: DurationRange
  nearDelivery: DurationRange
  exception: DurationRange
  retry: DurationRange
  expireAfterMs: number
  /** Time-of-day rules (POLL_CALENDAR=on), used when the caller gives the current time. */
  calendar?: PollCalendar
}

export interface PollState {
  status: TrackingStatus
  /** Consecutive polls that found nothing at the carrier yet. */
  notFoundCount: number
  /** Consecutive failed polls (carrier down, unexpected answer). */
  failureCount: number
  /** The carrier's delivery estimate (ISO date or date-time), when it gives one. */
  estimatedDelivery?: string
}

export type Random = () => number

function pick(range: DurationRange, random: Random): number {
  return range.minMs + (range.maxMs - range.minMs) * random()
}

/**
 * Doubles from `min` per step up to `max`, with ±20 % jitter so that parcels registered together spread
 * out; the jitter never leaves the configured range (POLL_PENDING=30m must not poll after 24 min).
 */
function backoff(range: DurationRange, step: number, random: Random): number {
  const base = Math.min(range.maxMs, range.minMs * 2 ** Math.min(step, 30))
  return Math.min(range.maxMs, Math.max(range.minMs, base * (0.8 + 0.4 * random())))
}

function stageDelay(state: PollState, policy: PollPolicy, random: Random): number {
  switch (state.status) {
    case 'pending':
      return backoff(policy.pending, Math.max(0, state.notFoundCount - 1), random)
    case 'info_received':
      return pick(policy.infoReceived, random)
    case 'in_transit':
      return pick(policy.inTransit, random)
    case 'out_for_delivery':
    case 'failed_attempt':
    case 'available_for_pickup':
      return pick(policy.nearDelivery, random)
    case 'exception':
      return pick(policy.exception, random)
    default:
      return pick(policy.inTransit, random)
  }
}

/**
 * Delay before the next poll, in ms of the carrier's clock (a simulated carrier runs faster: see `timeScale`).
 *
 * With `nowMs` (the carrier's current time) the delay also follows the policy's calendar: a poll that
 * would fall outside the scan hours or on a day without scans waits for the next scan day's start
 * (a random point of the stage's delay after it, so the morning does not start with one burst);
 * in_transit parcels wait for the delivery round instead, and are polled every `inTransitRound` during
 * it, when they leave for delivery — unless the carrier's estimate names a later day: those keep the plain
 * in_transit cadence within scan hours, so the round's budget goes to the parcels that can leave today;
 * for the same reason the other stages (out_for_delivery excepted) skip the round and resume after it.
 * Without `nowMs` or without a calendar in the policy, the stage delays alone (a simulated carrier's scaled clock).
 * Retries after a failed poll and pending parcels' backoff never follow the calendar: neither a carrier
 * outage nor the sender's label data reaching the carrier is tied to scan hours.
 */
export function nextPollDelayMs(
  state: PollState,
  policy: PollPolicy,
  random: Random = Math.random,
  nowMs?: number,
): number {
  if (state.failureCount > 0) return backoff(policy.retry, state.failureCount - 1, random)
  const calendar = policy.calendar
  if (nowMs === undefined || calendar === undefined) return stageDelay(state, policy, random)
  if (state.status === 'pending') {
    // The sender's label data reaches the carrier at any hour: no scan hours, only the rounds' budget.
    const stage = stageDelay(state, policy, random)
    return afterRound(nowMs, stage, calendar)
  }
  const today = parisDayOf(nowMs).dayNumber
  if (state.status === 'in_transit') {
    // A carrier estimate of a later day says today's round will not take it: one look at the round's
    // start (the arrival scan at the delivery site would correct the estimate), then after the round.
    const leavesLater = estimatedDayOf(state.estimatedDelivery) > today
    return inTransitDelay(state, policy, calendar, nowMs, today, leavesLater, random)
  }
  const stage = stageDelay(state, policy, random)
  const delay = withinScanHours(nowMs, stage, calendar, calendar.scanHours, stage, random)
  return state.status === 'out_for_delivery' ? delay : afterRound(nowMs, delay, calendar)
}

/** in_transit: polled through the delivery round, when parcels leave for delivery; waiting for it otherwise. */
function inTransitDelay(
  state: PollState,
  policy: PollPolicy,
  calendar: PollCalendar,
  nowMs: number,
  today: number,
  leavesLater: boolean,
  random: Random,
): number {
  const roundStart = wallClockInstant(today, calendar.roundHours.startMinute)
  const roundEnd = wallClockInstant(today, calendar.roundHours.endMinute)
  const scanDay = isScanDay(today, calendar.scanDays)
  const inRound = scanDay && nowMs >= roundStart && nowMs < roundEnd
  const roundSpread = calendar.inTransitRound.maxMs
  let delay: number
  if (leavesLater) {
    // Looked at once per scan day, early in the round: enough to see the estimate move or the parcel arrive.
    const nextRound =
      nowMs < roundStart && scanDay ? roundStart : nextOpening(roundEnd + 1, calendar, calendar.roundHours)
    return nextRound - nowMs + roundSpread * random()
  } else {
    delay = inRound ? pick(calendar.inTransitRound, random) : stageDelay(state, policy, random)
    if (scanDay && nowMs < roundStart && nowMs + delay > roundStart) {
      return roundStart - nowMs + roundSpread * random()
    }
  }
  return withinScanHours(nowMs, delay, calendar, calendar.roundHours, roundSpread, random)
}

/** A poll that would fall outside the scan hours waits for the next `wakeHours` start, spread after it. */
function withinScanHours(
  nowMs: number,
  delayMs: number,
  calendar: PollCalendar,
  wakeHours: ClockRange,
  spreadMs: number,
  random: Random,
): number {
  if (isOpen(nowMs + delayMs, calendar)) return delayMs
  return nextOpening(nowMs + delayMs, calendar, wakeHours) - nowMs + spreadMs * random()
}

/** True when colis has seen no new event for `expireAfterMs`, counted from registration at the earliest. */
export function isExpired(
  lastNewEventAtMs: number,
  nowMs: number,
  policy: PollPolicy,
  timeScale = 1,
): boolean {
  return nowMs - lastNewEventAtMs >= policy.expireAfterMs / timeScale
}

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000
/** Bounds the caches below: a worker polls around "now", so a few days' worth is all it needs. */
const CACHE_LIMIT = 4096

interface ParisDay {
  /** Days since 1970-01-01 of the Paris calendar date. */
  dayNumber: number
  /** Minutes since the Paris midnight of that date (wall-clock). */
  minute: number
}

const offsetByHour = new Map<number, number>()

/** Paris offsets change on whole UTC hours only: one lookup per hour, not per poll. */
function parisOffsetMinutes(instantMs: number): number {
  const hour = Math.floor(instantMs / HOUR_MS)
  let offset = offsetByHour.get(hour)
  if (offset === undefined) {
    if (offsetByHour.size >= CACHE_LIMIT) offsetByHour.clear()
    offset = offsetMinutesAt(hour * HOUR_MS)
    offsetByHour.set(hour, offset)
  }
  return offset
}

/** The Paris day of a carrier estimate; -Infinity when there is none or it cannot be read. */
function estimatedDayOf(estimate: string | undefined): number {
  if (!estimate) return Number.NEGATIVE_INFINITY
  // A bare date is a Paris calendar date; read at noon so that no offset moves it to another day.
  const instant = Date.parse(estimate.length === 10 ? `${estimate}T12:00:00Z` : estimate)
  return Number.isNaN(instant) ? Number.NEGATIVE_INFINITY : parisDayOf(instant).dayNumber
}

function parisDayOf(instantMs: number): ParisDay {
  const local = instantMs + parisOffsetMinutes(instantMs) * 60_000
  const dayNumber = Math.floor(local / DAY_MS)
  return { dayNumber, minute: (local - dayNumber * DAY_MS) / 60_000 }
}

const scanDayCache = new Map<string, boolean>()

function isScanDay(dayNumber: number, kind: DayKind | 'all'): boolean {
  if (kind === 'all') return true
  const key = `${dayNumber}|${kind}`
  let open = scanDayCache.get(key)
  if (open === undefined) {
    if (scanDayCache.size >= CACHE_LIMIT) scanDayCache.clear()
    open = isBusinessDay(new Date(dayNumber * DAY_MS).toISOString().slice(0, 10), kind)
    scanDayCache.set(key, open)
  }
  return open
}

const wallClockCache = new Map<number, number>()

/** The instant of `minute` (0–1440) of a Paris day; DST days resolved as resolveWallClock does. */
function wallClockInstant(dayNumber: number, minute: number): number {
  const key = dayNumber * 1441 + minute
  let instant = wallClockCache.get(key)
  if (instant === undefined) {
    if (wallClockCache.size >= CACHE_LIMIT) wallClockCache.clear()
    const date = new Date((dayNumber + Math.floor(minute / 1440)) * DAY_MS)
    const rest = minute % 1440
    instant = resolveWallClock({
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: Math.floor(rest / 60),
      minute: rest % 60,
    })
    wallClockCache.set(key, instant)
  }
  return instant
}

/**
 * Moves a poll that would fall in a delivery round to after it, by the round's length: the round's budget
 * is for the parcels that can leave for delivery or be delivered in it, and the moved polls keep their
 * spread (no burst at the round's end to delay those parcels' next polls).
 */
function afterRound(nowMs: number, delayMs: number, calendar: PollCalendar): number {
  const { dayNumber, minute } = parisDayOf(nowMs + delayMs)
  const { startMinute, endMinute } = calendar.roundHours
  if (minute < startMinute || minute >= endMinute || !isScanDay(dayNumber, calendar.scanDays)) return delayMs
  return delayMs + (endMinute - startMinute) * 60_000
}

function isOpen(instantMs: number, calendar: PollCalendar): boolean {
  const { dayNumber, minute } = parisDayOf(instantMs)
  const { startMinute, endMinute } = calendar.scanHours
  return minute >= startMinute && minute < endMinute && isScanDay(dayNumber, calendar.scanDays)
}

/** The first start of `hours` on a scan day at or after `instantMs` (searches a year ahead at most). */
function nextOpening(instantMs: number, calendar: PollCalendar, hours: ClockRange): number {
  const { dayNumber } = parisDayOf(instantMs)
  for (let day = dayNumber; day <= dayNumber + 366; day++) {
    if (!isScanDay(day, calendar.scanDays)) continue
    const start = wallClockInstant(day, hours.startMinute)
    if (start >= instantMs) return start
  }
  return instantMs
}
