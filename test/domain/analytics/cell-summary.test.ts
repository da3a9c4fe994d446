import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addOutcome,
  bytesPerCellWeek,
  type CellSummary,
  decodeSummary,
  emptySummary,
  encodeSummary,
  groupKey,
  mergeSummaries,
} from '../../../src/domain/analytics/cell-summary.js'
import {
  addToBucketCounts,
  bucketIndexOf,
  countOf,
  HOUR_BUCKETS,
  histogramOf,
  quantileOf,
} from '../../../src/domain/analytics/histogram.js'
import {
  type AnalyticsCell,
  PARCEL_OUTCOMES,
  type ParcelMetrics,
  type ParcelOutcome,
} from '../../../src/domain/analytics/parcel-outcome.js'
import { reportingLagHistogram } from '../../../src/domain/analytics/reporting-lag.js'

const CELL: AnalyticsCell = {
  merchantId: 'shop-a',
  carrier: 'acme',
  service: 'express',
  destination: 'FR-75',
  week: '2026-W10',
}

const hours = (max: number) => fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true })

const arbitraryOutcome: fc.Arbitrary<ParcelOutcome> = fc
  .record({
    outcome: fc.constantFrom(...PARCEL_OUTCOMES),
    transitBusinessDays: fc.integer({ min: 0, max: 35 }),
    transitHours: hours(1000),
    firstScanLagHours: fc.option(hours(200), { nil: undefined }),
    onTime: fc.option(fc.boolean(), { nil: undefined }),
    firstAttemptSuccess: fc.boolean(),
    collectionHours: fc.option(hours(300), { nil: undefined }),
    exception: fc.boolean(),
    stalled: fc.boolean(),
    reportingLag: fc.oneof(
      fc.array(hours(100), { maxLength: 5 }).map((values) => histogramOf(HOUR_BUCKETS, values)),
      fc.array(hours(100), { maxLength: 5 }).map(recordedLags),
    ),
  })
  .map(
    ({
      outcome,
      transitBusinessDays,
      transitHours,
      onTime,
      collectionHours,
      firstAttemptSuccess,
      ...rest
    }) => {
      const delivered = outcome === 'delivered'
      const metrics: ParcelMetrics = {
        outcome,
        ...rest,
        firstAttemptSuccess: delivered && firstAttemptSuccess,
        atPickupPoint: delivered && collectionHours !== undefined,
        returned: outcome === 'returned',
        ...(delivered ? { transitBusinessDays, transitHours } : {}),
        ...(delivered && onTime !== undefined ? { onTime } : {}),
        ...(delivered && collectionHours !== undefined ? { collectionHours } : {}),
      }
      if (metrics.firstScanLagHours === undefined) delete metrics.firstScanLagHours
      return { cell: CELL, metrics }
    },
  )

/** Reporting lags as a tracking's record keeps them: each in its bucket only. */
function recordedLags(values: readonly number[]) {
  return reportingLagHistogram(
    values.reduce<number[]>(
      (counts, value) => addToBucketCounts(counts, bucketIndexOf(HOUR_BUCKETS, value)),
      [],
    ),
  )
}

const summaryOf = (outcomes: readonly ParcelOutcome[]): CellSummary =>
  outcomes.reduce(addOutcome, emptySummary())
const arbitrarySummary = fc.array(arbitraryOutcome, { maxLength: 20 }).map(summaryOf)

describe('cell summary', () => {
  it('merges commutatively and associatively', () => {
    fc.assert(
      fc.property(arbitrarySummary, arbitrarySummary, arbitrarySummary, (a, b, c) => {
        expect(mergeSummaries(a, b)).toEqual(mergeSummaries(b, a))
        expect(mergeSummaries(mergeSummaries(a, b), c)).toEqual(mergeSummaries(a, mergeSummaries(b, c)))
        expect(mergeSummaries(a, emptySummary())).toEqual(a)
      }),
    )
  })

  it('merged is the summary of all the parcels together', () => {
    fc.assert(
      fc.property(fc.array(arbitraryOutcome), fc.array(arbitraryOutcome), (a, b) => {
        expect(mergeSummaries(summaryOf(a), summaryOf(b))).toEqual(summaryOf([...a, ...b]))
      }),
    )
  })

  it('counts each parcel under one outcome, and each rate over the parcels it applies to', () => {
    fc.assert(
      fc.property(fc.array(arbitraryOutcome), (outcomes) => {
        const summary = summaryOf(outcomes)
        const metrics = outcomes.map((outcome) => outcome.metrics)
        const delivered = metrics.filter((m) => m.outcome === 'delivered')
        expect(summary.parcels).toBe(outcomes.length)
        expect(summary.delivered + summary.returned + summary.expired).toBe(outcomes.length)
        expect(summary.delivered).toBe(delivered.length)
        expect(summary.onTime).toEqual({
          yes: delivered.filter((m) => m.onTime === true).length,
          total: delivered.filter((m) => m.onTime !== undefined).length,
        })
        expect(summary.firstAttempt).toEqual({
          yes: delivered.filter((m) => m.firstAttemptSuccess).length,
          total: delivered.length,
        })
        expect(summary.pickup.count).toBe(delivered.filter((m) => m.atPickupPoint).length)
        expect(countOf(summary.pickup.collection)).toBe(summary.pickup.count)
        expect(countOf(summary.transitDays)).toBe(delivered.length)
        expect(countOf(summary.transitHours)).toBe(delivered.length)
        expect(countOf(summary.firstScanLag)).toBe(
          metrics.filter((m) => m.firstScanLagHours !== undefined).length,
        )
        expect(countOf(summary.reportingLag)).toBe(
          metrics.reduce((total, m) => total + countOf(m.reportingLag), 0),
        )
        expect(summary.exceptions).toBe(metrics.filter((m) => m.exception).length)
        expect(summary.stalls).toBe(metrics.filter((m) => m.stalled).length)
      }),
    )
  })

  it('round-trips through its stored form', () => {
    fc.assert(
      fc.property(arbitrarySummary, (summary) => {
        expect(decodeSummary(JSON.parse(JSON.stringify(encodeSummary(summary))))).toEqual(summary)
      }),
    )
  })

  it('refuses a stored form it never writes', () => {
    const stored = encodeSummary(emptySummary())
    for (const broken of [
      null,
      { ...stored, n: -1 },
      { ...stored, ot: [2, 1] },
      { ...stored, td: { c: [1] } },
    ]) {
      expect(() => decodeSummary(broken)).toThrow(RangeError)
    }
  })

  it('keeps a cell-week of a thousand parcels in a few hundred bytes', () => {
    const summary = summaryOf(thousandParcels())
    expect(summary.parcels).toBe(1000)
    expect(quantileOf(summary.transitDays, 0.5)).toBeGreaterThan(0)
    expect(bytesPerCellWeek(emptySummary())).toBeLessThan(200)
    expect(bytesPerCellWeek(summary)).toBeLessThan(2000)
  })
})

/** A plausible week of one cell: mostly J+1 to J+3, a few pickups, returns and late reports. */
function thousandParcels(): ParcelOutcome[] {
  return Array.from({ length: 1000 }, (_, index): ParcelOutcome => {
    const days = [1, 1, 2, 2, 2, 3, 3, 4, 6, 9][index % 10] ?? 2
    const outcome = index % 50 === 0 ? 'returned' : index % 97 === 0 ? 'expired' : 'delivered'
    const delivered = outcome === 'delivered'
    const pickup = delivered && index % 7 === 0
    const metrics: ParcelMetrics = {
      outcome,
      firstScanLagHours: (index % 37) + (index % 3) / 4,
      firstAttemptSuccess: delivered && index % 13 !== 0,
      atPickupPoint: pickup,
      returned: outcome === 'returned',
      exception: index % 31 === 0,
      stalled: index % 43 === 0,
      reportingLag: recordedLags([0.1, 0.5 + (index % 5), 0.2 + (index % 11) / 3, 1 + (index % 17)]),
      ...(delivered ? { transitBusinessDays: days, transitHours: days * 24 + (index % 24) } : {}),
      ...(delivered && index % 2 === 0 ? { onTime: days <= 3 } : {}),
      ...(pickup ? { collectionHours: 2 + (index % 90) } : {}),
    }
    return { cell: CELL, metrics }
  })
}

describe('groupKey', () => {
  it.each([
    ['carrier', 'acme'],
    ['service', 'acme/express'],
    ['destination', 'FR-75'],
    ['week', '2026-W10'],
  ] as const)('groups by %s as %s', (groupBy, key) => {
    expect(groupKey(CELL, groupBy)).toBe(key)
  })

  it('keeps two carriers’ services of one name apart', () => {
    expect(groupKey({ ...CELL, carrier: 'other' }, 'service')).not.toBe(groupKey(CELL, 'service'))
  })
})
