import {
  type BatchResult,
  type CarrierAdapter,
  CarrierError,
  isCarrierError,
  type TrackQuery,
} from '../adapters/contract.js'
import type { AlertPolicy } from '../src/domain/delay-alerts.js'
import type { ForecastSource } from '../src/domain/forecast/forecast-model.js'
import type { PollPolicy } from '../src/domain/poll-schedule.js'
import type { TrackingRecord } from '../src/domain/tracking.js'
import { applyPollOutcome, type TrackingChange } from '../src/domain/tracking-lifecycle.js'
import type { TrackingViewOptions } from '../src/domain/tracking-view.js'
import type { Logger } from '../src/logger.js'
import type { Metrics } from '../src/metrics.js'
import type { PollView, TrackingStore } from '../src/store/tracking-store.js'
import { applyCarrierFailures, type CarrierQueueHooks } from './carrier-error-outcome.js'
import type { PollJobData } from './jobs.js'
import { saveWithRetries } from './save-with-retries.js'

export interface PollDeps extends CarrierQueueHooks {
  adapter: CarrierAdapter
  store: TrackingStore
  policy: PollPolicy
  alertPolicy(record: TrackingRecord): AlertPolicy
  timeScale: number
  logger: Logger
  now?: () => Date
  metrics?: Pick<Metrics, 'polls' | 'pollDuration'>
  /** The merchant's withdrawal period, for the consumer deadlines a delivered parcel's notifications carry. */
  withdrawalDays?(merchantId: string): Promise<number | undefined>
  /** PUBLIC_BASE_URL: notifications then carry each tracking's page (`trackingPageUrl`). */
  publicBaseUrl?: string
  /** The delivery forecast model kept in memory: notifications carry each parcel's forecast. */
  forecasts?: ForecastSource
}

/**
 * One poll job: one carrier request for up to `batchSize` trackings; each answer goes through the
 * tracking lifecycle (src/domain/tracking-lifecycle.ts) and the changes are saved with a
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
  await applyCarrierFailures(failuresOf(results), deps)
  const viewOptions = await viewOptionsOf(views, results, deps)

  const unsaved = await saveWithRetries(
    deps.store,
    views,
    (pending) => {
      const now = deps.now?.() ?? new Date()
      const forecastModel = deps.forecasts?.model()
      return pending.map((view) =>
        applyPollOutcome(view, results.get(view.record.trackingNumber) ?? missingResult(view), {
          now,
          policy: deps.policy,
          alertPolicy: deps.alertPolicy(view.record),
          timeScale: deps.timeScale,
          viewOptions: viewOptions(view.record.merchantId),
          forecastModel,
        }),
      )
    },
    (changes, outcomes) => logSaved(deps.logger, changes, outcomes),
  )
  if (unsaved.length > 0) {
    deps.logger.warn(
      { ids: unsaved.map((view) => view.record.id) },
      'poll not saved after repeated conflicts',
    )
  }
}

/**
 * How notifications show each merchant's trackings: their page, and the merchant's withdrawal period,
 * read only for the merchants of parcels the carrier says are delivered (the only notifications with
 * consumer deadlines): other polls cost no settings lookup.
 */
async function viewOptionsOf(
  views: readonly PollView[],
  results: BatchResult,
  deps: PollDeps,
): Promise<(merchantId: string) => TrackingViewOptions> {
  const base: TrackingViewOptions =
    deps.publicBaseUrl === undefined ? {} : { publicBaseUrl: deps.publicBaseUrl }
  const byMerchant = new Map<string, TrackingViewOptions>()
  const { withdrawalDays } = deps
  if (withdrawalDays) {
    const delivered = views.filter((view) => {
      const result = results.get(view.record.trackingNumber)
      return (
        result !== undefined &&
        !isCarrierError(result) &&
        result.events.some((event) => event.status === 'delivered')
      )
    })
    for (const merchantId of new Set(delivered.map((view) => view.record.merchantId))) {
      const days = await withdrawalDays(merchantId)
      if (days !== undefined) byMerchant.set(merchantId, { ...base, withdrawalDays: days })
    }
  }
  return (merchantId) => byMerchant.get(merchantId) ?? base
}

function* failuresOf(results: BatchResult): Iterable<CarrierError> {
  for (const result of results.values()) if (isCarrierError(result)) yield result
}

async function fetchResults(views: PollView[], deps: PollDeps, signal?: AbortSignal): Promise<BatchResult> {
  const queries = views.map(
    ({ record }): TrackQuery => ({
      trackingNumber: record.trackingNumber,
      registeredAt: record.createdAt,
      ...(record.destinationPostalCode === undefined
        ? {}
        : { destinationPostalCode: record.destinationPostalCode }),
    }),
  )
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

function logSaved(logger: Logger, changes: TrackingChange[], outcomes: string[]) {
  // A line per parcel polled is built only when it is written (debug is off in production).
  if (!logger.isLevelEnabled('debug')) return
  changes.forEach((change, index) => {
    logger.debug(
      {
        trackingId: change.record.id,
        status: change.record.status,
        newTimeline: change.events !== undefined,
        nextCheckAt: change.record.nextCheckAt,
        outcome: outcomes[index],
      },
      'poll saved',
    )
  })
}
