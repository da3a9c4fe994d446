import type { CarrierReport, CarrierReportRow } from '../domain/analytics/carrier-report.js'

const percent = (rate: number | undefined) => (rate === undefined ? '-' : `${(rate * 100).toFixed(1)}%`)
const figure = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(1))

const HEADER = [
  'group',
  'parcels',
  'delivered',
  'returned',
  'expired',
  'on time',
  'of',
  'days p50',
  'p80',
  'p95',
  'hours p50',
  '1st attempt',
  'of',
  'pickup',
  'collect h p50',
  'returns',
  'exceptions',
  'lag h p50',
  'p95',
]

function cellsOf(row: CarrierReportRow): string[] {
  return [
    row.group,
    String(row.parcels),
    String(row.delivered),
    String(row.returned),
    String(row.expired),
    percent(row.onTime.rate),
    String(row.onTime.sample),
    figure(row.transitDays.p50),
    figure(row.transitDays.p80),
    figure(row.transitDays.p95),
    figure(row.transitHours.p50),
    percent(row.firstAttempt.rate),
    String(row.firstAttempt.sample),
    percent(row.pickup.share),
    figure(row.pickup.collectionHoursP50),
    percent(row.returnRate),
    percent(row.exceptionRate),
    figure(row.reportingLagHours.p50),
    figure(row.reportingLagHours.p95),
  ]
}

/**
 * The report as a terminal table: one line per group, the totals (`*`) last; rates in percent with
 * the parcels they are measured on, times to a tenth, `-` where there is nothing to measure.
 */
export function formatCarrierReportTable(report: CarrierReport): string {
  const rows = [HEADER, ...report.rows.map(cellsOf), cellsOf(report.totals)]
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)))
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}
