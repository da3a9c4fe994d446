import { groupSummaries } from '../../domain/analytics/carrier-report.js'
import { addOutcome, emptySummary } from '../../domain/analytics/cell-summary.js'
import type { ParcelOutcome } from '../../domain/analytics/parcel-outcome.js'
import {
  ALL_MERCHANTS,
  type AnalyticsStore,
  assertIsoWeek,
  cellExpiresAtMs,
  type StoredCell,
  weekScore,
} from '../analytics-store.js'

/** The memory twin of the Redis cell-weeks; the memory tracking store adds the parcels it finishes. */
export interface MemoryAnalyticsStore extends AnalyticsStore {
  /** Adds a finished parcel to its cell-week (once per parcel: the caller's to see to). */
  add(outcome: ParcelOutcome): void
}

export function createMemoryAnalyticsStore(
  options: { retentionMs: number; now?: () => number } = { retentionMs: Number.POSITIVE_INFINITY },
): MemoryAnalyticsStore {
  const now = options.now ?? Date.now
  const cells = new Map<string, StoredCell & { expiresAtMs: number }>()
  const keyOf = ({ cell }: Pick<StoredCell, 'cell'>) =>
    JSON.stringify([cell.merchantId, cell.carrier, cell.service, cell.destination, cell.week])
  const store: MemoryAnalyticsStore = {
    add(outcome) {
      const expiresAtMs = cellExpiresAtMs(outcome.cell.week, options.retentionMs)
      if (expiresAtMs <= now()) return
      const key = keyOf(outcome)
      const kept = cells.get(key)
      cells.set(key, {
        cell: structuredClone(outcome.cell),
        summary: addOutcome(kept?.summary ?? emptySummary(), outcome),
        expiresAtMs,
      })
    },
    async cells(merchantId, fromWeek, toWeek, carrier) {
      assertIsoWeek(fromWeek)
      assertIsoWeek(toWeek)
      const nowMs = now()
      return [...cells.values()]
        .filter(
          ({ cell, expiresAtMs }) =>
            expiresAtMs > nowMs &&
            (merchantId === ALL_MERCHANTS || cell.merchantId === merchantId) &&
            (carrier === undefined || cell.carrier === carrier) &&
            weekScore(cell.week) >= weekScore(fromWeek) &&
            weekScore(cell.week) <= weekScore(toWeek),
        )
        .map(({ cell, summary }) => ({ cell: structuredClone(cell), summary }))
    },
    async summariesByGroup(merchantId, query) {
      return groupSummaries(await store.cells(merchantId, query.fromWeek, query.toWeek, query.carrier), query)
    },
  }
  return store
}
