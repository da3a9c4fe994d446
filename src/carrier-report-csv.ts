import { formatCsv } from './csv.js'
import type { CarrierReport, CarrierReportRow } from './domain/analytics/carrier-report.js'

/** CSV columns of a carrier report, in order; their names are part of the documented format. */
export const CARRIER_REPORT_COLUMNS = [
  'group',
  'parcels',
  'delivered',
  'returned',
  'expired',
  'onTimeRate',
  'onTimeSample',
  'transitDaysP50',
  'transitDaysP80',
  'transitDaysP95',
  'transitHoursP50',
  'firstAttemptRate',
  'firstAttemptSample',
  'pickupShare',
  'pickupCollectionHoursP50',
  'returnRate',
  'exceptionRate',
  'reportingLagHoursP50',
  'reportingLagHoursP95',
] as const
export type CarrierReportColumn = (typeof CARRIER_REPORT_COLUMNS)[number]

const DECIMALS = 6

/**
 * A dot for decimals whatever the locale, at most six places, never an exponent (`String` writes
 * `1e-7`, which spreadsheets may not read as a number); empty when there is no value.
 */
function formatNumber(value: number | undefined): string {
  if (value === undefined) return ''
  const rounded = Number(value.toFixed(DECIMALS))
  return String(Object.is(rounded, -0) ? 0 : rounded)
}

function fieldsOf(row: CarrierReportRow): Record<CarrierReportColumn, string> {
  return {
    group: row.group,
    parcels: formatNumber(row.parcels),
    delivered: formatNumber(row.delivered),
    returned: formatNumber(row.returned),
    expired: formatNumber(row.expired),
    onTimeRate: formatNumber(row.onTime.rate),
    onTimeSample: formatNumber(row.onTime.sample),
    transitDaysP50: formatNumber(row.transitDays.p50),
    transitDaysP80: formatNumber(row.transitDays.p80),
    transitDaysP95: formatNumber(row.transitDays.p95),
    transitHoursP50: formatNumber(row.transitHours.p50),
    firstAttemptRate: formatNumber(row.firstAttempt.rate),
    firstAttemptSample: formatNumber(row.firstAttempt.sample),
    pickupShare: formatNumber(row.pickup.share),
    pickupCollectionHoursP50: formatNumber(row.pickup.collectionHoursP50),
    returnRate: formatNumber(row.returnRate),
    exceptionRate: formatNumber(row.exceptionRate),
    reportingLagHoursP50: formatNumber(row.reportingLagHours.p50),
    reportingLagHoursP95: formatNumber(row.reportingLagHours.p95),
  }
}

/** RFC 4180 CSV: a header, one record per group, the totals last; comma-separated, CRLF line breaks. */
export function formatCarrierReportCsv(report: CarrierReport): string {
  const records = [...report.rows, report.totals].map((row) => {
    const fields = fieldsOf(row)
    return CARRIER_REPORT_COLUMNS.map((column) => fields[column])
  })
  return formatCsv([CARRIER_REPORT_COLUMNS, ...records], { separator: ',', bom: false, lineBreak: '\r\n' })
}
