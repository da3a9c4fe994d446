import { describe, expect, it } from 'vitest'
import {
  backtestForecasts,
  type HistoryParcel,
  readHistoryRow,
} from '../../../src/domain/forecast/backtest.js'
import {
  generateSyntheticHistory,
  knownTransitOfRow,
} from '../../../src/domain/forecast/synthetic-history.js'

function parcelsOf(count: number, seed: number): HistoryParcel[] {
  return generateSyntheticHistory({ parcels: count, seed }).map((row) => {
    const parcel = readHistoryRow(row, 'ouvrables')
    if (typeof parcel === 'string') throw new Error(parcel)
    return parcel
  })
}

describe('backtest on a generated history', () => {
  it('recovers the known coverage, and beats the fixed table on width at no loss of coverage', () => {
    let knownMass = 0
    const report = backtestForecasts(parcelsOf(20_000, 1), {
      onForecast(parcel, window) {
        const truth = knownTransitOfRow(parcel) ?? []
        knownMass += truth.slice(window.from, window.to + 1).reduce((sum, p) => sum + p, 0)
      },
    })
    const knownCoverage = knownMass / report.model.forecasts
    expect(report.model.forecasts).toBeGreaterThan(16_000)
    expect(Math.abs(report.model.coverage - knownCoverage)).toBeLessThanOrEqual(0.03)
    expect(report.model.coverage).toBeGreaterThanOrEqual(0.78)
    expect(report.model.coverage).toBeLessThanOrEqual(0.85)
    expect(report.model.meanWidthDays).toBeLessThan(report.fixedTable.meanWidthDays)
    expect(report.model.coverage).toBeGreaterThanOrEqual(report.fixedTable.coverage)
    expect(report.model.maeDays).toBeLessThan(report.fixedTable.maeDays)
    expect(report.model.brier).toBeLessThan(report.fixedTable.brier ?? 0)
  })

  it('gives the same report for the same seed, and forecasts only from earlier weeks', () => {
    const parcels = parcelsOf(3_000, 7)
    expect(backtestForecasts(parcels)).toEqual(backtestForecasts(parcelsOf(3_000, 7)))
    const seen: string[] = []
    const report = backtestForecasts(parcels, { onForecast: (parcel) => seen.push(parcel.week) })
    const firstForecastWeek = [...new Set(parcels.map((parcel) => parcel.week))].sort()[4]
    expect(report.warmupWeeks).toHaveLength(4)
    expect(seen.every((week) => firstForecastWeek !== undefined && week >= firstForecastWeek)).toBe(true)
  })

  it('scores a one-day window as covered only on that day', () => {
    const row = {
      carrier: 'acme',
      service: 'standard',
      origin: '75015',
      destination: '75011',
      dayKind: 'ouvres' as const,
    }
    const week = (monday: string, deliveredOn: string) =>
      Array.from({ length: 25 }, () => ({
        ...row,
        handedOverAt: `${monday}T10:00:00+01:00`,
        deliveredAt: `${deliveredOn}T10:00:00+01:00`,
        carrierEstimate: deliveredOn,
      }))
    const rows = [
      ...week('2025-01-06', '2025-01-08'),
      ...week('2025-01-13', '2025-01-15'),
      ...week('2025-01-20', '2025-01-23'),
    ]
    const parcels = rows.map((r) => readHistoryRow(r, 'ouvrables') as HistoryParcel)
    const report = backtestForecasts(parcels, { warmupWeeks: 1 })
    // Week 2 is forecast from week 1 (2 days: right), week 3 from weeks 1 and 2 (2 days: one day early).
    expect(report.model).toMatchObject({ forecasts: 50, coverage: 0.5, meanWidthDays: 1, maeDays: 0.5 })
    expect(report.fixedTable).toMatchObject({ forecasts: 50, coverage: 0.5 })
    expect(report.carrierEstimate).toMatchObject({ forecasts: 50, coverage: 1, maeDays: 0 })
  })

  it('says why a row cannot be read', () => {
    const row = {
      carrier: 'acme',
      service: 'standard',
      origin: '',
      destination: '75011',
      handedOverAt: '2025-01-06T10:00:00+01:00',
      deliveredAt: '2025-01-08T10:00:00+01:00',
    }
    expect(readHistoryRow({ ...row, destination: 'nowhere' }, 'ouvres')).toMatch(/destination/)
    expect(readHistoryRow({ ...row, handedOverAt: '2025-01-06T10:00:00' }, 'ouvres')).toMatch(/offset/)
    expect(readHistoryRow({ ...row, deliveredAt: '2025-01-05T10:00:00+01:00' }, 'ouvres')).toMatch(/before/)
    expect(readHistoryRow({ ...row, dayKind: 'weekdays' as never }, 'ouvres')).toMatch(/dayKind/)
    expect(readHistoryRow(row, 'ouvres')).toMatchObject({ region: '75', transitDays: 2, week: '2025-W02' })
  })
})
