import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatHistoryCsv } from '../../src/cli/history-csv.js'
import { generateSyntheticHistory } from '../../src/domain/forecast/synthetic-history.js'
import { runColis } from '../support/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'colis-forecast-eval-'))

function historyFile(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const HISTORY = generateSyntheticHistory({ parcels: 2_000, seed: 5 })

describe.concurrent('colis forecast-eval', () => {
  it('prints the report as JSON, over every parcel of the file', async () => {
    const run = await runColis([
      'forecast-eval',
      historyFile('history.csv', formatHistoryCsv(HISTORY)),
      '--json',
    ])
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.parcels).toBe(HISTORY.length)
    expect(report.probability).toBe(0.8)
    expect(report.model.forecasts).toBeGreaterThan(0)
    expect(report.carrierEstimate.forecasts).toBeLessThanOrEqual(
      HISTORY.filter((row) => row.carrierEstimate !== undefined).length,
    )
  })

  it('prints a table of the model beside the fixed table and the carrier estimate', async () => {
    const run = await runColis(['forecast-eval', historyFile('table.csv', formatHistoryCsv(HISTORY))])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^method +forecasts +coverage of 80\.0 %/)
    for (const method of ['forecast', 'fixed table', 'carrier estimate'])
      expect(run.stdout).toMatch(new RegExp(`^${method} +\\d+ +\\d+\\.\\d %`, 'm'))
  })

  it('reads a file without the optional columns, on the delivery days it is told', async () => {
    const lines = formatHistoryCsv(HISTORY).split('\n')
    const trimmed = lines.map((line) => line.split(',').slice(0, 6).join(',')).join('\n')
    const run = await runColis([
      'forecast-eval',
      historyFile('bare.csv', trimmed),
      '--json',
      '--day-kind',
      'ouvres',
    ])
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.carrierEstimate.forecasts).toBe(0)
    expect(report.model.brierParcels).toBe(0)
  })

  it.each([
    [
      'a missing column',
      'carrier,service,origin,destination,handedOverAt\nacme,std,75015,75011,2025-01-06T10:00:00+01:00\n',
      /lacks the column\(s\) deliveredAt/,
    ],
    [
      'a time without offset',
      'carrier,service,origin,destination,handedOverAt,deliveredAt\nacme,std,75015,75011,2025-01-06T10:00:00,2025-01-08T10:00:00+01:00\n',
      /line 2: handedOverAt .* offset/,
    ],
    [
      'an unknown destination',
      'carrier,service,origin,destination,handedOverAt,deliveredAt\nacme,std,75015,Paris,2025-01-06T10:00:00+01:00,2025-01-08T10:00:00+01:00\n',
      /line 2: destination "Paris"/,
    ],
    ['no parcel', 'carrier,service,origin,destination,handedOverAt,deliveredAt\n', /holds no parcel/],
    ['an empty file', '', /empty/],
  ])('exits 2 on %s', async (name, text, message) => {
    const run = await runColis(['forecast-eval', historyFile(`${name}.csv`, text)])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stdout).toBe('')
  })

  it('exits 2 on a file it cannot read or a day kind it does not know', async () => {
    expect((await runColis(['forecast-eval', join(dir, 'absent.csv')])).stderr).toMatch(
      /cannot read .*ENOENT/,
    )
    const run = await runColis([
      'forecast-eval',
      historyFile('x.csv', formatHistoryCsv(HISTORY)),
      '--day-kind',
      'weekdays',
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--day-kind/)
  })
})
