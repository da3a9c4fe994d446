import type { DayKind } from '../domain/business-calendar.js'
import { type BacktestReport, backtestForecasts, type MethodScore } from '../domain/forecast/backtest.js'
import { readHistoryCsv } from './history-csv.js'

/** What `colis forecast-eval` reports on a history file's text; the bench runs the same. */
export function backtestHistoryCsv(text: string, defaultDayKind: DayKind): BacktestReport {
  return backtestForecasts(readHistoryCsv(text, defaultDayKind))
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`
const days = (value: number) => value.toFixed(2)

function rowOf(name: string, score: MethodScore): string[] {
  return [
    name,
    String(score.forecasts),
    percent(score.coverage),
    days(score.meanWidthDays),
    days(score.maeDays),
    score.brier === undefined ? '-' : score.brier.toFixed(3),
  ]
}

/** The report as a table a terminal shows, then what its figures rest on. */
export function formatBacktestReport(report: BacktestReport): string {
  const rows = [
    [
      'method',
      'forecasts',
      `coverage of ${percent(report.probability)}`,
      'width (days)',
      'MAE (days)',
      'Brier',
    ],
    rowOf('forecast', report.model),
    rowOf('fixed table', report.fixedTable),
    rowOf('carrier estimate', report.carrierEstimate),
  ]
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  const table = rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  '),
  )
  const { levels } = report.model
  return [
    ...table,
    '',
    `${report.parcels} parcels; ${report.weeks} weeks forecast, each from the weeks before it; warm-up ${report.warmupWeeks.join(', ')}`,
    `forecast windows hold ${percent(report.model.meanClaimedMass)} of their distribution on average (whole days)`,
    `levels used: carrier × service × region ${levels.carrier_service_region}, carrier × service ${levels.carrier_service}, carrier ${levels.carrier}`,
    `Brier of "late vs promise" over ${report.model.brierParcels} parcels with a promise; the carrier estimate's window is its one day`,
  ].join('\n')
}
