import { describe, expect, it } from 'vitest'
import type { AnalyticsCell } from '../../../src/domain/analytics/analytics-cell.js'
import { emptySummary } from '../../../src/domain/analytics/cell-summary.js'
import { fieldsOfSummary } from '../../../src/store/redis/analytics-fields.js'
import {
  addMergedByGroup,
  type CachedWeek,
  type CellWeekRead,
  cachedWeek,
  expiredMembers,
  isMergeOf,
  mergedWeeks,
  withChanges,
  withoutExpired,
} from '../../../src/store/redis/analytics-week-cache.js'
import { createTotalsPool, packFields, summaryOfTotals } from '../../../src/store/redis/packed-cells.js'
import { cellMember } from '../../../src/store/redis/redis-keys.js'

const WEEK = '2026-W13'

function read(
  carrier: string,
  destination: string,
  parcels: number,
  expiresAtMs = 1_000,
  week = WEEK,
): CellWeekRead {
  const cell: AnalyticsCell = { merchantId: 'shop-a', carrier, service: '-', destination, week }
  const fields = fieldsOfSummary({ ...emptySummary(), parcels })
  return { member: cellMember(cell), cell, expiresAtMs, row: packFields(fields.flat()) }
}

function parcelsByGroup(
  weeks: CachedWeek | CachedWeek[],
  groupBy: 'carrier' | 'destination',
  carrier?: string,
) {
  const totals = new Map<string, Float64Array>()
  const pool = createTotalsPool()
  addMergedByGroup(totals, mergedWeeks([weeks].flat(), { groupBy, carrier }, pool), pool)
  return Object.fromEntries([...totals].map(([group, total]) => [group, summaryOfTotals(total).parcels]))
}

describe('a cached week of cell-weeks', () => {
  const week = cachedWeek([read('laposte', 'FR-75', 2), read('laposte', 'FR-69', 3), read('dpd', 'FR-75', 5)])

  it('merges its cell-weeks per group, of one carrier when asked', () => {
    expect(parcelsByGroup(week, 'carrier')).toEqual({ laposte: 5, dpd: 5 })
    expect(parcelsByGroup(week, 'destination')).toEqual({ 'FR-75': 7, 'FR-69': 3 })
    expect(parcelsByGroup(week, 'destination', 'laposte')).toEqual({ 'FR-75': 2, 'FR-69': 3 })
  })

  it('comes back with cell-weeks read again, new ones and gone ones, merged anew', () => {
    parcelsByGroup(week, 'carrier')
    const changed = withChanges(
      week,
      [read('laposte', 'FR-75', 4), read('gls', 'FR-13', 1)],
      new Set([read('dpd', 'FR-75', 5).member]),
    )
    expect(parcelsByGroup(changed, 'carrier')).toEqual({ laposte: 7, gls: 1 })
    expect(parcelsByGroup(week, 'carrier')).toEqual({ laposte: 5, dpd: 5 })
  })

  it('comes back without the cell-weeks expired at a time, itself when none is', () => {
    const mixed = cachedWeek([read('laposte', 'FR-75', 2, 500), read('dpd', 'FR-75', 5, 1_000)])
    expect(withoutExpired(mixed, 499)).toBe(mixed)
    expect(parcelsByGroup(withoutExpired(mixed, 500), 'carrier')).toEqual({ dpd: 5 })
    expect(parcelsByGroup(withoutExpired(mixed, 1_000), 'carrier')).toEqual({})
  })

  it('names the cell-weeks expired at a time, those read again since with their new expiry', () => {
    const mixed = cachedWeek([read('laposte', 'FR-75', 2, 500), read('dpd', 'FR-75', 5, 1_000)])
    expect(expiredMembers(mixed, 499)).toEqual([])
    expect(expiredMembers(mixed, 500)).toEqual([read('laposte', 'FR-75', 2).member])
    const readAgain = withChanges(mixed, [read('laposte', 'FR-75', 1, 2_000)], new Set())
    expect(expiredMembers(readAgain, 1_000)).toEqual([read('dpd', 'FR-75', 5).member])
    expect(expiredMembers(withChanges(mixed, [read('gls', 'FR-13', 1, 700)], new Set()), 800).sort()).toEqual(
      [read('laposte', 'FR-75', 2).member, read('gls', 'FR-13', 1).member].sort(),
    )
  })

  it('merges weeks in a row per group, and tells a merge of weeks since changed', () => {
    const next = cachedWeek([
      read('laposte', 'FR-75', 1, 1_000, '2026-W14'),
      read('gls', 'FR-13', 4, 1_000, '2026-W14'),
    ])
    expect(parcelsByGroup([week, next], 'carrier')).toEqual({ laposte: 6, dpd: 5, gls: 4 })
    expect(parcelsByGroup([week, next], 'destination', 'laposte')).toEqual({ 'FR-75': 3, 'FR-69': 3 })
    const merged = mergedWeeks([week, next], { groupBy: 'carrier', carrier: undefined }, createTotalsPool())
    expect(isMergeOf(merged, [week, next])).toBe(true)
    expect(
      isMergeOf(merged, [week, withChanges(next, [read('gls', 'FR-13', 5, 1_000, '2026-W14')], new Set())]),
    ).toBe(false)
    expect(isMergeOf(merged, [week])).toBe(false)
  })

  it('keeps the same groups when cell-weeks read again outnumber those it packs anew after', () => {
    let changed = week
    for (let count = 1; count <= 600; count++)
      changed = withChanges(
        changed,
        [read('laposte', 'FR-75', count), read('ups', `FR-${count}`, 1)],
        new Set(),
      )
    expect(parcelsByGroup(changed, 'carrier')).toEqual({ laposte: 603, dpd: 5, ups: 600 })
    expect(changed.since.length).toBeLessThan(600)
  })
})
