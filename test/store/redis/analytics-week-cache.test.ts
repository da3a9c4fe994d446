import { describe, expect, it } from 'vitest'
import type { AnalyticsCell } from '../../../src/domain/analytics/analytics-cell.js'
import { emptySummary } from '../../../src/domain/analytics/cell-summary.js'
import { fieldsOfSummary } from '../../../src/store/redis/analytics-fields.js'
import {
  addWeekByGroup,
  type CachedWeek,
  type CellWeekRead,
  cachedWeek,
  withChanges,
  withoutExpired,
} from '../../../src/store/redis/analytics-week-cache.js'
import { packFields, summaryOfTotals } from '../../../src/store/redis/packed-cells.js'
import { cellMember } from '../../../src/store/redis/redis-keys.js'

const WEEK = '2026-W13'

function read(carrier: string, destination: string, parcels: number, expiresAtMs = 1_000): CellWeekRead {
  const cell: AnalyticsCell = { merchantId: 'shop-a', carrier, service: '-', destination, week: WEEK }
  const fields = fieldsOfSummary({ ...emptySummary(), parcels })
  return { member: cellMember(cell), cell, expiresAtMs, row: packFields(fields.flat()) }
}

function parcelsByGroup(week: CachedWeek, groupBy: 'carrier' | 'destination', carrier?: string) {
  const totals = new Map<string, Float64Array>()
  addWeekByGroup(totals, week, groupBy, carrier)
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
})
