import type { CellSummary, Ratio } from '../../domain/analytics/cell-summary.js'
import type { Histogram } from '../../domain/analytics/histogram.js'
import { COUNTS, HISTOGRAM_BUCKETS, HISTOGRAMS, RATIOS } from './analytics-fields.js'

/**
 * Cell-weeks as numbers only, for the read cache and for merging many of them: every field a cell-week's
 * hash may hold has a slot; a cell-week is its fields' slots with their values (a packed row), and a
 * group's total is one number per slot (totals), merged in place. Numbers are what the hash holds
 * (counts, sums, smallest and largest values in thousandths), so merging them is exact.
 */

const ADD = 0
const LEAST = 1
const MOST = 2

/** Every field's slot: the counts and sums first, then the smallest and largest values. */
function layout() {
  const added: string[] = []
  const extremes: Array<[field: string, kind: number]> = []
  for (const name of COUNTS) added.push(name)
  for (const name of RATIOS) added.push(name, `${name}:y`)
  for (const name of HISTOGRAMS) {
    for (const [index] of HISTOGRAM_BUCKETS[name].lowerEdges.entries()) added.push(`${name}:${index}`)
    added.push(`${name}:s`)
    extremes.push([`${name}:lo`, LEAST], [`${name}:hi`, MOST])
  }
  const fields = [...added, ...extremes.map(([field]) => field)]
  return {
    slotOfField: new Map(fields.map((field, index) => [field, index])),
    kinds: Uint8Array.from([...added.map(() => ADD), ...extremes.map(([, kind]) => kind)]),
    firstExtreme: added.length,
  }
}

const { slotOfField: SLOT_OF_FIELD, kinds: KIND_OF_SLOT, firstExtreme: FIRST_EXTREME } = layout()
const SLOT_COUNT = KIND_OF_SLOT.length
const slotOf = (field: string) => SLOT_OF_FIELD.get(field) ?? -1

/** Where each histogram's fields are: its buckets' slots in a row from `first`, then its sum, smallest, largest. */
const HISTOGRAM_SLOTS = Object.fromEntries(
  HISTOGRAMS.map((name) => [
    name,
    {
      first: slotOf(`${name}:0`),
      sum: slotOf(`${name}:s`),
      least: slotOf(`${name}:lo`),
      most: slotOf(`${name}:hi`),
    },
  ]),
) as Record<(typeof HISTOGRAMS)[number], { first: number; sum: number; least: number; most: number }>

/** Row `i` of `rows`: its slots and values from `offsets[i]` up to `offsets[i + 1]`. */
export interface PackedRows {
  offsets: Uint32Array
  slots: Uint16Array
  values: Float64Array
}

const NO_ROWS: PackedRows = {
  offsets: new Uint32Array(1),
  slots: new Uint16Array(),
  values: new Float64Array(),
}

/** One cell-week's fields as slots and values. */
export interface PackedRow {
  slots: number[]
  values: number[]
}

/**
 * The row of a cell-week's hash, from its fields and values in turn (HGETALL's list) from `first` on;
 * fields colis does not count (the parcel mark of another layout, say) are left out. Throws on a value
 * that is not a whole number.
 */
export function packFields(fieldsAndValues: readonly unknown[], first = 0): PackedRow {
  const slots: number[] = []
  const values: number[] = []
  for (let at = first; at + 1 < fieldsAndValues.length; at += 2) {
    const slot = SLOT_OF_FIELD.get(String(fieldsAndValues[at]))
    if (slot === undefined) continue
    const value = Number(fieldsAndValues[at + 1])
    if (!Number.isSafeInteger(value))
      throw new RangeError(`cell-week field ${fieldsAndValues[at]} is ${fieldsAndValues[at + 1]}`)
    slots.push(slot)
    values.push(value)
  }
  return { slots, values }
}

/** Rows laid end to end, in the order given. */
export function packRows(rows: readonly PackedRow[]): PackedRows {
  return selectRows(NO_ROWS, [], rows)
}

/** Rows `indexes` of `rows` (copied as they are), then `more`: a week keeping some cell-weeks and adding others. */
export function selectRows(
  rows: PackedRows,
  indexes: readonly number[],
  more: readonly PackedRow[],
): PackedRows {
  const offsets = new Uint32Array(indexes.length + more.length + 1)
  let length = 0
  for (const [at, index] of indexes.entries()) {
    length += (rows.offsets[index + 1] ?? 0) - (rows.offsets[index] ?? 0)
    offsets[at + 1] = length
  }
  for (const [at, row] of more.entries()) {
    length += row.slots.length
    offsets[indexes.length + at + 1] = length
  }
  const slots = new Uint16Array(length)
  const values = new Float64Array(length)
  for (const [at, index] of indexes.entries()) {
    const [from, to] = [rows.offsets[index] ?? 0, rows.offsets[index + 1] ?? 0]
    slots.set(rows.slots.subarray(from, to), offsets[at])
    values.set(rows.values.subarray(from, to), offsets[at])
  }
  for (const [at, row] of more.entries()) {
    slots.set(row.slots, offsets[indexes.length + at])
    values.set(row.values, offsets[indexes.length + at])
  }
  return { offsets, slots, values }
}

const EMPTY_TOTALS = (() => {
  const totals = new Float64Array(SLOT_COUNT)
  for (const [slot, kind] of KIND_OF_SLOT.entries()) {
    if (kind === LEAST) totals[slot] = Number.POSITIVE_INFINITY
    else if (kind === MOST) totals[slot] = Number.NEGATIVE_INFINITY
  }
  return totals
})()

/** The total of no cell-week: every count zero, no smallest or largest value. */
export function emptyTotals(): Float64Array {
  return EMPTY_TOTALS.slice()
}

/** Totals handed out from buffers that live on (see `createTotalsPool`). */
export interface TotalsPool {
  /** An empty total, valid until the next `release()`. */
  take(): Float64Array
  /** Lets every total taken be handed out again. */
  release(): void
}

/**
 * Totals for merges done at once, cut from one buffer kept from merge to merge: a report merging
 * hundreds of groups would otherwise allocate as many buffers outside the heap, and their garbage sets
 * off full collections of a heap that holds the whole cache.
 */
export function createTotalsPool(): TotalsPool {
  let buffer = new Float64Array(256 * SLOT_COUNT)
  let taken = 0
  return {
    take() {
      if ((taken + 1) * SLOT_COUNT > buffer.length) {
        // Totals already taken keep the old buffer; it goes once they are released.
        buffer = new Float64Array(2 * buffer.length)
        taken = 0
      }
      const total = buffer.subarray(taken * SLOT_COUNT, (taken + 1) * SLOT_COUNT)
      total.set(EMPTY_TOTALS)
      taken++
      return total
    },
    release() {
      taken = 0
    },
  }
}

function addPairs(
  totals: Float64Array,
  slots: ArrayLike<number>,
  values: ArrayLike<number>,
  from: number,
  to: number,
): void {
  for (let at = from; at < to; at++) {
    const slot = slots[at] as number
    const value = values[at] as number
    const total = totals[slot] as number
    if (slot < FIRST_EXTREME) totals[slot] = total + value
    else if (KIND_OF_SLOT[slot] === LEAST ? value < total : value > total) totals[slot] = value
  }
}

/** Adds row `index` of `rows` to `totals`, in place. */
export function addRow(totals: Float64Array, rows: PackedRows, index: number): void {
  const to = rows.offsets[index + 1] ?? 0
  addPairs(totals, rows.slots, rows.values, rows.offsets[index] ?? to, to)
}

/** Adds `row` to `totals`, in place. */
export function addOneRow(totals: Float64Array, row: PackedRow): void {
  addPairs(totals, row.slots, row.values, 0, row.slots.length)
}

/** `totals` as a row: only the slots that hold something (a count not zero, a smallest value…). */
export function rowOfTotals(totals: Float64Array): PackedRow {
  const slots: number[] = []
  const values: number[] = []
  for (let slot = 0; slot < totals.length; slot++) {
    const value = totals[slot] as number
    if (slot < FIRST_EXTREME ? value !== 0 : Number.isFinite(value)) {
      slots.push(slot)
      values.push(value)
    }
  }
  return { slots, values }
}

function invalid(what: string): RangeError {
  return new RangeError(`not the total of cell-weeks: ${what}`)
}

/** A count of the totals, at `slot`: a whole number, never negative. */
function countAt(totals: Float64Array, slot: number): number {
  const value = totals[slot] ?? 0
  if (!(Number.isSafeInteger(value) && value >= 0)) throw invalid(`slot ${slot} is ${value}`)
  return value
}

function ratioAt(totals: Float64Array, name: string): Ratio {
  const ratio = { yes: countAt(totals, slotOf(`${name}:y`)), total: countAt(totals, slotOf(name)) }
  if (ratio.yes > ratio.total) throw invalid(`${name}:y is more than ${name}`)
  return ratio
}

/**
 * A histogram of the totals, on its preset's buckets: its sum, smallest and largest value come with
 * values, and only with them (decodeHistogram's rules, read off the slots without an encoded form).
 */
function histogramAt(totals: Float64Array, name: (typeof HISTOGRAMS)[number]): Histogram {
  const buckets = HISTOGRAM_BUCKETS[name]
  const { first, sum, least, most } = HISTOGRAM_SLOTS[name]
  const counts: number[] = []
  let values = 0
  for (let slot = first; slot < first + buckets.lowerEdges.length; slot++) {
    const count = totals[slot] as number
    if (!(Number.isSafeInteger(count) && count >= 0)) throw invalid(`slot ${slot} is ${count}`)
    counts.push(count)
    values += count
  }
  const sumMilli = countAt(totals, sum)
  const [minMilli = Number.NaN, maxMilli = Number.NaN] = [totals[least], totals[most]]
  const extremes = [minMilli, maxMilli].filter((value) => Number.isFinite(value)).length
  if (values === 0 && extremes === 0 && sumMilli === 0) return { buckets, counts, sumMilli }
  if (values === 0 || extremes < 2 || minMilli > maxMilli)
    throw invalid(`${name} has ${values} values, its smallest ${minMilli}, its largest ${maxMilli}`)
  return { buckets, counts, sumMilli, minMilli, maxMilli }
}

const COUNT_SLOTS = Object.fromEntries(COUNTS.map((name) => [name, slotOf(name)])) as Record<
  (typeof COUNTS)[number],
  number
>

/** The summary `totals` stand for; throws on totals no cell-week gives (a sum without values, say). */
export function summaryOfTotals(totals: Float64Array): CellSummary {
  return {
    parcels: countAt(totals, COUNT_SLOTS.n),
    delivered: countAt(totals, COUNT_SLOTS.d),
    returned: countAt(totals, COUNT_SLOTS.r),
    expired: countAt(totals, COUNT_SLOTS.x),
    onTime: ratioAt(totals, 'ot'),
    firstAttempt: ratioAt(totals, 'fa'),
    pickup: { count: countAt(totals, COUNT_SLOTS.pu), collection: histogramAt(totals, 'pc') },
    exceptions: countAt(totals, COUNT_SLOTS.ex),
    stalls: countAt(totals, COUNT_SLOTS.st),
    transitDays: histogramAt(totals, 'td'),
    transitHours: histogramAt(totals, 'th'),
    firstScanLag: histogramAt(totals, 'fs'),
    reportingLag: histogramAt(totals, 'rl'),
  }
}

/** The summary of a cell-week's packed row. */
export function summaryOfRow(row: PackedRow): CellSummary {
  const totals = emptyTotals()
  addRow(totals, packRows([row]), 0)
  return summaryOfTotals(totals)
}
