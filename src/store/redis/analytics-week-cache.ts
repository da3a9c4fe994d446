import type { AnalyticsCell } from '../../domain/analytics/analytics-cell.js'
import { type GroupBy, groupKey } from '../../domain/analytics/cell-summary.js'
import {
  addOneRow,
  addRow,
  type PackedRow,
  type PackedRows,
  packRows,
  rowOfTotals,
  selectRows,
  type TotalsPool,
} from './packed-cells.js'

/**
 * One week of an index's cell-weeks as the read cache keeps them: packed, and merged per group for each
 * grouping asked so far. A week whose cell-weeks change is replaced by another, merges and all; the
 * cell-weeks read again join it as they are, and only so many of them make it pack the week anew: a
 * week packed again at each count would churn memory outside the heap, and full collections with it.
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

/** Cell-weeks packed together. */
interface PackedWeek {
  members: readonly string[]
  cells: readonly AnalyticsCell[]
  expiresAtMs: readonly number[]
  rows: PackedRows
}

export interface CachedWeek {
  packed: PackedWeek
  /** Packed cell-weeks read again or gone since: their index in `packed`. */
  replaced: ReadonlySet<number>
  /** Cell-weeks read since the week was packed, as they are now. */
  since: readonly CellWeekRead[]
  /** No cell-week of the week expires before (ms). */
  firstExpiryMs: number
  /** Its cell-weeks merged per group, by grouping (`groupBy` and carrier) asked so far. */
  grouped: Map<string, Grouped>
}

/** Cell-weeks read again since a week was packed before it is packed anew. */
const PACK_AFTER = 256

const soonestOf = (expiries: readonly number[]) =>
  expiries.reduce((soonest, at) => Math.min(soonest, at), Number.POSITIVE_INFINITY)

/** The packed cell-weeks at `indexes` of `packed`, then `more`, packed together. */
function packedAnew(
  packed: PackedWeek,
  indexes: readonly number[],
  more: readonly CellWeekRead[],
): CachedWeek {
  const expiresAtMs = [
    ...indexes.map((index) => packed.expiresAtMs[index] as number),
    ...more.map((read) => read.expiresAtMs),
  ]
  return {
    packed: {
      members: [
        ...indexes.map((index) => packed.members[index] as string),
        ...more.map((read) => read.member),
      ],
      cells: [
        ...indexes.map((index) => packed.cells[index] as AnalyticsCell),
        ...more.map((read) => read.cell),
      ],
      expiresAtMs,
      rows: selectRows(
        packed.rows,
        indexes,
        more.map((read) => read.row),
      ),
    },
    replaced: new Set(),
    since: [],
    firstExpiryMs: soonestOf(expiresAtMs),
    grouped: new Map(),
  }
}

const NOTHING_PACKED: PackedWeek = { members: [], cells: [], expiresAtMs: [], rows: packRows([]) }

export function cachedWeek(reads: readonly CellWeekRead[]): CachedWeek {
  return packedAnew(NOTHING_PACKED, [], reads)
}

/** The indexes of the packed cell-weeks that are still current. */
function currentIndexes(week: CachedWeek): number[] {
  return [...week.packed.members.keys()].filter((index) => !week.replaced.has(index))
}

/** Pairs of slot and value the week holds: what its memory grows with. */
export function heldPairs(week: CachedWeek): number {
  return week.since.reduce((pairs, read) => pairs + read.row.slots.length, week.packed.rows.slots.length)
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
  const changed = new Set([...reads.map((read) => read.member), ...gone])
  const replaced = new Set(week.replaced)
  for (const [index, member] of week.packed.members.entries()) if (changed.has(member)) replaced.add(index)
  const since = [...week.since.filter((read) => !changed.has(read.member)), ...reads]
  const changedWeek = {
    packed: week.packed,
    replaced,
    since,
    // Cell-weeks gone can only make it later: the week is packed anew when it comes.
    firstExpiryMs: Math.min(week.firstExpiryMs, soonestOf(reads.map((read) => read.expiresAtMs))),
    grouped: new Map(),
  }
  return since.length > PACK_AFTER ? packedAnew(week.packed, currentIndexes(changedWeek), since) : changedWeek
}

/** The cell-weeks of the week that expire at `nowMs` or before. */
export function expiredMembers(week: CachedWeek, nowMs: number): string[] {
  if (week.firstExpiryMs > nowMs) return []
  return [
    ...currentIndexes(week)
      .filter((index) => (week.packed.expiresAtMs[index] as number) <= nowMs)
      .map((index) => week.packed.members[index] as string),
    ...week.since.filter((read) => read.expiresAtMs <= nowMs).map((read) => read.member),
  ]
}

/** The week without the cell-weeks expired at `nowMs`, as Redis has them gone. */
export function withoutExpired(week: CachedWeek, nowMs: number): CachedWeek {
  if (week.firstExpiryMs > nowMs) return week
  return packedAnew(
    week.packed,
    currentIndexes(week).filter((index) => (week.packed.expiresAtMs[index] as number) > nowMs),
    week.since.filter((read) => read.expiresAtMs > nowMs),
  )
}

function totalOf(totals: Map<string, Float64Array>, group: string, pool: TotalsPool): Float64Array {
  let total = totals.get(group)
  if (!total) {
    total = pool.take()
    totals.set(group, total)
  }
  return total
}

function groupedOfTotals(totals: ReadonlyMap<string, Float64Array>): Grouped {
  return { groups: [...totals.keys()], rows: packRows([...totals.values()].map(rowOfTotals)) }
}

function addGrouped(totals: Map<string, Float64Array>, { groups, rows }: Grouped, pool: TotalsPool): void {
  for (const [index, group] of groups.entries()) addRow(totalOf(totals, group, pool), rows, index)
}

/** A grouping: how cell-weeks are grouped, and of which carrier when only one. */
export interface Grouping {
  groupBy: GroupBy
  carrier: string | undefined
}

function groupedOf(week: CachedWeek, { groupBy, carrier }: Grouping, pool: TotalsPool): Grouped {
  const name = `${groupBy}:${carrier ?? ''}`
  const known = week.grouped.get(name)
  if (known) return known
  const totals = new Map<string, Float64Array>()
  const { packed, replaced } = week
  for (const [index, cell] of packed.cells.entries()) {
    if (!replaced.has(index) && (carrier === undefined || cell.carrier === carrier))
      addRow(totalOf(totals, groupKey(cell, groupBy), pool), packed.rows, index)
  }
  for (const { cell, row } of week.since) {
    if (carrier === undefined || cell.carrier === carrier)
      addOneRow(totalOf(totals, groupKey(cell, groupBy), pool), row)
  }
  const grouped = groupedOfTotals(totals)
  week.grouped.set(name, grouped)
  return grouped
}

/** Weeks in a row merged per group for one grouping, so that a report of many weeks merges fewer rows. */
export interface MergedWeeks {
  weeks: readonly CachedWeek[]
  grouped: Grouped
}

/** Merges `weeks` per group, with totals from `pool`. */
export function mergedWeeks(weeks: readonly CachedWeek[], grouping: Grouping, pool: TotalsPool): MergedWeeks {
  const totals = new Map<string, Float64Array>()
  for (const week of weeks) addGrouped(totals, groupedOf(week, grouping, pool), pool)
  return { weeks, grouped: groupedOfTotals(totals) }
}

/** Whether `merged` merges these very weeks: a week changed since is another object. */
export function isMergeOf(merged: MergedWeeks, weeks: readonly CachedWeek[]): boolean {
  return merged.weeks.length === weeks.length && merged.weeks.every((week, index) => week === weeks[index])
}

/** Adds the merged weeks' groups to `totals`, in place; a group's first total comes from `pool`. */
export function addMergedByGroup(
  totals: Map<string, Float64Array>,
  merged: MergedWeeks,
  pool: TotalsPool,
): void {
  addGrouped(totals, merged.grouped, pool)
}
