import type { AnalyticsCell } from './analytics-cell.js'
import {
  type CarrierReportRow,
  carrierReport,
  reportRowOf,
  type SampledRate,
  summariesByGroup,
  TOTALS_GROUP,
} from './carrier-report.js'
import type { CellSummary } from './cell-summary.js'
import type { Histogram } from './histogram.js'
import { type ReportWindow, weeksOf } from './report-window.js'

/** A destination is ranked among the worst only on at least this many delivered parcels with a promise. */
export const MIN_RANKED_SAMPLE = 5
/** The worst destinations shown at most. */
export const WORST_DESTINATIONS = 10
/** Transit times of this many business days or more share the histogram's last bar. */
export const TRANSIT_DAYS_SHOWN = 10

export interface CarrierWeeks {
  carrier: string
  /** One entry per week of the window, in order; `rate` undefined in a week without a promised parcel. */
  weeks: Array<{ week: string; onTime: SampledRate }>
}

export interface TransitBars {
  carrier: string
  /** Delivered parcels with a transit time: what the bars add up to. */
  delivered: number
  /** Parcels delivered after 0, 1, … business days; the last bar holds `TRANSIT_DAYS_SHOWN` and more. */
  bars: Array<{ days: number; orMore: boolean; parcels: number }>
}

export interface DashboardFigures {
  window: ReportWindow
  weeks: string[]
  /** Every cell of the window together: the API report's totals row. */
  totals: CarrierReportRow
  /** The API report grouped by carrier. */
  carriers: CarrierReportRow[]
  /** The API report grouped by week, of each carrier that had a promised parcel in the window. */
  onTimeByWeek: CarrierWeeks[]
  transit: TransitBars[]
  /** The API report grouped by destination: the lowest on-time rates first, ranked ones only. */
  worstDestinations: CarrierReportRow[]
  /** Destinations left out of the ranking for want of `MIN_RANKED_SAMPLE` promised parcels. */
  unrankedDestinations: number
}

type Cells = ReadonlyArray<{ cell: AnalyticsCell; summary: CellSummary }>

/** Parcels per whole business day: a value in [d, d + 1) counts for day d (transit days are whole). */
export function transitDayBars(histogram: Histogram, lastDay = TRANSIT_DAYS_SHOWN): TransitBars['bars'] {
  const bars = Array.from({ length: lastDay + 1 }, (_, days) => ({
    days,
    orMore: days === lastDay,
    parcels: 0,
  }))
  histogram.counts.forEach((count, index) => {
    const day = Math.min(Math.floor(histogram.buckets.lowerEdges[index] ?? 0), lastDay)
    const bar = bars[day]
    if (bar) bar.parcels += count
  })
  return bars
}

function onTimeByWeekOf(cells: Cells, window: ReportWindow, carrier: string, weeks: string[]): CarrierWeeks {
  const query = { from: window.fromWeek, to: window.toWeek, groupBy: 'week', carrier } as const
  const byWeek = new Map(carrierReport(cells, query).rows.map((row) => [row.group, row.onTime]))
  return {
    carrier,
    weeks: weeks.map((week) => ({ week, onTime: byWeek.get(week) ?? { rate: undefined, sample: 0 } })),
  }
}

/** Lowest rate first; on a tie, the larger sample (the surer figure), then the name. */
function byOnTime(a: CarrierReportRow, b: CarrierReportRow): number {
  return (
    (a.onTime.rate ?? 1) - (b.onTime.rate ?? 1) ||
    b.onTime.sample - a.onTime.sample ||
    (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)
  )
}

/**
 * What the merchant dashboard draws, from the cells of its window: every figure is a row of
 * `carrierReport` (or, for the transit histograms, the summaries that report reads), so the dashboard
 * shows what the API, the CSV and the CLI give for the same weeks.
 */
export function dashboardFigures(cells: Cells, window: ReportWindow): DashboardFigures {
  const weeks = weeksOf(window)
  const bounds = { from: window.fromWeek, to: window.toWeek }
  const byCarrier = summariesByGroup(cells, { ...bounds, groupBy: 'carrier' })
  const carriers = byCarrier.groups.map(({ group, summary }) => reportRowOf(group, summary))
  const destinations = carrierReport(cells, { ...bounds, groupBy: 'destination' }).rows
  const ranked = destinations.filter((row) => row.onTime.sample >= MIN_RANKED_SAMPLE)
  return {
    window,
    weeks,
    totals: reportRowOf(TOTALS_GROUP, byCarrier.totals),
    carriers,
    onTimeByWeek: carriers
      .filter((row) => row.onTime.sample > 0)
      .map((row) => onTimeByWeekOf(cells, window, row.group, weeks)),
    transit: byCarrier.groups
      .map(({ group, summary }) => ({
        carrier: group,
        delivered: summary.transitDays.counts.reduce((sum, count) => sum + count, 0),
        bars: transitDayBars(summary.transitDays),
      }))
      .filter((entry) => entry.delivered > 0),
    worstDestinations: ranked.sort(byOnTime).slice(0, WORST_DESTINATIONS),
    unrankedDestinations: destinations.length - ranked.length,
  }
}
