import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { backtestRows, figuresOfBacktest } from '../../bench/figures/forecast-backtest.js'
import { formatHistoryCsv } from '../../src/cli/history-csv.js'
import { generateSyntheticHistory } from '../../src/domain/forecast/synthetic-history.js'
import { runColis } from '../support/cli.js'

const SEED = 3
const HISTORY = generateSyntheticHistory({ parcels: 2_000, seed: SEED })
const file = join(mkdtempSync(join(tmpdir(), 'colis-forecast-bench-')), 'history.csv')
writeFileSync(file, formatHistoryCsv(HISTORY))

const rounded = (value: number, digits = 3) => Number(value.toFixed(digits))

describe('the forecast backtest figure', () => {
  it('prints the table colis forecast-eval prints for the same history', async () => {
    const run = await runColis(['forecast-eval', file])
    expect(run.code, run.stderr).toBe(0)
    expect(`${backtestRows(HISTORY, SEED).table}\n`).toBe(run.stdout)
  })

  it("measures the figures of colis forecast-eval's report", async () => {
    const run = await runColis(['forecast-eval', file, '--json'])
    expect(run.code, run.stderr).toBe(0)
    const cli = JSON.parse(run.stdout)
    const bench = backtestRows(HISTORY, SEED)
    expect(bench.report).toEqual(cli)
    const value = Object.fromEntries(bench.figures.map((figure) => [figure.name, figure]))
    expect(value['forecast-window-coverage']?.value).toBe(rounded(cli.model.coverage))
    expect(value['forecast-window-width-vs-fixed-table']).toMatchObject({
      value: rounded(cli.model.meanWidthDays),
      baseline: rounded(cli.fixedTable.meanWidthDays),
      ratio: rounded(cli.model.meanWidthDays / cli.fixedTable.meanWidthDays),
      pass:
        cli.model.meanWidthDays < cli.fixedTable.meanWidthDays &&
        cli.model.coverage >= cli.fixedTable.coverage,
    })
    expect(value['forecast-mae-vs-fixed-table']).toMatchObject({
      value: rounded(cli.model.maeDays),
      baseline: rounded(cli.fixedTable.maeDays),
    })
    expect(value['forecast-brier-vs-fixed-table']).toMatchObject({
      value: rounded(cli.model.brier),
      baseline: rounded(cli.fixedTable.brier),
    })
    expect(value['carrier-estimate-exact-day-hits']?.value).toBe(rounded(cli.carrierEstimate.coverage))
    expect(value['forecast-backtest-seconds']?.value).toBeGreaterThan(0)
  })

  it('holds coverage to its band, and width to a narrower window at no lower coverage', () => {
    const { report } = backtestRows(HISTORY, SEED)
    const figure = (name: string, model: Partial<typeof report.model>) =>
      figuresOfBacktest({ ...report, model: { ...report.model, ...model } }, 1, SEED).find(
        (candidate) => candidate.name === name,
      )
    const fixed = report.fixedTable
    expect(figure('forecast-window-coverage', { coverage: 0.8 })?.pass).toBe(true)
    expect(figure('forecast-window-coverage', { coverage: 0.86 })?.pass).toBe(false)
    expect(figure('forecast-window-coverage', { coverage: 0.77 })?.pass).toBe(false)
    const narrower = { meanWidthDays: fixed.meanWidthDays - 1 }
    expect(
      figure('forecast-window-width-vs-fixed-table', { ...narrower, coverage: fixed.coverage })?.pass,
    ).toBe(true)
    expect(
      figure('forecast-window-width-vs-fixed-table', { ...narrower, coverage: fixed.coverage - 0.01 })?.pass,
    ).toBe(false)
    expect(
      figure('forecast-window-width-vs-fixed-table', { meanWidthDays: fixed.meanWidthDays, coverage: 1 })
        ?.pass,
    ).toBe(false)
  })
})
