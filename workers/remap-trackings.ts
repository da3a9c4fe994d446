import type { AlertPolicy } from '../src/domain/delay-alerts.js'
import type { ForecastSource } from '../src/domain/forecast/forecast-model.js'
import type { TrackingRecord } from '../src/domain/tracking.js'
import { applyRemappedEvents, type EventRemap, remapEvents } from '../src/domain/tracking-lifecycle.js'
import type { PollView, TrackingStore } from '../src/store/tracking-store.js'
import { saveWithRetries } from './save-with-retries.js'

export interface RemapDeps {
  store: TrackingStore
  alertPolicy(record: TrackingRecord): AlertPolicy
  now?: () => Date
  /** PUBLIC_BASE_URL: status-change notifications then carry each tracking's page. */
  publicBaseUrl?: string
  /** The delivery forecast model kept in memory: notifications carry each parcel's forecast. */
  forecasts?: ForecastSource
}

/** Trackings scanned, loaded and saved at once. */
const PAGE_SIZE = 100
/**
 * Passes over the carrier's polled trackings. A tracking a poll moves between waiting and being polled
 * while a pass runs may be missed by it; the second pass finds it (the first one's are skipped).
 */
const PASSES = 2

/**
 * Maps the stored events of every tracking of `carrier` still polled again with `remap` (its
 * COLIS_CODE_OVERRIDES rules now), and saves those that change through the lifecycle: a status that
 * changes notifies as after a poll. Trackings whose life is over (delivered, expired…) are left as they
 * are. The work is bounded by the carrier's polled trackings, a page at a time; memory by their ids.
 */
export async function remapCarrierTrackings(
  carrier: string,
  remap: EventRemap,
  deps: RemapDeps,
): Promise<{ checked: number; changed: number; unsaved: number }> {
  const seen = new Set<string>()
  const totals = { checked: 0, changed: 0, unsaved: 0 }
  for (let pass = 0; pass < PASSES; pass++) {
    let cursor: string | undefined
    do {
      const page = await deps.store.scanPolled(carrier, PAGE_SIZE, cursor)
      cursor = page.cursor
      const ids = page.ids.filter((id) => !seen.has(id))
      for (const id of ids) seen.add(id)
      if (ids.length > 0) await remapPage(ids, remap, deps, totals)
    } while (cursor !== undefined)
  }
  return totals
}

async function remapPage(
  ids: string[],
  remap: EventRemap,
  deps: RemapDeps,
  totals: { checked: number; changed: number; unsaved: number },
): Promise<void> {
  const views = (await deps.store.loadForPoll(ids)).filter(
    (view): view is PollView => view !== undefined && view.record.stopped === undefined,
  )
  totals.checked += views.length
  const stale = views.filter((view) => remapEvents(view.events, remap) !== undefined)
  if (stale.length === 0) return
  const unsaved = await saveWithRetries(
    deps.store,
    stale,
    (pending) => {
      const now = deps.now?.() ?? new Date()
      return pending.map((view) =>
        applyRemappedEvents(view, remapEvents(view.events, remap) ?? view.events, {
          now,
          alertPolicy: deps.alertPolicy(view.record),
          viewOptions: { publicBaseUrl: deps.publicBaseUrl },
          forecastModel: deps.forecasts?.model(),
        }),
      )
    },
    (_, outcomes) => {
      totals.changed += outcomes.filter((outcome) => outcome === 'saved').length
    },
  )
  totals.unsaved += unsaved.length
}
