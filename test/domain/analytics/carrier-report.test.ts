import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AnalyticsCell } from '../../../src/domain/analytics/analytics-cell.js'
import {
  type CarrierReportRow,
  carrierReport,
  reportWeekOf,
  TOTALS_GROUP,
} from '../../../src/domain/analytics/carrier-report.js'
import {
  addOutcome,
  type CellSummary,
  emptySummary,
  GROUP_BY,
  type GroupBy,
} from '../../../src/domain/analytics/cell-summary.js'
import {
  BUSINESS_DAY_BUCKETS,
  emptyHistogram,
  HOUR_BUCKETS,
  histogramOf,
  mergeHistograms,
  quantileOf,
} from '../../../src/domain/analytics/histogram.js'
import {
  PARCEL_OUTCOMES,
  type ParcelMetrics,
  type ParcelOutcome,
} from '../../../src/domain/analytics/parcel-outcome.js'
import { propertyRuns } from '../../support/property-runs.js'

const BASE_CELL: AnalyticsCell = {
  merchantId: 'shop-a',
  carrier: 'acme',
  service: 'express',
  destination: 'FR-75',
  week: '2026-W10',
}

const lags = (...hours: number[]) => histogramOf(HOUR_BUCKETS, hours)

function delivered(cell: Partial<AnalyticsCell>, metrics: Partial<ParcelMetrics> = {}): ParcelOutcome {
  return {
    cell: { ...BASE_CELL, ...cell },
    metrics: {
      outcome: 'delivered',
      transitBusinessDays: 2,
      transitHours: 40,
      firstAttemptSuccess: true,
      atPickupPoint: false,
      returned: false,
      exception: false,
      stalled: false,
      reportingLag: emptyHistogram(HOUR_BUCKETS),
      ...metrics,
    },
  }
}

function notDelivered(
  outcome: 'returned' | 'expired',
  cell: Partial<AnalyticsCell>,
  metrics: Partial<ParcelMetrics> = {},
): ParcelOutcome {
  return {
    cell: { ...BASE_CELL, ...cell },
    metrics: {
      outcome,
      firstAttemptSuccess: false,
      atPickupPoint: false,
      returned: outcome === 'returned',
      exception: false,
      stalled: false,
      reportingLag: emptyHistogram(HOUR_BUCKETS),
      ...metrics,
    },
  }
}

/** What the store would hold: one summary per cell, built parcel by parcel. */
function cellsOf(outcomes: readonly ParcelOutcome[]): { cell: AnalyticsCell; summary: CellSummary }[] {
  const byCell = new Map<string, { cell: AnalyticsCell; summary: CellSummary }>()
  for (const outcome of outcomes) {
    const key = JSON.stringify(outcome.cell)
    const entry = byCell.get(key) ?? { cell: outcome.cell, summary: emptySummary() }
    byCell.set(key, { cell: entry.cell, summary: addOutcome(entry.summary, outcome) })
  }
  return [...byCell.values()]
}

const ratio = (yes: number, sample: number) => (sample === 0 ? undefined : yes / sample)
const defined = (values: (number | undefined)[]) => values.filter((value) => value !== undefined)

/** The row of a group computed from its parcels, without summaries. */
function expectedRow(group: string, outcomes: readonly ParcelOutcome[]): CarrierReportRow {
  const metrics = outcomes.map((outcome) => outcome.metrics)
  const deliveredOnes = metrics.filter((m) => m.outcome === 'delivered')
  const promised = deliveredOnes.filter((m) => m.onTime !== undefined)
  const transitDays = histogramOf(
    BUSINESS_DAY_BUCKETS,
    defined(deliveredOnes.map((m) => m.transitBusinessDays)),
  )
  const transitHours = histogramOf(HOUR_BUCKETS, defined(deliveredOnes.map((m) => m.transitHours)))
  const collection = histogramOf(HOUR_BUCKETS, defined(metrics.map((m) => m.collectionHours)))
  const reportingLag = metrics
    .map((m) => m.reportingLag)
    .reduce(mergeHistograms, emptyHistogram(HOUR_BUCKETS))
  const returned = metrics.filter((m) => m.outcome === 'returned').length
  return {
    group,
    parcels: metrics.length,
    delivered: deliveredOnes.length,
    returned,
    expired: metrics.filter((m) => m.outcome === 'expired').length,
    onTime: {
      rate: ratio(promised.filter((m) => m.onTime).length, promised.length),
      sample: promised.length,
    },
    transitDays: {
      p50: quantileOf(transitDays, 0.5),
      p80: quantileOf(transitDays, 0.8),
      p95: quantileOf(transitDays, 0.95),
    },
    transitHours: { p50: quantileOf(transitHours, 0.5) },
    firstAttempt: {
      rate: ratio(deliveredOnes.filter((m) => m.firstAttemptSuccess).length, deliveredOnes.length),
      sample: deliveredOnes.length,
    },
    pickup: {
      share: ratio(deliveredOnes.filter((m) => m.atPickupPoint).length, deliveredOnes.length),
      collectionHoursP50: quantileOf(collection, 0.5),
    },
    returnRate: ratio(returned, metrics.length),
    exceptionRate: ratio(metrics.filter((m) => m.exception).length, metrics.length),
    reportingLagHours: { p50: quantileOf(reportingLag, 0.5), p95: quantileOf(reportingLag, 0.95) },
  }
}

function groupOf(cell: AnalyticsCell, groupBy: GroupBy): string {
  if (groupBy === 'service') return `${cell.carrier}/${cell.service}`
  return cell[groupBy]
}

function expectedRows(outcomes: readonly ParcelOutcome[], groupBy: GroupBy): CarrierReportRow[] {
  const groups = [...new Set(outcomes.map((outcome) => groupOf(outcome.cell, groupBy)))].sort()
  return groups.map((group) =>
    expectedRow(
      group,
      outcomes.filter((outcome) => groupOf(outcome.cell, groupBy) === group),
    ),
  )
}

const PARCELS: ParcelOutcome[] = [
  delivered({}, { onTime: true, transitBusinessDays: 1, transitHours: 20, reportingLag: lags(0.2, 1.5) }),
  delivered({}, { onTime: false, transitBusinessDays: 4, transitHours: 90, firstAttemptSuccess: false }),
  delivered({ week: '2026-W11' }, { atPickupPoint: true, collectionHours: 30, reportingLag: lags(3) }),
  delivered({ service: 'eco', destination: 'FR-2A' }, { onTime: true, transitBusinessDays: 3.5 }),
  notDelivered('returned', { service: 'eco', week: '2026-W11' }, { exception: true }),
  delivered({ carrier: 'birdpost', service: 'express' }, { onTime: true, transitBusinessDays: 2.5 }),
  notDelivered('expired', { carrier: 'birdpost', destination: 'BE' }, { stalled: true }),
  delivered(
    { carrier: 'birdpost', destination: 'BE', week: '2026-W11', merchantId: 'shop-b' },
    { transitBusinessDays: 6, transitHours: 150, atPickupPoint: true, collectionHours: 50 },
  ),
]

const WHOLE_RANGE = { from: '2026-W01', to: '2026-W53' }

describe('carrier report', () => {
  it('counts parcels and rates each over its own sample', () => {
    const report = carrierReport(cellsOf(PARCELS), { ...WHOLE_RANGE, groupBy: 'carrier' })
    expect(report.rows.map((row) => row.group)).toEqual(['acme', 'birdpost'])
    const [acme, birdpost] = report.rows
    expect(acme).toMatchObject({ parcels: 5, delivered: 4, returned: 1, expired: 0 })
    expect(acme?.onTime).toEqual({ rate: 2 / 3, sample: 3 })
    expect(acme?.firstAttempt).toEqual({ rate: 3 / 4, sample: 4 })
    expect(acme?.pickup.share).toBe(1 / 4)
    expect(acme?.pickup.collectionHoursP50).toBe(30)
    expect(acme?.returnRate).toBe(1 / 5)
    expect(acme?.exceptionRate).toBe(1 / 5)
    expect(birdpost).toMatchObject({ parcels: 3, delivered: 2, returned: 0, expired: 1, returnRate: 0 })
    expect(birdpost?.onTime).toEqual({ rate: 1, sample: 1 })
    expect(report.totals).toMatchObject({ group: TOTALS_GROUP, parcels: 8, delivered: 6 })
  })

  it.each(GROUP_BY)('groups by %s, each row as computed from its parcels', (groupBy) => {
    const report = carrierReport(cellsOf(PARCELS), { ...WHOLE_RANGE, groupBy })
    expect(report.rows).toEqual(expectedRows(PARCELS, groupBy))
    expect(report.totals).toEqual(expectedRow(TOTALS_GROUP, PARCELS))
  })

  it('names a service with its carrier and sorts groups by key', () => {
    const report = carrierReport(cellsOf(PARCELS), { ...WHOLE_RANGE, groupBy: 'service' })
    expect(report.rows.map((row) => row.group)).toEqual(['acme/eco', 'acme/express', 'birdpost/express'])
    const weeks = carrierReport(cellsOf(PARCELS), { ...WHOLE_RANGE, groupBy: 'week' })
    expect(weeks.rows.map((row) => row.group)).toEqual(['2026-W10', '2026-W11'])
  })

  it('gives no rate, rather than 0, when its sample is empty', () => {
    const [row] = carrierReport(cellsOf([notDelivered('expired', {})]), {
      ...WHOLE_RANGE,
      groupBy: 'carrier',
    }).rows
    expect(row?.onTime).toEqual({ rate: undefined, sample: 0 })
    expect(row?.firstAttempt).toEqual({ rate: undefined, sample: 0 })
    expect(row?.pickup).toEqual({ share: undefined, collectionHoursP50: undefined })
    expect(row?.transitDays).toEqual({ p50: undefined, p80: undefined, p95: undefined })
    expect(row?.returnRate).toBe(0)
  })

  it('keeps the weeks from `from` to `to`, inclusive, across a year boundary', () => {
    const parcels = ['2025-W51', '2025-W52', '2026-W01', '2026-W02'].map((week) => delivered({ week }))
    const weeksOf = (from: string, to: string) =>
      carrierReport(cellsOf(parcels), { from, to, groupBy: 'week' }).rows.map((row) => row.group)
    expect(weeksOf('2025-W52', '2026-W01')).toEqual(['2025-W52', '2026-W01'])
    // 22 December 2025 is the Monday of 2025-W52; 29 December 2025 is already in 2026-W01.
    expect(weeksOf('2025-12-22', '2025-12-29')).toEqual(['2025-W52', '2026-W01'])
    expect(weeksOf('2025-12-28', '2025-12-28')).toEqual(['2025-W52'])
    expect(weeksOf('2026-01-01', '2026-01-11')).toEqual(['2026-W01', '2026-W02'])
    expect(weeksOf('2026-W02', '2025-W51')).toEqual([])
    const report = carrierReport(cellsOf(parcels), { from: '2025-W52', to: '2026-W01', groupBy: 'carrier' })
    expect(report.totals.parcels).toBe(2)
  })

  it('maps a bound to its ISO week and refuses anything else', () => {
    expect(reportWeekOf('2026-W53')).toBe('2026-W53')
    expect(reportWeekOf('2027-01-03')).toBe('2026-W53')
    for (const bound of [
      '2025-W53',
      '2026-W00',
      '2026-W9',
      '2026-02-30',
      '26-01-01',
      '2026-01-01T00:00:00Z',
    ]) {
      expect(() => reportWeekOf(bound)).toThrow(RangeError)
    }
    expect(() => carrierReport([], { from: 'last week', to: '2026-W01', groupBy: 'week' })).toThrow(
      RangeError,
    )
  })

  it('keeps only the cells of the carrier asked for', () => {
    const report = carrierReport(cellsOf(PARCELS), {
      ...WHOLE_RANGE,
      groupBy: 'destination',
      carrier: 'birdpost',
    })
    const birdpost = PARCELS.filter((parcel) => parcel.cell.carrier === 'birdpost')
    expect(report.rows).toEqual(expectedRows(birdpost, 'destination'))
    expect(report.totals).toEqual(expectedRow(TOTALS_GROUP, birdpost))
    expect(
      carrierReport(cellsOf(PARCELS), { ...WHOLE_RANGE, groupBy: 'week', carrier: 'none' }).rows,
    ).toEqual([])
  })

  it('reports no cell as a totals row alone, with zero counts and no rates', () => {
    const report = carrierReport([], { ...WHOLE_RANGE, groupBy: 'carrier' })
    expect(report.rows).toEqual([])
    expect(report.totals).toEqual({
      group: TOTALS_GROUP,
      parcels: 0,
      delivered: 0,
      returned: 0,
      expired: 0,
      onTime: { rate: undefined, sample: 0 },
      transitDays: { p50: undefined, p80: undefined, p95: undefined },
      transitHours: { p50: undefined },
      firstAttempt: { rate: undefined, sample: 0 },
      pickup: { share: undefined, collectionHoursP50: undefined },
      returnRate: undefined,
      exceptionRate: undefined,
      reportingLagHours: { p50: undefined, p95: undefined },
    })
  })
})

const hours = (max: number) => fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true })

const arbitraryOutcome: fc.Arbitrary<ParcelOutcome> = fc
  .record({
    carrier: fc.constantFrom('acme', 'birdpost', 'colibri'),
    service: fc.constantFrom('express', 'eco'),
    destination: fc.constantFrom('FR-75', 'FR-2A', 'BE'),
    week: fc.constantFrom('2025-W51', '2025-W52', '2026-W01', '2026-W02'),
    outcome: fc.constantFrom(...PARCEL_OUTCOMES),
    transitBusinessDays: fc.integer({ min: 0, max: 35 }),
    transitHours: hours(1000),
    onTime: fc.option(fc.boolean(), { nil: undefined }),
    firstAttemptSuccess: fc.boolean(),
    collectionHours: fc.option(hours(300), { nil: undefined }),
    exception: fc.boolean(),
    reportingLag: fc.array(hours(100), { maxLength: 3 }).map((values) => lags(...values)),
  })
  .map(({ carrier, service, destination, week, outcome, onTime, collectionHours, ...rest }) =>
    outcome === 'delivered'
      ? delivered(
          { carrier, service, destination, week },
          {
            ...rest,
            ...(onTime === undefined ? {} : { onTime }),
            ...(collectionHours === undefined ? {} : { atPickupPoint: true, collectionHours }),
          },
        )
      : notDelivered(
          outcome,
          { carrier, service, destination, week },
          { exception: rest.exception, reportingLag: rest.reportingLag },
        ),
  )

describe('carrier report totals', () => {
  it('equal the report of the same cells gathered into one group', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryOutcome, { maxLength: 30 }),
        fc.constantFrom(...GROUP_BY),
        fc.option(fc.constantFrom('acme', 'birdpost'), { nil: undefined }),
        fc.constantFrom('2025-W52', '2025-12-29', '2026-W01'),
        (outcomes, groupBy, carrier, to) => {
          const query = { from: '2025-W52', to, groupBy, ...(carrier === undefined ? {} : { carrier }) }
          const report = carrierReport(cellsOf(outcomes), query)
          const gathered = carrierReport(
            cellsOf(outcomes).map(({ cell, summary }) => ({
              cell: { ...cell, destination: 'all' },
              summary,
            })),
            { ...query, groupBy: 'destination' },
          )
          expect(gathered.rows.length).toBeLessThanOrEqual(1)
          expect(report.totals).toEqual({ ...(gathered.rows[0] ?? gathered.totals), group: TOTALS_GROUP })
          const sum = (pick: (row: CarrierReportRow) => number) =>
            report.rows.reduce((total, row) => total + pick(row), 0)
          expect(sum((row) => row.parcels)).toBe(report.totals.parcels)
          expect(sum((row) => row.onTime.sample)).toBe(report.totals.onTime.sample)
        },
      ),
      { numRuns: propertyRuns(200) },
    )
  })
})
