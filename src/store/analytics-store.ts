import {
  type AnalyticsCell,
  isIsoWeek,
  isoWeekMonday,
  isoWeekOf,
} from '../domain/analytics/analytics-cell.js'
import type { GroupingQuery } from '../domain/analytics/carrier-report.js'
import type { CellSummary } from '../domain/analytics/cell-summary.js'
import {
  type OutcomeFacts,
  type ParcelOutcome,
  parcelOutcome,
  parcelOutcomeKind,
} from '../domain/analytics/parcel-outcome.js'
import { addCalendarDays } from '../domain/business-calendar.js'
import type { TrackingSave } from './tracking-store.js'

export interface StoredCell {
  cell: AnalyticsCell
  summary: CellSummary
}

/** Every merchant's cells together: the operator's view. */
export const ALL_MERCHANTS = 'all'

export interface AnalyticsStore {
  /**
   * The cell-weeks of a merchant (or of every merchant with `'all'`) from `fromWeek` to `toWeek`
   * included (ISO weeks, `2026-W09`), of one carrier when given, in no order. Cells past their
   * retention are gone. Throws a RangeError for a week that is not an ISO week.
   */
  cells(merchantId: string, fromWeek: string, toWeek: string, carrier?: string): Promise<StoredCell[]>
  /**
   * The summaries of the cell-weeks `cells` gives for the same weeks and carrier, merged per group:
   * what a carrier report reads (`reportOfGroups`). Throws a RangeError for a week that is not an ISO week.
   */
  summariesByGroup(merchantId: string, query: GroupingQuery): Promise<Map<string, CellSummary>>
}

/** What colis knows of each carrier to measure a finished parcel (its delivery days). */
export type OutcomeFactsOf = (carrier: string) => OutcomeFacts

/** For a store told nothing of its carriers: Monday-to-Saturday delivery, as most French carriers. */
export const DEFAULT_OUTCOME_FACTS: OutcomeFactsOf = () => ({ deliveryDays: { default: 'ouvrables' } })

/** How long a cell-week is kept after the week ends when not told (ANALYTICS_RETENTION). */
export const DEFAULT_ANALYTICS_RETENTION_MS = 400 * 24 * 3600 * 1000

/**
 * What the save adds to its cell: the parcel's outcome when the save turns it finished, else
 * undefined. A parcel counts once: the store keeps a mark on the tracking, so one that comes back
 * and finishes again (a status flapping) is not counted again.
 */
export function finishingOutcome(save: TrackingSave, factsOf: OutcomeFactsOf): ParcelOutcome | undefined {
  if (parcelOutcomeKind(save.record) === undefined) return undefined
  if (parcelOutcomeKind(save.before.record) !== undefined) return undefined
  return parcelOutcome(save.record, save.events ?? save.before.events, factsOf(save.record.carrier))
}

/** Sortable number of an ISO week: `2026-W09` → 202609. */
export function weekScore(week: string): number {
  return Number(week.slice(0, 4)) * 100 + Number(week.slice(6, 8))
}

export function assertIsoWeek(week: string): void {
  if (!isIsoWeek(week)) throw new RangeError(`not an ISO week (YYYY-Www): ${week}`)
}

/** When a cell-week goes: `retentionMs` after its week ends (Sunday, midnight UTC). */
export function cellExpiresAtMs(week: string, retentionMs: number): number {
  return Date.parse(`${addCalendarDays(isoWeekMonday(week), 7)}T00:00:00Z`) + retentionMs
}

/** The oldest week whose cells are still kept at `nowMs`: every earlier week has expired. */
export function oldestKeptWeek(nowMs: number, retentionMs: number): string {
  return isoWeekOf(new Date(nowMs - retentionMs).toISOString().slice(0, 10))
}
