import { randomBytes } from 'node:crypto'
import {
  type AlertPolicy,
  type DelayAlert,
  evaluateAlertConditions,
  type ForecastFacts,
  nextAlertCheckAt,
  reconcileAlerts,
} from './delay-alerts.js'
import type { DeliveryForecast } from './forecast/forecast.js'
import type { ForecastModel } from './forecast/forecast-model.js'
import { decodeForecastWindow, encodeForecastWindow, sameForecastWindow } from './forecast/forecast-window.js'
import { type TrackingForecast, trackingForecastOf } from './forecast/tracking-forecast.js'
import type { TrackingRecord } from './tracking.js'
import type { TrackingEvent } from './tracking-event.js'
import type { TrackingStatus } from './tracking-status.js'
import { type TrackingViewOptions, toTrackingView } from './tracking-view.js'
import type { WebhookEventType } from './webhook-events.js'

/** A tracking as stored: what every change starts from. */
export interface StoredTracking {
  record: TrackingRecord
  events: TrackingEvent[]
}

/** A notification published atomically with the change that caused it; a relay turns it into deliveries. */
export interface TrackingNotification {
  type: WebhookEventType
  merchantId: string
  trackingId: string
  sequence: number
  /** When the change happened (the payload's `timestamp`). */
  timestamp: string
  /** The payload's `data`, as JSON. */
  data: string
}

/** Alerts opened or resolved by a change, and when they may next change with time alone. */
export interface AlertsChange {
  opened: DelayAlert[]
  resolved: DelayAlert[]
  /** When the alerts may change with time alone (ms); undefined: never. */
  nextCheckAtMs?: number
}

/** When a tracking is polled next, after a poll: at `atMs`, or never (`none`). */
export type NextPoll = { atMs: number } | 'none'

/**
 * Everything one poll (or the passing of time) changes on one tracking, decided by the domain alone;
 * the store writes it atomically and derives its own indexes from it.
 */
export interface TrackingChange<S extends StoredTracking = StoredTracking> {
  before: S
  record: TrackingRecord
  /** The whole new timeline; undefined when it stays as stored. */
  events?: TrackingEvent[]
  /** Events this change added to the timeline, in timeline order. */
  newEvents: TrackingEvent[]
  statusChange?: { from: TrackingStatus; to: TrackingStatus }
  /** Set by a poll; undefined for a change of time alone: polling goes on as it was scheduled. */
  nextPoll?: NextPoll
  /** Undefined when nothing alerts depend on changed: the alert checks stay as they were scheduled. */
  alerts?: AlertsChange
  notifications: TrackingNotification[]
}

/** A change before its alerts and notifications are settled. */
export type DraftChange<S extends StoredTracking = StoredTracking> = Pick<
  TrackingChange<S>,
  'before' | 'record' | 'events' | 'nextPoll'
>

export interface NotifyContext {
  nowMs: number
  policy: AlertPolicy
  newAlertId?: () => string
  /** How the notifications show the tracking (the merchant's withdrawal period). */
  viewOptions?: TrackingViewOptions
  /** The delivery forecast model the process keeps in memory; none, no forecast. */
  forecastModel?: ForecastModel
}

const ALERT_ID_BYTES = 12
// Random bytes drawn 256 ids at a time: one call to the CSPRNG per id cost more than the alert check.
let randomPool: Buffer = Buffer.alloc(0)
let randomOffset = 0

function randomAlertId(): string {
  if (randomOffset + ALERT_ID_BYTES > randomPool.length) {
    randomPool = randomBytes(ALERT_ID_BYTES * 256)
    randomOffset = 0
  }
  const text = randomPool.toString('base64url', randomOffset, randomOffset + ALERT_ID_BYTES)
  randomOffset += ALERT_ID_BYTES
  return `alr_${text.replace(/[-_]/g, 'x')}`
}

/**
 * Completes a change with what follows from it: alerts opened or resolved (each once), the next time
 * alerts need a look, and the notifications to publish, all committed with it.
 */
export function withAlertsAndNotifications<S extends StoredTracking>(
  draft: DraftChange<S>,
  ctx: NotifyContext,
): TrackingChange<S> {
  const before = draft.before
  const events = draft.events ?? before.events
  const record = { ...draft.record }
  const nowIso = new Date(ctx.nowMs).toISOString()
  const forecast =
    ctx.forecastModel &&
    trackingForecastOf(record, events, {
      model: ctx.forecastModel,
      dayKind: ctx.policy.dayKind,
      nowMs: ctx.nowMs,
    })
  const previousWindow = decodeForecastWindow(record.forecastWindow)
  const windowMoved =
    forecast !== undefined &&
    (previousWindow === undefined || !sameForecastWindow(previousWindow, forecast.deliveryForecast))
  // Written again when only its form changes: a record saved in the older form takes the shorter one.
  const window = forecast && encodeForecastWindow(forecast.deliveryForecast)
  if (record.forecastWindow !== window) record.forecastWindow = window
  const input = { record, events, nowMs: ctx.nowMs, policy: ctx.policy, forecast: forecastFacts(forecast) }
  const conditions = evaluateAlertConditions(input)
  const { alerts, opened, resolved } = reconcileAlerts(
    record.alerts,
    conditions,
    nowIso,
    ctx.newAlertId ?? randomAlertId,
  )
  // Nothing opened or closed: the list read stays, which tells the store that no alert index moves.
  if (opened.length > 0 || resolved.length > 0) record.alerts = alerts

  const newEvents = draft.events ? addedEvents(before.events, draft.events) : []
  const notifications: TrackingNotification[] = []
  // Every notification of one change shows the same tracking (only `sequence`, outside the view, moves):
  // its JSON is written once. `data` is `JSON.stringify({ tracking, ...extra, sequence })`, key for key.
  let trackingJson: string | undefined
  const notify = (
    type: WebhookEventType,
    extra: { newEvents?: TrackingEvent[]; alert?: DelayAlert; previousForecast?: object },
  ) => {
    record.sequence += 1
    trackingJson ??= viewJson(record, events, ctx.viewOptions, forecast?.deliveryForecast)
    const extraJson = extra.newEvents
      ? `,"newEvents":${JSON.stringify(extra.newEvents)}`
      : extra.alert
        ? `,"alert":${JSON.stringify(extra.alert)}`
        : extra.previousForecast
          ? `,"previousForecast":${JSON.stringify(extra.previousForecast)}`
          : ''
    notifications.push({
      type,
      merchantId: record.merchantId,
      trackingId: record.id,
      sequence: record.sequence,
      timestamp: nowIso,
      data: `{"tracking":${trackingJson}${extraJson},"sequence":${record.sequence}}`,
    })
  }
  const from = before.record.status
  if (newEvents.length > 0) notify('tracking.updated', { newEvents })
  if (record.status !== from) notify('tracking.status_changed', {})
  // The first window is no revision: it comes with the change that made it, on the tracking.
  if (windowMoved && previousWindow !== undefined)
    notify('tracking.forecast_changed', { previousForecast: previousWindow })
  for (const alert of opened) notify('alert.opened', { alert })
  for (const alert of resolved) notify('alert.resolved', { alert })
  if (opened.length > 0 || resolved.length > 0) record.updatedAt = nowIso

  // Object.assign, not a spread: see applySnapshot (tracking-lifecycle.ts).
  return Object.assign({}, draft, {
    record,
    newEvents,
    statusChange: record.status !== from ? { from, to: record.status } : undefined,
    alerts: { opened, resolved, nextCheckAtMs: nextAlertCheckAt({ ...input, record }) },
    notifications,
  })
}

/** The tracking's view, with its delivery forecast when there is one, as JSON. */
function viewJson(
  record: TrackingRecord,
  events: readonly TrackingEvent[],
  options: TrackingViewOptions | undefined,
  deliveryForecast: DeliveryForecast | undefined,
): string {
  const view = toTrackingView(record, events, undefined, options)
  return JSON.stringify(deliveryForecast ? { ...view, deliveryForecast } : view)
}

function forecastFacts(forecast: TrackingForecast | undefined): ForecastFacts | undefined {
  if (forecast === undefined) return undefined
  const { from, to, mostLikely, basis } = forecast.deliveryForecast
  return {
    window: { from, to, mostLikely },
    basis,
    ...(forecast.probabilityLate === undefined ? {} : { probabilityLate: forecast.probabilityLate }),
  }
}

function addedEvents(known: readonly TrackingEvent[], events: readonly TrackingEvent[]): TrackingEvent[] {
  const ids = new Set(known.map((event) => event.id))
  return events.filter((event) => !ids.has(event.id))
}
