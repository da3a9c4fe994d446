import { type AnalyticsCell, isoWeekOf } from './analytics-cell.js'
import { type CellSummary, type GroupBy, groupKey, mergeAllSummaries, type Ratio } from './cell-summary.js'
import { quantileOf } from './histogram.js'

/** Which cells a report covers and how it groups them. Merchant scoping is the caller's: it passes only the cells it may show. */
export interface CarrierReportQuery {
  /** First ISO week (`2026-W01`) or a date (`2025-12-29`) standing for the week that holds it; inclusive. */
  from: string
  /** Last ISO week or a date standing for the week that holds it; inclusive. */
  to: string
  groupBy: GroupBy
  /** Only this carrier's cells. */
  carrier?: string
}

/** A share and the number of parcels it is a share of; no rate when there is no parcel to measure. */
export interface SampledRate {
  rate: number | undefined
  sample: number
}

export interface CarrierReportRow {
  group: string
  parcels: number
  delivered: number
  returned: number
  expired: number
  /** Delivered by the promised date, among delivered parcels that had a promise. */
  onTime: SampledRate
  /** Handover to delivery, in the carrier's business days. */
  transitDays: { p50: number | undefined; p80: number | undefined; p95: number | undefined }
  transitHours: { p50: number | undefined }
  /** Delivered without a failed attempt first, among delivered parcels. */
  firstAttempt: SampledRate
  /** Share of delivered parcels collected at a pickup point, and their median wait there (hours). */
  pickup: { share: number | undefined; collectionHoursP50: number | undefined }
  /** Returned parcels among all parcels. */
  returnRate: number | undefined
  /** Parcels with at least one exception among all parcels. */
  exceptionRate: number | undefined
  /** Scan to colis storing it, per event. */
  reportingLagHours: { p50: number | undefined; p95: number | undefined }
}

export interface CarrierReport {
  /** One row per group, sorted by group key in code-point order (weeks then run in time order). */
  rows: CarrierReportRow[]
  /** Every cell the query covers, as one group. */
  totals: CarrierReportRow
}

/** The group of the totals row. */
export const TOTALS_GROUP = '*'

const WEEK = /^(\d{4})-W(\d{2})$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

/** A year has 53 ISO weeks when its 28 December falls in week 53. */
function weeksInYear(year: number): number {
  return Number(isoWeekOf(`${String(year).padStart(4, '0')}-12-28`).slice(-2))
}

function isCalendarDate(value: string): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`)
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === value
}

/** The ISO week a `from`/`to` bound names: a week as is, a date as the week that holds it. */
export function reportWeekOf(bound: string): string {
  const week = WEEK.exec(bound)
  if (week) {
    const number = Number(week[2])
    if (number >= 1 && number <= weeksInYear(Number(week[1]))) return bound
  } else if (DATE.test(bound) && isCalendarDate(bound)) {
    return isoWeekOf(bound)
  }
  throw new RangeError(`not an ISO week (2026-W09) nor a date (2026-02-23): ${JSON.stringify(bound)}`)
}

function rateOf(yes: number, sample: number): number | undefined {
  return sample === 0 ? undefined : yes / sample
}

function sampledRate({ yes, total }: Ratio): SampledRate {
  return { rate: rateOf(yes, total), sample: total }
}

/** The row of one group, from the merged summary of its cells. */
export function reportRowOf(group: string, summary: CellSummary): CarrierReportRow {
  return {
    group,
    parcels: summary.parcels,
    delivered: summary.delivered,
    returned: summary.returned,
    expired: summary.expired,
    onTime: sampledRate(summary.onTime),
    transitDays: {
      p50: quantileOf(summary.transitDays, 0.5),
      p80: quantileOf(summary.transitDays, 0.8),
      p95: quantileOf(summary.transitDays, 0.95),
    },
    transitHours: { p50: quantileOf(summary.transitHours, 0.5) },
    firstAttempt: sampledRate(summary.firstAttempt),
    pickup: {
      share: rateOf(summary.pickup.count, summary.delivered),
      collectionHoursP50: quantileOf(summary.pickup.collection, 0.5),
    },
    returnRate: rateOf(summary.returned, summary.parcels),
    exceptionRate: rateOf(summary.exceptions, summary.parcels),
    reportingLagHours: {
      p50: quantileOf(summary.reportingLag, 0.5),
      p95: quantileOf(summary.reportingLag, 0.95),
    },
  }
}

/** Which cells go into which group: handover weeks from `fromWeek` to `toWeek` (ISO weeks, inclusive). */
export interface GroupingQuery {
  fromWeek: string
  toWeek: string
  groupBy: GroupBy
  /** Only this carrier's cells. */
  carrier?: string
}

/** The merged summary of each group of the cells the query covers. */
export function groupSummaries(
  cells: Iterable<{ cell: AnalyticsCell; summary: CellSummary }>,
  query: GroupingQuery,
): Map<string, CellSummary> {
  const byGroup = new Map<string, CellSummary[]>()
  for (const { cell, summary } of cells) {
    // `YYYY-Www` strings order as the weeks do.
    if (cell.week < query.fromWeek || cell.week > query.toWeek) continue
    if (query.carrier !== undefined && cell.carrier !== query.carrier) continue
    const key = groupKey(cell, query.groupBy)
    const group = byGroup.get(key)
    if (group) group.push(summary)
    else byGroup.set(key, [summary])
  }
  return new Map([...byGroup].map(([key, summaries]) => [key, mergeAllSummaries(summaries)]))
}

/** The merged summary of each group of a report's cells (sorted by group key) and of all of them. */
export interface GroupedSummaries {
  groups: Array<{ group: string; summary: CellSummary }>
  totals: CellSummary
}

/** Groups already merged, sorted by key, with the totals of them all. */
export function sortedGroups(byGroup: ReadonlyMap<string, CellSummary>): GroupedSummaries {
  const groups = [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, summary]) => ({ group, summary }))
  return { groups, totals: mergeAllSummaries(byGroup.values()) }
}

/**
 * The cells whose handover week lies within [from, to] (and of the carrier, when given), merged per
 * group and all together: what `carrierReport` reads its rows from, and the dashboard its histograms.
 */
export function summariesByGroup(
  cells: Iterable<{ cell: AnalyticsCell; summary: CellSummary }>,
  query: CarrierReportQuery,
): GroupedSummaries {
  return sortedGroups(groupSummaries(cells, groupingOf(query)))
}

function groupingOf(query: CarrierReportQuery): GroupingQuery {
  return {
    fromWeek: reportWeekOf(query.from),
    toWeek: reportWeekOf(query.to),
    groupBy: query.groupBy,
    carrier: query.carrier,
  }
}

/** The scorecard of groups already merged: a row per group, sorted, and the totals of them all. */
export function reportOfGroups(byGroup: ReadonlyMap<string, CellSummary>): CarrierReport {
  const { groups, totals } = sortedGroups(byGroup)
  return {
    rows: groups.map(({ group, summary }) => reportRowOf(group, summary)),
    totals: reportRowOf(TOTALS_GROUP, totals),
  }
}

/**
 * The scorecard of the cells whose handover week lies within [from, to] (and of the carrier, when
 * given): one row per group, each from the merged summaries of its cells, and a totals row.
 */
export function carrierReport(
  cells: Iterable<{ cell: AnalyticsCell; summary: CellSummary }>,
  query: CarrierReportQuery,
): CarrierReport {
  return reportOfGroups(groupSummaries(cells, groupingOf(query)))
}
