import { addOutcome, emptySummary } from '../../domain/analytics/cell-summary.js'
import {
  cellExpiresAtMs,
  finishingOutcome,
  type OutcomeFactsOf,
  oldestKeptWeek,
  weekScore,
} from '../analytics-store.js'
import type { TrackingSave } from '../tracking-store.js'
import { cellIncrements } from './analytics-fields.js'
import { cellMember, type RedisKeys } from './redis-keys.js'

export interface AnalyticsPolicy {
  factsOf: OutcomeFactsOf
  retentionMs: number
}

/** The keys and arguments that add a finished parcel to its cell-week, in saveTrackings.lua's order. */
export interface AnalyticsWrite {
  keys: string[]
  args: string[]
}

/**
 * What the save of `write` adds to analytics, if it turns the parcel finished; undefined too for a
 * cell-week already past its retention (it would expire as it is written).
 */
export function analyticsWriteOf(
  keys: RedisKeys,
  write: TrackingSave,
  policy: AnalyticsPolicy,
  nowMs: number,
): AnalyticsWrite | undefined {
  const outcome = finishingOutcome(write, policy.factsOf)
  if (outcome === undefined) return undefined
  const { cell } = outcome
  const expiresAtMs = cellExpiresAtMs(cell.week, policy.retentionMs)
  if (expiresAtMs <= nowMs) return undefined
  const { add, least, most } = cellIncrements(addOutcome(emptySummary(), outcome))
  const pairs = (fields: ReadonlyArray<[string, number]>) => [
    String(fields.length),
    ...fields.flatMap(([field, value]) => [field, String(value)]),
  ]
  return {
    keys: [keys.analyticsCell(cell), keys.merchantAnalyticsCells(cell.merchantId), keys.analyticsCells()],
    args: [
      cellMember(cell),
      String(weekScore(cell.week)),
      String(expiresAtMs),
      `(${weekScore(oldestKeptWeek(nowMs, policy.retentionMs))}`,
      ...pairs(add),
      ...pairs(least),
      ...pairs(most),
    ],
  }
}
