import fc from 'fast-check'
import type { CellSummary } from '../../src/domain/analytics/cell-summary.js'
import {
  BUSINESS_DAY_BUCKETS,
  type HistogramBuckets,
  HOUR_BUCKETS,
  histogramOf,
} from '../../src/domain/analytics/histogram.js'

const count = fc.nat({ max: 5_000 })
const ratio = fc.tuple(count, count).map(([a, b]) => ({ yes: Math.min(a, b), total: Math.max(a, b) }))

export const anyHistogram = (buckets: HistogramBuckets, max: number) =>
  fc
    .array(fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }), { maxLength: 30 })
    .map((values) => histogramOf(buckets, values))

/** Any summary a cell-week may hold (its counts need not agree with each other to be stored or merged). */
export const anySummary: fc.Arbitrary<CellSummary> = fc.record({
  parcels: count,
  delivered: count,
  returned: count,
  expired: count,
  onTime: ratio,
  firstAttempt: ratio,
  pickup: fc.record({ count, collection: anyHistogram(HOUR_BUCKETS, 2000) }),
  exceptions: count,
  stalls: count,
  transitDays: anyHistogram(BUSINESS_DAY_BUCKETS, 40),
  transitHours: anyHistogram(HOUR_BUCKETS, 2000),
  firstScanLag: anyHistogram(HOUR_BUCKETS, 2000),
  reportingLag: anyHistogram(HOUR_BUCKETS, 2000),
})
