import type { AlertPolicy } from '../src/domain/delay-alerts.js'
import type { ForecastSource } from '../src/domain/forecast/forecast-model.js'
import type { TrackingRecord } from '../src/domain/tracking.js'
import { applyTimePassing } from '../src/domain/tracking-lifecycle.js'
import type { Logger } from '../src/logger.js'
import type { PollView, TrackingStore } from '../src/store/tracking-store.js'
import { saveWithRetries } from './save-with-retries.js'

export interface SweepDeps {
  store: TrackingStore
  alertPolicy(record: TrackingRecord): AlertPolicy
  logger: Logger
  now?: () => number
  /** A claimed tracking whose check did not finish is checked again after this. */
  leaseMs?: number
  /** PUBLIC_BASE_URL: alert notifications then carry each tracking's page. */
  publicBaseUrl?: string
  /** The delivery forecast model kept in memory: forecasts move and predict delays with time too. */
  forecasts?: ForecastSource
}

const BATCH = 200

/**
 * Time-driven alerts (late at the end of the promised day, stalled, pickup expiring): only trackings
 * whose next check is due are read, through the store's alert-check schedule — never a scan of every
 * tracking. `shards`: those this process holds (claims are atomic, so a shard swept by two processes
 * during a hand-over has each tracking checked once).
 */
export async function sweepAlerts(deps: SweepDeps, shards: readonly number[]): Promise<number> {
  const now = deps.now ?? Date.now
  let checked = 0
  for (const shard of shards) checked += await sweepShard(deps, shard, now)
  return checked
}

async function sweepShard(deps: SweepDeps, shard: number, now: () => number): Promise<number> {
  let checked = 0
  for (;;) {
    const nowMs = now()
    const ids = await deps.store.claimAlertChecks(shard, nowMs, BATCH, deps.leaseMs ?? 60_000)
    if (ids.length === 0) break
    const views = (await deps.store.loadForPoll(ids)).filter((view): view is PollView => view !== undefined)
    checked += views.length
    // A tracking a poll saved meanwhile is read again and checked: a poll that learned nothing leaves
    // its alert checks to this sweep.
    await saveWithRetries(
      deps.store,
      views,
      (pending) =>
        pending.map((view) =>
          applyTimePassing(view, {
            nowMs,
            alertPolicy: deps.alertPolicy(view.record),
            viewOptions: { publicBaseUrl: deps.publicBaseUrl },
            forecastModel: deps.forecasts?.model(),
          }),
        ),
      (_, outcomes) => {
        const conflicts = outcomes.filter((outcome) => outcome === 'conflict').length
        if (conflicts > 0) deps.logger.debug({ conflicts }, 'alert sweep: trackings changed meanwhile')
      },
    )
    if (ids.length < BATCH) break
  }
  return checked
}
