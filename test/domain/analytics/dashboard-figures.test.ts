import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AnalyticsCell } from '../../../src/domain/analytics/analytics-cell.js'
import { carrierReport } from '../../../src/domain/analytics/carrier-report.js'
import { addOutcome, type CellSummary, emptySummary } from '../../../src/domain/analytics/cell-summary.js'
import {
  dashboardFigures,
  MIN_RANKED_SAMPLE,
  TRANSIT_DAYS_SHOWN,
  transitDayBars,
  WORST_DESTINATIONS,
} from '../../../src/domain/analytics/dashboard-figures.js'
import { BUSINESS_DAY_BUCKETS, histogramOf } from '../../../src/domain/analytics/histogram.js'
import type { ParcelMetrics } from '../../../src/domain/analytics/parcel-outcome.js'
import { reportWindowOf, weeksOf } from '../../../src/domain/analytics/report-window.js'
import { reportingLagHistogram } from '../../../src/domain/analytics/reporting-lag.js'

interface Parcel {
  carrier: string
  destination: string
  week: string
  transitDays: number
  onTime?: boolean
}

function metricsOf(parcel: Parcel): ParcelMetrics {
  return {
    outcome: 'delivered',
    transitBusinessDays: parcel.transitDays,
    transitHours: parcel.transitDays * 24,
    firstAttemptSuccess: true,
    atPickupPoint: false,
    returned: false,
    exception: false,
    stalled: false,
    reportingLag: reportingLagHistogram(undefined),
    ...(parcel.onTime === undefined ? {} : { onTime: parcel.onTime }),
  }
}

/** The cells the parcels fall in, each parcel added once, as the store adds them. */
function cellsOf(parcels: readonly Parcel[]): Array<{ cell: AnalyticsCell; summary: CellSummary }> {
  const cells = new Map<string, { cell: AnalyticsCell; summary: CellSummary }>()
  for (const parcel of parcels) {
    const cell = { merchantId: 'shop-a', service: '-', ...parcel }
    const key = JSON.stringify([cell.carrier, cell.destination, cell.week])
    const kept = cells.get(key) ?? { cell, summary: emptySummary() }
    cells.set(key, {
      cell: kept.cell,
      summary: addOutcome(kept.summary, { cell, metrics: metricsOf(parcel) }),
    })
  }
  return [...cells.values()]
}

const WINDOW = { fromWeek: '2026-W46', toWeek: '2026-W49' }

describe('the figures of the merchant dashboard', () => {
  const parcels: Parcel[] = [
    { carrier: 'acme', destination: 'FR-75', week: '2026-W47', transitDays: 1, onTime: true },
    { carrier: 'acme', destination: 'FR-75', week: '2026-W47', transitDays: 3, onTime: false },
    { carrier: 'acme', destination: 'FR-69', week: '2026-W49', transitDays: 2, onTime: true },
    { carrier: 'acme', destination: 'FR-69', week: '2026-W49', transitDays: 14 },
    { carrier: 'rapide', destination: 'FR-75', week: '2026-W48', transitDays: 0 },
    // Outside the window: counted nowhere.
    { carrier: 'acme', destination: 'FR-75', week: '2026-W45', transitDays: 1, onTime: false },
  ]
  const cells = cellsOf(parcels)
  const figures = dashboardFigures(cells, WINDOW)

  it('covers every week of the window, in order', () => {
    expect(figures.weeks).toEqual(['2026-W46', '2026-W47', '2026-W48', '2026-W49'])
    expect(weeksOf({ fromWeek: '2026-W52', toWeek: '2027-W02' })).toEqual([
      '2026-W52',
      '2026-W53',
      '2027-W01',
      '2027-W02',
    ])
    expect(weeksOf({ fromWeek: '2026-W49', toWeek: '2026-W48' })).toEqual([])
  })

  it('draws the on-time rate of each carrier per week from the report grouped by week, with gaps', () => {
    expect(figures.onTimeByWeek).toEqual([
      {
        carrier: 'acme',
        weeks: [
          { week: '2026-W46', onTime: { rate: undefined, sample: 0 } },
          { week: '2026-W47', onTime: { rate: 0.5, sample: 2 } },
          { week: '2026-W48', onTime: { rate: undefined, sample: 0 } },
          { week: '2026-W49', onTime: { rate: 1, sample: 1 } },
        ],
      },
    ])
    const byWeek = carrierReport(cells, {
      from: '2026-W46',
      to: '2026-W49',
      groupBy: 'week',
      carrier: 'acme',
    })
    expect(byWeek.rows.map((row) => [row.group, row.onTime])).toEqual(
      figures.onTimeByWeek[0]?.weeks
        .filter((week) => week.onTime.sample > 0)
        .map((week) => [week.week, week.onTime]),
    )
  })

  it('takes its scorecard and totals from the report grouped by carrier', () => {
    const report = carrierReport(cells, { from: '2026-W46', to: '2026-W49', groupBy: 'carrier' })
    expect(figures.carriers).toEqual(report.rows)
    expect(figures.totals).toEqual(report.totals)
    expect(figures.totals.parcels).toBe(5)
  })

  it("counts each carrier's delivered parcels per whole business day, the long ones in the last bar", () => {
    const acme = figures.transit.find((entry) => entry.carrier === 'acme')
    expect(acme?.delivered).toBe(4)
    expect(acme?.bars.map((bar) => bar.parcels)).toEqual([0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1])
    expect(acme?.bars.at(-1)).toEqual({ days: TRANSIT_DAYS_SHOWN, orMore: true, parcels: 1 })
    expect(figures.transit.find((entry) => entry.carrier === 'rapide')?.bars[0]?.parcels).toBe(1)
  })

  it('adds up to the parcels, whatever their transit times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 200 }), (days) => {
        const bars = transitDayBars(histogramOf(BUSINESS_DAY_BUCKETS, days))
        expect(bars.reduce((sum, bar) => sum + bar.parcels, 0)).toBe(days.length)
        for (const bar of bars.slice(0, -1))
          expect(bar.parcels).toBe(days.filter((value) => value === bar.days).length)
      }),
    )
  })

  it('ranks destinations with enough promised parcels, lowest on-time rate first, surest first on a tie', () => {
    const promised = (destination: string, onTime: number, late: number): Parcel[] => [
      ...Array.from({ length: onTime }, () => ({
        carrier: 'acme',
        destination,
        week: '2026-W48',
        transitDays: 1,
        onTime: true,
      })),
      ...Array.from({ length: late }, () => ({
        carrier: 'acme',
        destination,
        week: '2026-W48',
        transitDays: 4,
        onTime: false,
      })),
    ]
    const ranked = dashboardFigures(
      cellsOf([
        ...promised('FR-13', 3, 3),
        ...promised('FR-33', 6, 6),
        ...promised('FR-69', 1, 9),
        ...promised('FR-75', 5, 0),
        ...promised('BE', 0, MIN_RANKED_SAMPLE - 1),
        ...Array.from({ length: 20 }, (_, index) => promised(`DE-${index}`, 4, 1)).flat(),
      ]),
      WINDOW,
    )
    expect(ranked.worstDestinations).toHaveLength(WORST_DESTINATIONS)
    expect(ranked.worstDestinations.slice(0, 3).map((row) => [row.group, row.onTime])).toEqual([
      ['FR-69', { rate: 0.1, sample: 10 }],
      ['FR-33', { rate: 0.5, sample: 12 }],
      ['FR-13', { rate: 0.5, sample: 6 }],
    ])
    expect(ranked.worstDestinations.every((row) => row.onTime.sample >= MIN_RANKED_SAMPLE)).toBe(true)
    expect(ranked.unrankedDestinations).toBe(1)
  })

  it('is empty, not wrong, without a cell', () => {
    const empty = dashboardFigures([], reportWindowOf({}, Date.parse('2026-12-06T10:00:00Z'), 4))
    expect(empty.window).toEqual({ fromWeek: '2026-W46', toWeek: '2026-W49' })
    expect(empty).toMatchObject({ carriers: [], onTimeByWeek: [], transit: [], worstDestinations: [] })
    expect(empty.totals.parcels).toBe(0)
  })
})
