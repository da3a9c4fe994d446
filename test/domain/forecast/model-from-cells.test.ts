import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { destinationCellOf } from '../../../src/domain/analytics/analytics-cell.js'
import { BUSINESS_DAY_BUCKETS, histogramOf } from '../../../src/domain/analytics/histogram.js'
import { trainForecastModel } from '../../../src/domain/forecast/forecast-model.js'
import {
  forecastModelFromCells,
  forecastRegionOfCell,
  type TransitCell,
  wholeDayOfBucket,
} from '../../../src/domain/forecast/model-from-cells.js'
import { forecastRegionOf } from '../../../src/domain/forecast/transit-days.js'
import { propertyRuns } from '../../support/property-runs.js'

const cellOf = (
  destination: string,
  days: number[],
  carrier = 'acme',
  service = 'standard',
): TransitCell => ({
  cell: { carrier, service, destination },
  summary: { transitDays: histogramOf(BUSINESS_DAY_BUCKETS, days) },
})

describe('forecastRegionOfCell', () => {
  it.each([
    ['FR-75', '75'],
    ['FR-2A', '20'],
    ['FR-2B', '20'],
    ['FR-971', '971'],
    ['BE', 'BE'],
    ['FR', 'FR'],
  ])('reads the analytics destination %s as the forecast region %s', (destination, region) => {
    expect(forecastRegionOfCell(destination)).toBe(region)
  })

  it.each([
    ['75011', 'FR'],
    ['20090', 'FR'],
    ['20200', 'FR'],
    ['97110', 'FR'],
    ['', 'DE'],
  ])('gives a parcel to %s (%s) the region the forecast gives it', (postalCode, country) => {
    const destination = {
      destinationCountry: country,
      ...(postalCode ? { destinationPostalCode: postalCode } : {}),
    }
    expect(forecastRegionOfCell(destinationCellOf(destination))).toBe(forecastRegionOf(destination).region)
  })
})

describe('wholeDayOfBucket', () => {
  it.each([
    [0, 0],
    [2, 2],
    [2.5, 3],
    [9.5, 10],
    [10, 10],
    [30, 30],
  ])('counts the bucket starting at %s on day %s', (edge, day) => {
    expect(wholeDayOfBucket(edge)).toBe(day)
  })
})

describe('forecastModelFromCells', () => {
  it('learns each count at its day, at every level, summed over cells of one lane', () => {
    const model = forecastModelFromCells([
      cellOf('FR-75', [1, 2, 2]),
      cellOf('FR-75', [3]),
      cellOf('BE', [4]),
    ])
    expect(model.cells.get('acme\u0000standard\u000075')).toEqual({ counts: [0, 1, 2, 1], samples: 4 })
    expect(model.cells.get('acme\u0000standard\u0000BE')).toEqual({ counts: [0, 0, 0, 0, 1], samples: 1 })
    expect(model.cells.get('acme')?.samples).toBe(5)
  })

  it('counts a parcel slower than the last bucket at its lower edge', () => {
    const model = forecastModelFromCells([cellOf('FR-69', [35])])
    expect(model.cells.get('acme\u0000standard\u000069')?.counts.length).toBe(31)
  })

  it('learns nothing from cells without deliveries', () => {
    expect(forecastModelFromCells([cellOf('FR-75', [])]).cells.size).toBe(0)
  })

  it('equals the model trained on the same parcels, one sample each', () => {
    const destination = fc.oneof(
      fc.constantFrom('75011', '69003', '20090', '20290', '97200', '13001').map((postalCode) => ({
        destinationCountry: 'FR',
        destinationPostalCode: postalCode,
      })),
      fc.constantFrom('BE', 'DE', 'ES').map((country) => ({ destinationCountry: country })),
    )
    const parcel = fc.record({
      merchant: fc.constantFrom('m1', 'm2'),
      carrier: fc.constantFrom('acme', 'Rapid'),
      service: fc.constantFrom('standard', 'express'),
      week: fc.constantFrom('2026-W01', '2026-W02'),
      destination,
      transitDays: fc.integer({ min: 0, max: 30 }),
    })
    fc.assert(
      fc.property(fc.array(parcel, { maxLength: 60 }), (parcels) => {
        const byCell = new Map<string, { cell: TransitCell['cell']; days: number[] }>()
        for (const p of parcels) {
          const cell = {
            carrier: p.carrier,
            service: p.service,
            destination: destinationCellOf(p.destination),
          }
          const key = [p.merchant, cell.carrier, cell.service, cell.destination, p.week].join('|')
          const entry = byCell.get(key) ?? { cell, days: [] }
          entry.days.push(p.transitDays)
          byCell.set(key, entry)
        }
        const fromCells = forecastModelFromCells(
          [...byCell.values()].map(({ cell, days }) =>
            cellOf(cell.destination, days, cell.carrier, cell.service),
          ),
        )
        const fromParcels = trainForecastModel(
          parcels.map((p) => ({
            carrier: p.carrier,
            service: p.service,
            region: forecastRegionOf(p.destination).region,
            transitDays: p.transitDays,
          })),
        )
        expect(fromCells.cells).toEqual(fromParcels.cells)
      }),
      { numRuns: propertyRuns(200) },
    )
  })
})
