import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CellSummary, emptySummary, mergeSummaries } from '../../../src/domain/analytics/cell-summary.js'
import { BUSINESS_DAY_BUCKETS, histogramOf } from '../../../src/domain/analytics/histogram.js'
import { fieldsOfSummary } from '../../../src/store/redis/analytics-fields.js'
import {
  addRow,
  createTotalsPool,
  emptyTotals,
  packFields,
  packRows,
  rowOfTotals,
  summaryOfRow,
  summaryOfTotals,
} from '../../../src/store/redis/packed-cells.js'
import { anySummary } from '../../support/analytics-arbitraries.js'

/** The hash a cell-week holding `summary` has, as HGETALL lists it. */
const hashOf = (summary: CellSummary) =>
  fieldsOfSummary(summary).flatMap(([field, value]) => [field, String(value)])

/** The total of some cell-weeks' hashes, merged as the read cache merges them. */
function totalOf(summaries: readonly CellSummary[]): Float64Array {
  const rows = packRows(summaries.map((summary) => packFields(hashOf(summary))))
  const totals = emptyTotals()
  for (const index of summaries.keys()) addRow(totals, rows, index)
  return totals
}

describe('packed cell-weeks', () => {
  it("read back the summary a cell-week's hash was written with", () => {
    fc.assert(
      fc.property(anySummary, (summary) => {
        expect(summaryOfRow(packFields(hashOf(summary)))).toEqual(summary)
      }),
    )
  })

  it('merge into the summary of all their parcels, whatever the order or the grouping', () => {
    fc.assert(
      fc.property(fc.array(anySummary, { maxLength: 6 }), (summaries) => {
        const merged = summaries.reduce(mergeSummaries, emptySummary())
        expect(summaryOfTotals(totalOf(summaries))).toEqual(merged)
        expect(summaryOfTotals(totalOf([...summaries].reverse()))).toEqual(merged)
        // A total packed as a row merges as the cell-weeks it sums: as a week's groups are kept.
        const half = Math.floor(summaries.length / 2)
        const halves = packRows([
          rowOfTotals(totalOf(summaries.slice(0, half))),
          rowOfTotals(totalOf(summaries.slice(half))),
        ])
        const totals = emptyTotals()
        addRow(totals, halves, 0)
        addRow(totals, halves, 1)
        expect(summaryOfTotals(totals)).toEqual(merged)
      }),
    )
  })

  it('take totals from a pool empty each time, the pool growing as needed', () => {
    const pool = createTotalsPool()
    const totals = Array.from({ length: 600 }, () => pool.take())
    for (const total of totals) total.set(totalOf([{ ...emptySummary(), parcels: 1 }]))
    expect(new Set(totals.map((total) => total.buffer)).size).toBeGreaterThan(1)
    expect(totals.every((total) => summaryOfTotals(total).parcels === 1)).toBe(true)
    pool.release()
    expect(summaryOfTotals(pool.take())).toEqual(emptySummary())
  })

  it('keep a smallest value of zero', () => {
    const summary = { ...emptySummary(), transitDays: histogramOf(BUSINESS_DAY_BUCKETS, [0, 0]) }
    expect(summaryOfTotals(totalOf([summary])).transitDays).toMatchObject({ minMilli: 0, maxMilli: 0 })
    expect(rowOfTotals(totalOf([summary])).values).toContain(0)
  })

  it('refuse what no cell-week holds: a sum without values, values without extremes, more yes than total', () => {
    for (const fields of [
      ['td:s', '5'],
      ['td:3', '2', 'td:s', '6000'],
      ['td:3', '2', 'td:s', '6000', 'td:lo', '3000', 'td:hi', '2000'],
      ['ot:y', '2', 'ot', '1'],
    ])
      expect(() => summaryOfRow(packFields(fields)), fields.join(' ')).toThrow(RangeError)
  })

  it('leave out fields colis does not count, and refuse a value that is not a whole number', () => {
    expect(packFields(['an', '1', 'n', '2'])).toEqual(packFields(['n', '2']))
    expect(packFields([-1, 'n', '2'], 1)).toEqual(packFields(['n', '2']))
    expect(() => packFields(['n', 'two'])).toThrow(RangeError)
    expect(() => packFields(['td:s', '1.5'])).toThrow(RangeError)
  })
})
