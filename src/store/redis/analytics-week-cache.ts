import type { AnalyticsCell } from '../../domain/analytics/analytics-cell.js'
import { type GroupBy, groupKey } from '../../domain/analytics/cell-summary.js'
import {
  addRow,
  emptyTotals,
  type PackedRow,
  type PackedRows,
  packRows,
  rowOfTotals,
  selectRows,
} from './packed-cells.js'

/**
 * One week of an index's cell-weeks as the read cache keeps them: packed, and merged per group for each
 * grouping asked so far. A week whose cell-weeks change is replaced by another, merges and all.
 */

/** A cell-week as read from Redis. */
export interface CellWeekRead {
  member: string
  cell: AnalyticsCell
  /** When its hash expires (ms); Infinity when it has no expiry. */
  expiresAtMs: number
  row: PackedRow
}

interface Grouped {
  groups: string[]
  rows: PackedRows
}

export interface CachedWeek {
  members: readonly string[]
  cells: readonly AnalyticsCell[]
  expiresAtMs: readonly number[]
  rows: PackedRows
  /** The soonest expiry of its cell-weeks (ms). */
  firstExpiryMs: number
  /** Its rows merged per group, by grouping (`groupBy` and carrier) asked so far. */
  grouped: Map<string, Grouped>
}

export function cachedWeek(reads: readonly CellWeekRead[]): CachedWeek {
  return {
    members: reads.map((read) => read.member),
    cells: reads.map((read) => read.cell),
    expiresAtMs: reads.map((read) => read.expiresAtMs),
    rows: packRows(reads.map((read) => read.row)),
    firstExpiryMs: reads.reduce(
      (soonest, read) => Math.min(soonest, read.expiresAtMs),
      Number.POSITIVE_INFINITY,
    ),
    grouped: new Map(),
  }
}

/** Pairs of slot and value the week holds: what its memory grows with. */
export function heldPairs(week: CachedWeek): number {
  return week.rows.slots.length
}

/** The week keeping its cell-weeks at `indexes` and adding `more`. */
function keeping(week: CachedWeek, indexes: readonly number[], more: readonly CellWeekRead[]): CachedWeek {
  const expiresAtMs = [
    ...indexes.map((index) => week.expiresAtMs[index] as number),
    ...more.map((read) => read.expiresAtMs),
  ]
  return {
    members: [...indexes.map((index) => week.members[index] as string), ...more.map((read) => read.member)],
    cells: [...indexes.map((index) => week.cells[index] as AnalyticsCell), ...more.map((read) => read.cell)],
    expiresAtMs,
    rows: selectRows(
      week.rows,
      indexes,
      more.map((read) => read.row),
    ),
    firstExpiryMs: expiresAtMs.reduce((soonest, at) => Math.min(soonest, at), Number.POSITIVE_INFINITY),
    grouped: new Map(),
  }
}

/**
 * The week with its cell-weeks read again: each member of `reads` replaces the cell-week it names or
 * joins the week, each of `gone` leaves it.
 */
export function withChanges(
  week: CachedWeek,
  reads: readonly CellWeekRead[],
  gone: ReadonlySet<string>,
): CachedWeek {
  const replaced = new Set(reads.map((read) => read.member))
  const kept = [...week.members.keys()].filter((index) => {
    const member = week.members[index] as string
    return !gone.has(member) && !replaced.has(member)
  })
  return keeping(week, kept, reads)
}

/** The week without the cell-weeks expired at `nowMs`, as Redis has them gone. */
export function withoutExpired(week: CachedWeek, nowMs: number): CachedWeek {
  if (week.firstExpiryMs > nowMs) return week
  return keeping(
    week,
    [...week.expiresAtMs.keys()].filter((index) => (week.expiresAtMs[index] as number) > nowMs),
    [],
  )
}

function groupedOf(week: CachedWeek, groupBy: GroupBy, carrier: string | undefined): Grouped {
  const name = `${groupBy}:${carrier ?? ''}`
  const known = week.grouped.get(name)
  if (known) return known
  const totals = new Map<string, Float64Array>()
  for (const [index, cell] of week.cells.entries()) {
    if (carrier !== undefined && cell.carrier !== carrier) continue
    const group = groupKey(cell, groupBy)
    let total = totals.get(group)
    if (!total) {
      total = emptyTotals()
      totals.set(group, total)
    }
    addRow(total, week.rows, index)
  }
  const grouped = { groups: [...totals.keys()], rows: packRows([...totals.values()].map(rowOfTotals)) }
  week.grouped.set(name, grouped)
  return grouped
}

/** Adds the week's cell-weeks (of `carrier` only, when given) to the total of their group, in place. */
export function addWeekByGroup(
  totals: Map<string, Float64Array>,
  week: CachedWeek,
  groupBy: GroupBy,
  carrier: string | undefined,
): void {
  const { groups, rows } = groupedOf(week, groupBy, carrier)
  for (const [index, group] of groups.entries()) {
    let total = totals.get(group)
    if (!total) {
      total = emptyTotals()
      totals.set(group, total)
    }
    addRow(total, rows, index)
  }
}
