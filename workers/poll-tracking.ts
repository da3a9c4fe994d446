import { RateLimitError } from 'bullmq'
import { type BatchResult, type CarrierAdapter, CarrierError, isCarrierError } from '../adapters/contract.js'
import type { AlertPolicy } from '../src/domain/delay-alerts.js'
import type { TrackingRecord } from '../src/domain/tracking.js'
import type { Logger } from '../src/logger.js'
import type { Metrics } from '../src/metrics.js'
import type { PollView, PollWrite, TrackingStore } from '../src/store/tracking-store.js'
import { applyPollResult } from './apply-poll.js'
import { DEFAULT_RATE_LIMIT_WAIT_MS, OUTCOME_BY_KIND } from './carrier-error-outcome.js'
import type { PollJobData } from './jobs.js'
import type { PollPolicy } from './poll-schedule.js'
import { saveWithRetries } from './save-with-retries.js'
import { withAlertsAndNotifications } from './tracking-changes.js'

export interface PollDeps {
  adapter: CarrierAdapter
  store: TrackingStore
  policy: PollPolicy
  alertPolicy(record: TrackingRecord): AlertPolicy
  timeScale: number
  logger: Logger
  now?: () => Date
  /** Makes every worker of this carrier wait (BullMQ `queue.rateLimit`). */
  rateLimit(waitMs: number): Promise<void>
  /** Stops this carrier's polling until an operator fixes its credentials. */
  pauseCarrier(error: CarrierError): Promise<void>
  /** Counts failures by kind, for `GET /v1/carriers`. */
  recordFailure?(kind: CarrierError['kind']): void
  metrics?: Pick<Metrics, 'polls' | 'pollDuration'>
}

/**
 * One poll job: one carrier request for up to `batchSize` trackings, merged and saved with a
 * compare-and-set. Safe to run twice (BullMQ is at-least-once): merging a known history adds nothing.
 */
export async function processPollJob(data: PollJobData, deps: PollDeps, signal?: AbortSignal): Promise<void> {
  const views = (await deps.store.loadForPoll(data.ids)).filter(
    (view): view is PollView => view !== undefined,
  )
  if (views.length === 0) return
  const carrier = deps.adapter.id
  const stopTimer = deps.metrics?.pollDuration.startTimer({ carrier })
  const results = await fetchResults(views, deps, signal)
  stopTimer?.()
  for (const view of views) {
    const result = results.get(view.record.trackingNumber)
    const outcome = result === undefined ? 'unexpected_response' : isCarrierError(result) ? result.kind : 'ok'
    deps.metrics?.polls.inc({ carrier, outcome })
  }

  for (const error of results.values()) {
    if (!isCarrierError(error)) continue
    deps.recordFailure?.(error.kind)
    const job = OUTCOME_BY_KIND[error.kind].job
    if (job === 'rate_limit') {
      await deps.rateLimit(error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS)
      throw new RateLimitError()
    }
    if (job === 'pause_carrier') {
      await deps.pauseCarrier(error)
      break
    }
  }

  const unsaved = await saveWithRetries(
    deps.store,
    views,
    (pending) => {
      const now = deps.now?.() ?? new Date()
      return pending.map((view) => {
        const result = results.get(view.record.trackingNumber) ?? missingResult(view)
        const write = applyPollResult(view, result, { now, policy: deps.policy, timeScale: deps.timeScale })
        // Nothing alerts depend on changed: they change with time alone, and the sweep checks them then.
        if (write.keepAlertSchedule) return write
        return withAlertsAndNotifications(write, {
          nowMs: now.getTime(),
          policy: deps.alertPolicy(view.record),
        })
      })
    },
    (writes, outcomes) => logSaved(deps.logger, writes, outcomes),
  )
  if (unsaved.length > 0) {
    deps.logger.warn(
      { ids: unsaved.map((view) => view.record.id) },
      'poll not saved after repeated conflicts',
    )
  }
}

async function fetchResults(views: PollView[], deps: PollDeps, signal?: AbortSignal): Promise<BatchResult> {
  const queries = views.map((view) => ({
    trackingNumber: view.record.trackingNumber,
    registeredAt: view.record.createdAt,
  }))
  try {
    if (deps.adapter.trackBatch && queries.length > 1) return await deps.adapter.trackBatch(queries, signal)
    const results: BatchResult = new Map()
    for (const query of queries) {
      try {
        results.set(query.trackingNumber, await deps.adapter.track(query, signal))
      } catch (error) {
        if (!isCarrierError(error)) throw error
        results.set(query.trackingNumber, error)
      }
    }
    return results
  } catch (error) {
    if (!isCarrierError(error)) throw error
    return new Map(queries.map((query) => [query.trackingNumber, error]))
  }
}

function missingResult(view: PollView): CarrierError {
  return new CarrierError(
    'unexpected_response',
    `the carrier's answer did not mention ${view.record.trackingNumber}`,
  )
}

function logSaved(logger: Logger, writes: PollWrite[], outcomes: string[]) {
  // A line per parcel polled is built only when it is written (debug is off in production).
  if (!logger.isLevelEnabled('debug')) return
  writes.forEach((write, index) => {
    logger.debug(
      {
        trackingId: write.record.id,
        status: write.record.status,
        newTimeline: write.events !== undefined,
        nextCheckAt: write.record.nextCheckAt,
        outcome: outcomes[index],
      },
      'poll saved',
    )
  })
}
