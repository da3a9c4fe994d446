import { isoWeekOf } from '../domain/analytics/analytics-cell.js'
import { addCalendarDays, parisDateOf } from '../domain/business-calendar.js'
import type { ForecastModel, ForecastSource } from '../domain/forecast/forecast-model.js'
import { forecastModelFromCells } from '../domain/forecast/model-from-cells.js'
import { ALL_MERCHANTS, type AnalyticsStore } from '../store/analytics-store.js'

export interface ForecastModelHolder extends ForecastSource {
  /** Loads the cells of the last `historyWeeks` weeks and replaces the model with theirs. */
  refresh(): Promise<void>
}

/** The ISO weeks from `historyWeeks - 1` weeks before `nowMs`'s week to that week, in Paris. */
export function forecastHistoryWeeks(nowMs: number, historyWeeks: number): { from: string; to: string } {
  const today = parisDateOf(nowMs)
  return { from: isoWeekOf(addCalendarDays(today, -7 * (historyWeeks - 1))), to: isoWeekOf(today) }
}

/**
 * Every merchant's cells together: a carrier's lane takes as long whoever ships on it, and pooling
 * gives a lane its samples sooner (see docs/forecasts.md).
 */
export function createForecastModelHolder(options: {
  analytics: Pick<AnalyticsStore, 'cells'>
  historyWeeks: number
  now?: () => Date
}): ForecastModelHolder {
  const now = options.now ?? (() => new Date())
  let current: ForecastModel | undefined
  return {
    model: () => current,
    async refresh() {
      const { from, to } = forecastHistoryWeeks(now().getTime(), options.historyWeeks)
      const model = forecastModelFromCells(await options.analytics.cells(ALL_MERCHANTS, from, to))
      // No history yet is no model: answers then cost nothing more than before forecasts existed.
      current = model.cells.size > 0 ? model : undefined
    },
  }
}
