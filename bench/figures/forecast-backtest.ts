import { backtestHistoryCsv, formatBacktestReport } from '../../src/cli/forecast-eval-report.js'
import { formatHistoryCsv } from '../../src/cli/history-csv.js'
import type { BacktestReport } from '../../src/domain/forecast/backtest.js'
import type { DeliveryHistoryRow } from '../../src/domain/forecast/delivery-history.js'
import { generateSyntheticHistory } from '../../src/domain/forecast/synthetic-history.js'
import { type Figure, type FigureModule, within } from '../figure.js'

/**
 * The forecast backtest (figure 11): `colis forecast-eval` on a generated history held in memory. The
 * history's text goes through the command's own code, so a run prints the numbers the command prints
 * for the same file.
 */

const PARCELS_FULL = 50_000
const PARCELS_QUICK = 20_000
const SEED = 1
const COVERAGE = { low: 0.78, high: 0.85 } as const

export interface ForecastBacktestRun {
  report: BacktestReport
  /** The table `colis forecast-eval` prints for the same history. */
  table: string
  seconds: number
  figures: Figure[]
}

const rounded = (value: number, digits = 3) => Number(value.toFixed(digits))
const percent = (value: number) => `${(value * 100).toFixed(1)} %`

function info(name: string, value: number, unit: string, extra: Partial<Figure>): Figure {
  return { name, value, unit, target: 'info', pass: true, ...extra }
}

function versusFixedTable(value: number, baseline: number): Partial<Figure> {
  return { baseline: rounded(baseline), ratio: baseline === 0 ? 0 : rounded(value / baseline) }
}

/** The figures of a backtest report, `seconds` being what the backtest took. */
export function figuresOfBacktest(report: BacktestReport, seconds: number, seed: number): Figure[] {
  const { model, fixedTable, carrierEstimate } = report
  const history = `${report.parcels} generated parcels (seed ${seed}), ${model.forecasts} forecast at handover over ${report.weeks} weeks, each from the weeks before it`
  const narrower = model.meanWidthDays < fixedTable.meanWidthDays
  const asCovering = model.coverage >= fixedTable.coverage
  return [
    within('forecast-window-coverage', rounded(model.coverage), 'share', COVERAGE.low, COVERAGE.high, {
      note: `share delivered inside the forecast's ${percent(report.probability)} window; ${history}; the windows hold ${percent(model.meanClaimedMass)} of their own distribution (whole days); fixed table ${percent(fixedTable.coverage)}`,
    }),
    {
      name: 'forecast-window-width-vs-fixed-table',
      value: rounded(model.meanWidthDays),
      unit: 'business days',
      ...versusFixedTable(model.meanWidthDays, fixedTable.meanWidthDays),
      target: "< 1 at coverage >= the fixed table's",
      pass: narrower && asCovering,
      note: `mean window width, both ends included, against each carrier's shortest ${percent(report.probability)} window over the warm-up weeks (${report.warmupWeeks.join(', ')}), never updated; coverage ${percent(model.coverage)} vs ${percent(fixedTable.coverage)}`,
    },
    info('forecast-mae-vs-fixed-table', rounded(model.maeDays), 'business days', {
      ...versusFixedTable(model.maeDays, fixedTable.maeDays),
      note: "mean absolute error of the most likely day vs the fixed table's",
    }),
    info('forecast-brier-vs-fixed-table', rounded(model.brier ?? 0), 'Brier', {
      ...versusFixedTable(model.brier ?? 0, fixedTable.brier ?? 0),
      note: `Brier score of "delivered after the promise" over ${model.brierParcels} parcels with a promise vs the fixed table's warm-up distribution`,
    }),
    info('carrier-estimate-exact-day-hits', rounded(carrierEstimate.coverage), 'share', {
      note: `parcels delivered on the very day their carrier estimated, of ${carrierEstimate.forecasts} with an estimate; its MAE ${carrierEstimate.maeDays.toFixed(2)} business days`,
    }),
    info('forecast-backtest-seconds', rounded(seconds, 2), 's', {
      note: `what colis forecast-eval does once the file is read: the CSV text of ${report.parcels} parcels parsed, each row read on its carrier's business days, the rolling backtest`,
    }),
  ]
}

/** Backtests `rows` as `colis forecast-eval` would their CSV file. */
export function backtestRows(rows: readonly DeliveryHistoryRow[], seed: number): ForecastBacktestRun {
  const text = formatHistoryCsv(rows)
  const started = performance.now()
  const report = backtestHistoryCsv(text, 'ouvrables')
  const seconds = (performance.now() - started) / 1000
  return {
    report,
    table: formatBacktestReport(report),
    seconds,
    figures: figuresOfBacktest(report, seconds, seed),
  }
}

export const forecastBacktest: FigureModule = async ({ quick }) => {
  const rows = generateSyntheticHistory({ parcels: quick ? PARCELS_QUICK : PARCELS_FULL, seed: SEED })
  const run = backtestRows(rows, SEED)
  process.stderr.write(`bench: colis forecast-eval on the generated history:\n${run.table}\n`)
  return run.figures
}
