import { type CellSummary, encodeSummary } from '../../domain/analytics/cell-summary.js'
import {
  BUSINESS_DAY_BUCKETS,
  type HistogramBuckets,
  HOUR_BUCKETS,
} from '../../domain/analytics/histogram.js'

/**
 * A cell-week as the fields of one Redis hash, so a finished parcel adds itself with HINCRBY in the
 * script that saves it: a counter per count (`n`, `d`, `ot`, `ot:y`…), and per histogram a counter
 * per bucket in use (`td:4`), the sum (`td:s`), and the smallest and largest value (`td:lo`, `td:hi`).
 */

export const COUNTS = ['n', 'd', 'r', 'x', 'pu', 'ex', 'st'] as const
/** Each counts its total under its name and its yes under `<name>:y`. */
export const RATIOS = ['ot', 'fa'] as const
export const HISTOGRAMS = ['pc', 'td', 'th', 'fs', 'rl'] as const

/** The buckets of each histogram field, as the summary keeps it. */
export const HISTOGRAM_BUCKETS: Readonly<Record<(typeof HISTOGRAMS)[number], HistogramBuckets>> = {
  pc: HOUR_BUCKETS,
  td: BUSINESS_DAY_BUCKETS,
  th: HOUR_BUCKETS,
  fs: HOUR_BUCKETS,
  rl: HOUR_BUCKETS,
}

type Field = [field: string, value: number]

/** What a summary adds to a cell-week's hash: counters to add, values to keep the least and the most of. */
export interface CellIncrements {
  add: Field[]
  least: Field[]
  most: Field[]
}

/** The increments that add `summary` (usually of one parcel) to a cell-week; zero counts left out. */
export function cellIncrements(summary: CellSummary): CellIncrements {
  const encoded = encodeSummary(summary)
  const add: Field[] = []
  const least: Field[] = []
  const most: Field[] = []
  const addCount = (field: string, value: number) => {
    if (value !== 0) add.push([field, value])
  }
  for (const name of COUNTS) addCount(name, encoded[name])
  for (const name of RATIOS) {
    const [yes, total] = encoded[name]
    addCount(name, total)
    addCount(`${name}:y`, yes)
  }
  for (const name of HISTOGRAMS) {
    const { c, s, lo, hi } = encoded[name]
    for (const [index, count] of c.entries()) addCount(`${name}:${index}`, count)
    // Written even when zero: it marks the histogram as holding values.
    if (s !== undefined) add.push([`${name}:s`, s])
    if (lo !== undefined) least.push([`${name}:lo`, lo])
    if (hi !== undefined) most.push([`${name}:hi`, hi])
  }
  return { add, least, most }
}

/** The fields of a cell-week's hash that holds `summary` and nothing else: its parcels' increments added up. */
export function fieldsOfSummary(summary: CellSummary): Array<[field: string, value: number]> {
  const { add, least, most } = cellIncrements(summary)
  return [...add, ...least, ...most]
}
