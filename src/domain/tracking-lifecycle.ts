import { addReportingLags } from './analytics/reporting-lag.js'
import { parisDateOf } from './business-calendar.js'
import type { CarrierErrorKind } from './carrier-error-kind.js'
import { type CarrierSnapshot, snapshotDigest } from './carrier-snapshot.js'
import type { AlertPolicy } from './delay-alerts.js'
import type { ForecastModel } from './forecast/forecast-model.js'
import { mayForecast } from './forecast/tracking-forecast.js'
import { isExpired, nextPollDelayMs, type PollPolicy, type Random } from './poll-schedule.js'
import { deriveTrackingStatus, mergeTimeline } from './timeline.js'
import type { TrackingRecord } from './tracking.js'
import type { TrackingEvent } from './tracking-event.js'
import {
  type DraftChange,
  type NextPoll,
  type StoredTracking,
  type TrackingChange,
  withAlertsAndNotifications,
} from './tracking-notifications.js'
import { type EventStatus, isTerminalStatus } from './tracking-status.js'
import type { TrackingViewOptions } from './tracking-view.js'

export type {
  AlertsChange,
  NextPoll,
  StoredTracking,
  TrackingChange,
  TrackingNotification,
} from './tracking-notifications.js'

/** Why the carrier gave no timeline for a parcel (`CarrierError` of the adapters has this shape). */
export interface CarrierFailure {
  kind: CarrierErrorKind
  message: string
  /** With `rate_limited`: how long the carrier asked us to wait, in ms. */
  retryAfterMs?: number
}

/** What one poll of one parcel got: its whole current history, or why there is none. */
export type CarrierOutcome = CarrierSnapshot | CarrierFailure

/**
 * What each carrier failure writes on its tracking, decided here and nowhere else (what it does to
 * the poll job is workers/carrier-error-outcome.ts's). `not_found`: not scanned yet, poll again with
 * the pending backoff; `stop`: never poll again; `retry`: keep the last good timeline, record
 * `lastError`, poll again with the retry backoff; `untouched`: only the poll is recorded.
 */
export const TRACKING_OUTCOME_BY_KIND = {
  not_found: 'not_found',
  invalid_number: 'stop',
  rate_limited: 'untouched',
  unavailable: 'retry',
  unexpected_response: 'retry',
  unauthorized: 'retry',
} as const satisfies Record<CarrierErrorKind, 'not_found' | 'stop' | 'retry' | 'untouched'>

/** Floor between two polls of one parcel, whatever the policy and time scale say. */
const MIN_POLL_GAP_MS = 100

export interface PollContext {
  now: Date
  policy: PollPolicy
  /** The alert rules of this tracking (hold days and delivery days depend on its carrier). */
  alertPolicy: AlertPolicy
  /** The carrier's clock speed: a simulated carrier plays hours in seconds, so its cadence is divided too. */
  timeScale: number
  random?: Random
  newAlertId?: () => string
  /** How its notifications show the tracking (the merchant's withdrawal period). */
  viewOptions?: TrackingViewOptions
  /** The delivery forecast model in memory: notifications then carry the forecast, alerts read it. */
  forecastModel?: ForecastModel
}

/**
 * The lifecycle of a tracking after a poll: the stored tracking and what the carrier answered give the
 * one change to save (record, new events, status, next poll, alerts, notifications). Pure.
 */
export function applyPollOutcome<S extends StoredTracking>(
  stored: S,
  outcome: CarrierOutcome,
  ctx: PollContext,
): TrackingChange<S> {
  if ('events' in outcome) {
    const digest = snapshotDigest(outcome)
    const unchanged = digest === stored.record.snapshotDigest ? applySameAnswer(stored, ctx) : undefined
    if (unchanged) return unchanged
    return settle(applySnapshot(stored, outcome, digest, ctx), ctx)
  }
  return settle(applyFailure(stored, outcome, ctx), ctx)
}

/** The lifecycle of a tracking as time passes without a poll (the alert sweep): alerts only. */
export function applyTimePassing<S extends StoredTracking>(
  stored: S,
  ctx: {
    nowMs: number
    alertPolicy: AlertPolicy
    newAlertId?: () => string
    viewOptions?: TrackingViewOptions
    forecastModel?: ForecastModel
  },
): TrackingChange<S> {
  return withAlertsAndNotifications(
    { before: stored, record: stored.record },
    {
      nowMs: ctx.nowMs,
      policy: ctx.alertPolicy,
      newAlertId: ctx.newAlertId,
      viewOptions: ctx.viewOptions,
      forecastModel: ctx.forecastModel,
    },
  )
}

function settle<S extends StoredTracking>(draft: DraftChange<S>, ctx: PollContext): TrackingChange<S> {
  return withAlertsAndNotifications(draft, {
    nowMs: ctx.now.getTime(),
    policy: ctx.alertPolicy,
    newAlertId: ctx.newAlertId,
    viewOptions: ctx.viewOptions,
    forecastModel: ctx.forecastModel,
  })
}

function applySnapshot<S extends StoredTracking>(
  stored: S,
  snapshot: CarrierSnapshot,
  digest: string,
  ctx: PollContext,
): DraftChange<S> {
  const nowIso = ctx.now.toISOString()
  const { events, added } = mergeTimeline(stored.events, snapshot.events)
  const status = deriveTrackingStatus(events)
  const lastDelivery = events.findLast((event) => event.status === 'delivered')
  const changed = added.length > 0 || status !== stored.record.status
  // Object.assign, not a spread: a spread then given new keys gets an object shape of its own each time
  // (slower, and garbage), while assigning into `{}` reuses one.
  const record: TrackingRecord = Object.assign({}, stored.record, {
    status,
    final: snapshot.final ?? stored.record.final,
    service: snapshot.service ?? stored.record.service,
    product: snapshot.product ?? stored.record.product,
    estimatedDelivery: snapshot.estimatedDelivery ?? stored.record.estimatedDelivery,
    // A window belongs to the estimate it came with: a new estimate without one ends the old window.
    estimatedDeliveryWindow:
      snapshot.estimatedDelivery === undefined && snapshot.estimatedDeliveryWindow === undefined
        ? stored.record.estimatedDeliveryWindow
        : snapshot.estimatedDeliveryWindow,
    deliveredAt: status === 'delivered' ? (snapshot.deliveredAt ?? lastDelivery?.occurredAt) : undefined,
    lastCheckedAt: nowIso,
    lastError: undefined,
    stopped: undefined,
    notFoundCount: 0,
    failureCount: 0,
    lastNewEventAt: added.length > 0 ? nowIso : stored.record.lastNewEventAt,
    reportingLag:
      added.length > 0
        ? addReportingLags(stored.record.reportingLag, stored.record.createdAt, added, ctx.now.getTime())
        : stored.record.reportingLag,
    updatedAt: changed ? nowIso : stored.record.updatedAt,
    snapshotDigest: digest,
  })
  return schedule(stored, record, ctx, added.length > 0 ? events : undefined)
}

/**
 * The carrier gave the answer it gave last time (most polls of a parcel in transit): the timeline, the
 * status and everything alerts depend on stay as they are, so the timeline is not even decoded; only
 * the poll is recorded and the next one scheduled, and the alerts are left to the sweep. Undefined when
 * something else changes anyway (an error to clear, or the parcel expiring now): the whole path then runs.
 * With a forecast model, the first such poll of a Paris day settles alerts and notifications too.
 */
function applySameAnswer<S extends StoredTracking>(
  stored: S,
  ctx: PollContext,
): TrackingChange<S> | undefined {
  const before = stored.record
  if (before.lastError || before.failureCount > 0 || before.notFoundCount > 0) return undefined
  const record: TrackingRecord = Object.assign({}, before, { lastCheckedAt: ctx.now.toISOString() })
  const draft = schedule(stored, record, ctx)
  if (record.status !== before.status || record.stopped) return undefined
  if (forecastMayHaveMoved(before, ctx)) return settle(draft, ctx)
  return Object.assign(draft, { newEvents: [], notifications: [] })
}

/**
 * A forecast is conditioned on the days already gone, so it moves with the date even when the carrier
 * says nothing new. A parcel that may have one is polled through its days on the way, so the first poll
 * of each Paris day works it out again (its window, and the predictive `at_risk` it drives) instead of an
 * alert check of its own; later polls that day would find the same.
 */
function forecastMayHaveMoved(before: TrackingRecord, ctx: PollContext): boolean {
  if (ctx.forecastModel === undefined || !mayForecast(before)) return false
  if (before.lastCheckedAt === undefined) return true
  return parisDateOf(Date.parse(before.lastCheckedAt)) !== parisDateOf(ctx.now.getTime())
}

function applyFailure<S extends StoredTracking>(
  stored: S,
  failure: CarrierFailure,
  ctx: PollContext,
): DraftChange<S> {
  const nowIso = ctx.now.toISOString()
  const record: TrackingRecord = Object.assign({}, stored.record, { lastCheckedAt: nowIso })
  const lastError = { kind: failure.kind, message: failure.message, at: nowIso }
  switch (TRACKING_OUTCOME_BY_KIND[failure.kind]) {
    case 'not_found':
      Object.assign(record, {
        notFoundCount: record.notFoundCount + 1,
        failureCount: 0,
        lastError: undefined,
      })
      break
    case 'stop':
      Object.assign(record, { stopped: 'invalid_number', lastError, updatedAt: nowIso })
      break
    case 'retry':
    case 'untouched':
      Object.assign(record, { failureCount: record.failureCount + 1, lastError })
      break
  }
  return schedule(stored, record, ctx)
}

/** Stops polling a tracking whose life is over (terminal, expired), or gives the time of its next poll. */
function schedule<S extends StoredTracking>(
  stored: S,
  record: TrackingRecord,
  ctx: PollContext,
  events?: DraftChange['events'],
): DraftChange<S> {
  const nowMs = ctx.now.getTime()
  if (record.stopped !== 'invalid_number') {
    if (isTerminalStatus(record.status, record.final === true)) {
      record.stopped = 'terminal'
    } else if (isExpired(Date.parse(record.lastNewEventAt), nowMs, ctx.policy, ctx.timeScale)) {
      if (record.status !== 'expired') record.updatedAt = ctx.now.toISOString()
      record.status = 'expired'
      record.stopped = 'expired'
    }
  }
  if (record.stopped) {
    record.nextCheckAt = undefined
    return { before: stored, record, events, nextPoll: 'none' }
  }
  // Scan hours are the carrier's: only a real-time carrier's clock is ours (a simulated carrier plays days in minutes).
  const carrierNowMs = ctx.timeScale === 1 && ctx.policy.calendar ? nowMs : undefined
  const delayMs = nextPollDelayMs(record, ctx.policy, ctx.random, carrierNowMs) / ctx.timeScale
  const atMs = nowMs + Math.max(delayMs, MIN_POLL_GAP_MS)
  record.nextCheckAt = new Date(atMs).toISOString()
  return { before: stored, record, events, nextPoll: { atMs } }
}

/** The status an operator's rule gives a stored event now; undefined when no rule applies. */
export type EventRemap = (event: TrackingEvent) => EventStatus | undefined

/** The timeline with each event `remap` gives another status re-mapped; undefined when none changes. */
export function remapEvents(
  events: readonly TrackingEvent[],
  remap: EventRemap,
): TrackingEvent[] | undefined {
  let remapped: TrackingEvent[] | undefined
  events.forEach((event, index) => {
    const status = remap(event)
    if (status === undefined || status === event.status) return
    remapped ??= [...events]
    remapped[index] = { ...event, status }
  })
  return remapped
}

/**
 * The lifecycle of a tracking whose stored events were mapped again (the operator's code rules
 * changed; events keep their raw codes for this): the status follows from the re-mapped timeline, then
 * alerts and notifications as after a poll. Polling goes on as scheduled, unless the new status ends
 * the parcel's life; a tracking whose life is over keeps its status (only its events change). Pure.
 */
export function applyRemappedEvents<S extends StoredTracking>(
  stored: S,
  events: TrackingEvent[],
  ctx: {
    now: Date
    alertPolicy: AlertPolicy
    newAlertId?: () => string
    viewOptions?: TrackingViewOptions
    forecastModel?: ForecastModel
  },
): TrackingChange<S> {
  const record: TrackingRecord = Object.assign({}, stored.record, { updatedAt: ctx.now.toISOString() })
  let nextPoll: NextPoll | undefined
  if (!record.stopped) {
    const status = deriveTrackingStatus(events)
    const lastDelivery = events.findLast((event) => event.status === 'delivered')
    record.status = status
    record.deliveredAt = status === 'delivered' ? (record.deliveredAt ?? lastDelivery?.occurredAt) : undefined
    if (isTerminalStatus(status, record.final === true)) {
      Object.assign(record, { stopped: 'terminal', nextCheckAt: undefined })
      nextPoll = 'none'
    }
  }
  return withAlertsAndNotifications(
    { before: stored, record, events, nextPoll },
    {
      nowMs: ctx.now.getTime(),
      policy: ctx.alertPolicy,
      newAlertId: ctx.newAlertId,
      viewOptions: ctx.viewOptions,
      forecastModel: ctx.forecastModel,
    },
  )
}
