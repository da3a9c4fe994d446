import { describe, expect, it } from 'vitest'
import { CARRIER_REPORT_COLUMNS, formatCarrierReportCsv } from '../src/carrier-report-csv.js'
import { parseCsv } from '../src/csv.js'
import type { AnalyticsCell } from '../src/domain/analytics/analytics-cell.js'
import { type CarrierReportRow, carrierReport } from '../src/domain/analytics/carrier-report.js'
import { addOutcome, emptySummary } from '../src/domain/analytics/cell-summary.js'
import { emptyHistogram, HOUR_BUCKETS, histogramOf } from '../src/domain/analytics/histogram.js'
import type { ParcelMetrics } from '../src/domain/analytics/parcel-outcome.js'

const CELL: AnalyticsCell = {
  merchantId: 'shop-a',
  carrier: 'acme',
  service: 'express',
  destination: 'FR-75',
  week: '2026-W10',
}

const DELIVERED: ParcelMetrics = {
  outcome: 'delivered',
  transitBusinessDays: 1,
  transitHours: 22.5,
  onTime: true,
  firstAttemptSuccess: true,
  atPickupPoint: false,
  returned: false,
  exception: false,
  stalled: false,
  reportingLag: histogramOf(HOUR_BUCKETS, [0.1]),
}

function summaryOf(metrics: ParcelMetrics[]) {
  return metrics.reduce((summary, m) => addOutcome(summary, { cell: CELL, metrics: m }), emptySummary())
}

/** A carrier whose name needs quoting and whose on-time rate is two thirds, beside a group with no rates. */
const REPORT = carrierReport(
  [
    {
      cell: { ...CELL, carrier: 'acme, "express"\nparis' },
      summary: summaryOf([DELIVERED, { ...DELIVERED, onTime: false, transitBusinessDays: 3 }, DELIVERED]),
    },
    {
      cell: { ...CELL, carrier: 'birdpost' },
      summary: summaryOf([
        {
          outcome: 'expired',
          firstAttemptSuccess: false,
          atPickupPoint: false,
          returned: false,
          exception: true,
          stalled: true,
          reportingLag: emptyHistogram(HOUR_BUCKETS),
        },
      ]),
    },
  ],
  { from: '2026-W01', to: '2026-W52', groupBy: 'carrier' },
)

/** The CSV value a row field stands for: a number, or undefined for an empty field. */
function valuesOf(row: CarrierReportRow): (string | number | undefined)[] {
  return [
    row.group,
    row.parcels,
    row.delivered,
    row.returned,
    row.expired,
    row.onTime.rate,
    row.onTime.sample,
    row.transitDays.p50,
    row.transitDays.p80,
    row.transitDays.p95,
    row.transitHours.p50,
    row.firstAttempt.rate,
    row.firstAttempt.sample,
    row.pickup.share,
    row.pickup.collectionHoursP50,
    row.returnRate,
    row.exceptionRate,
    row.reportingLagHours.p50,
    row.reportingLagHours.p95,
  ]
}

describe('carrier report as CSV', () => {
  const csv = formatCarrierReportCsv(REPORT)
  const table = parseCsv(csv)

  it('writes RFC 4180: commas, CRLF, a header of the documented columns', () => {
    expect(table.separator).toBe(',')
    expect(table.lineBreak).toBe('\r\n')
    expect(table.bom).toBe(false)
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(table.records[0]?.fields).toEqual([...CARRIER_REPORT_COLUMNS])
    expect(csv).toContain('"acme, ""express""\nparis"')
  })

  it('reads back as the report: its rows, then the totals', () => {
    const rows = [...REPORT.rows, REPORT.totals]
    const records = table.records.slice(1).map((record) => record.fields)
    expect(records).toHaveLength(rows.length)
    for (const [index, row] of rows.entries()) {
      const fields = records[index] ?? []
      const expected = valuesOf(row)
      expect(fields).toHaveLength(CARRIER_REPORT_COLUMNS.length)
      expect(fields[0]).toBe(row.group)
      for (const [column, value] of expected.entries()) {
        if (column === 0) continue
        const field = fields[column] ?? ''
        if (value === undefined) expect(field).toBe('')
        else {
          expect(field).toMatch(/^\d+(\.\d{1,6})?$/)
          expect(Number(field)).toBeCloseTo(Number(value), 6)
        }
      }
    }
  })

  it('writes a rate of thirds with a dot and six places, and no rate as an empty field', () => {
    const [acme, birdpost] = table.records.slice(1).map((record) => record.fields)
    const column = CARRIER_REPORT_COLUMNS.indexOf('onTimeRate')
    expect(acme?.[column]).toBe('0.666667')
    expect(birdpost?.[column]).toBe('')
    expect(birdpost?.[CARRIER_REPORT_COLUMNS.indexOf('onTimeSample')]).toBe('0')
  })

  it('writes a report of no cell as its header and a totals row', () => {
    const empty = parseCsv(
      formatCarrierReportCsv(carrierReport([], { from: '2026-W01', to: '2026-W01', groupBy: 'week' })),
    )
    expect(empty.records.map((record) => record.fields[0])).toEqual(['group', REPORT.totals.group])
    expect(empty.records[1]?.fields.slice(1, 5)).toEqual(['0', '0', '0', '0'])
  })
})
