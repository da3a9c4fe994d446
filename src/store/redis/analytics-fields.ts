import {
  type CellSummary,
  decodeSummary,
  type EncodedSummary,
  encodeSummary,
} from '../../domain/analytics/cell-summary.js'
import type { EncodedHistogram } from '../../domain/analytics/histogram.js'

/**
 * A cell-week as the fields of one Redis hash, so a finished parcel adds itself with HINCRBY in the
 * script that saves it: a counter per count (`n`, `d`, `ot`, `ot:y`…), and per histogram a counter
 * per bucket in use (`td:4`), the sum (`td:s`), and the smallest and largest value (`td:lo`, `td:hi`).
 */

const COUNTS = ['n', 'd', 'r', 'x', 'pu', 'ex', 'st'] as const
const RATIOS = ['ot', 'fa'] as const
const HISTOGRAMS = ['pc', 'td', 'th', 'fs', 'rl'] as const

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

/** The summary a cell-week's hash holds; throws on a hash no script wrote. */
export function summaryOfFields(fields: Readonly<Record<string, string>>): CellSummary {
  const number = (field: string) => (fields[field] === undefined ? undefined : Number(fields[field]))
  const count = (field: string) => number(field) ?? 0
  const histogram = (name: string): EncodedHistogram => {
    const counts: number[] = []
    for (const [field, value] of Object.entries(fields)) {
      const bucket = field.startsWith(`${name}:`) ? field.slice(name.length + 1) : ''
      if (/^\d+$/.test(bucket)) counts[Number(bucket)] = Number(value)
    }
    const c = Array.from(counts, (value) => value ?? 0)
    const s = number(`${name}:s`)
    const lo = number(`${name}:lo`)
    const hi = number(`${name}:hi`)
    return s === undefined ? { c } : { c, s, lo, hi }
  }
  const encoded: EncodedSummary = {
    n: count('n'),
    d: count('d'),
    r: count('r'),
    x: count('x'),
    ot: [count('ot:y'), count('ot')],
    fa: [count('fa:y'), count('fa')],
    pu: count('pu'),
    pc: histogram('pc'),
    ex: count('ex'),
    st: count('st'),
    td: histogram('td'),
    th: histogram('th'),
    fs: histogram('fs'),
    rl: histogram('rl'),
  }
  return decodeSummary(encoded)
}
