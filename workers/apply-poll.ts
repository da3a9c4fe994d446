import type { CarrierError } from '../adapters/contract.js'
import { type CarrierSnapshot, snapshotDigest } from '../src/domain/carrier-snapshot.js'
import { deriveTrackingStatus, mergeTimeline } from '../src/domain/timeline.js'
import type { TrackingRecord } from '../src/domain/tracking.js'
import { isTerminalStatus } from '../src/domain/tracking-status.js'
import type { PollView, PollWrite } from '../src/store/tracking-store.js'
import { OUTCOME_BY_KIND } from './carrier-error-outcome.js'
import { isExpired, nextPollDelayMs, type PollPolicy, type Random } from './poll-schedule.js'

/** Floor between two polls of one parcel, whatever the policy and time scale say. */
const MIN_POLL_GAP_MS = 100

export interface PollContext {
  now: Date
  policy: PollPolicy
  /** The carrier's clock speed: the sandbox plays hours in seconds, so its cadence is divided too. */
  timeScale: number
  random?: Random
}

/** A poll's result turned into the tracking's next state and its next poll: pure, so it is tested alone. */
export function applyPollResult(
  view: PollView,
  result: CarrierSnapshot | CarrierError,
  ctx: PollContext,
): PollWrite {
  return 'events' in result ? applySnapshot(view, result, ctx) : applyFailure(view, result, ctx)
}

function applySnapshot(view: PollView, snapshot: CarrierSnapshot, ctx: PollContext): PollWrite {
  const digest = snapshotDigest(snapshot)
  if (digest === view.record.snapshotDigest) {
    const unchanged = applySameAnswer(view, ctx)
    if (unchanged) return unchanged
  }
  const nowIso = ctx.now.toISOString()
  const { events, added } = mergeTimeline(view.events, snapshot.events)
  const status = deriveTrackingStatus(events)
  const lastDelivery = events.findLast((event) => event.status === 'delivered')
  const changed = added.length > 0 || status !== view.record.status
  // Object.assign, not a spread: V8 gives an object spread and then given new keys a hidden class of its
  // own each time (~1 µs a key, and garbage), while assigning into `{}` reuses one.
  const record: TrackingRecord = Object.assign({}, view.record, {
    status,
    final: snapshot.final ?? view.record.final,
    service: snapshot.service ?? view.record.service,
    product: snapshot.product ?? view.record.product,
    estimatedDelivery: snapshot.estimatedDelivery ?? view.record.estimatedDelivery,
    deliveredAt: status === 'delivered' ? (snapshot.deliveredAt ?? lastDelivery?.occurredAt) : undefined,
    lastCheckedAt: nowIso,
    lastError: undefined,
    stopped: undefined,
    notFoundCount: 0,
    failureCount: 0,
    lastNewEventAt: added.length > 0 ? nowIso : view.record.lastNewEventAt,
    updatedAt: changed ? nowIso : view.record.updatedAt,
    snapshotDigest: digest,
  })
  return schedule(view, record, ctx, added.length > 0 ? events : undefined)
}

/**
 * The carrier gave the answer it gave last time (most polls of a parcel in transit): the timeline, the
 * status and everything alerts depend on stay as they are, so the timeline is not even decoded; only
 * the poll is recorded and the next one scheduled. Undefined when something else changes anyway (an
 * error to clear, or the parcel expiring now): the whole path then runs.
 */
function applySameAnswer(view: PollView, ctx: PollContext): PollWrite | undefined {
  const before = view.record
  if (before.lastError || before.failureCount > 0 || before.notFoundCount > 0) return undefined
  const record: TrackingRecord = Object.assign({}, before, { lastCheckedAt: ctx.now.toISOString() })
  const write = schedule(view, record, ctx)
  if (record.status !== before.status || record.stopped) return undefined
  write.keepAlertSchedule = true
  return write
}

function applyFailure(view: PollView, error: CarrierError, ctx: PollContext): PollWrite {
  const nowIso = ctx.now.toISOString()
  const outcome = OUTCOME_BY_KIND[error.kind].tracking
  const record: TrackingRecord = Object.assign({}, view.record, { lastCheckedAt: nowIso })
  const lastError = { kind: error.kind, message: error.message, at: nowIso }
  switch (outcome) {
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
  return schedule(view, record, ctx)
}

function schedule(
  view: PollView,
  record: TrackingRecord,
  ctx: PollContext,
  events?: PollWrite['events'],
): PollWrite {
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
    return { before: view, record, events }
  }
  // Scan hours are the carrier's: only a real-time carrier's clock is ours (the sandbox plays days in minutes).
  const carrierNowMs = ctx.timeScale === 1 && ctx.policy.calendar ? nowMs : undefined
  const delayMs = nextPollDelayMs(record, ctx.policy, ctx.random, carrierNowMs) / ctx.timeScale
  const nextDueAtMs = nowMs + Math.max(delayMs, MIN_POLL_GAP_MS)
  record.nextCheckAt = new Date(nextDueAtMs).toISOString()
  return { before: view, record, events, nextDueAtMs }
}
