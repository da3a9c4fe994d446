import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addCalendarDays, atParisHour, parisDateOf } from '../../../src/domain/business-calendar.js'
import { type ForecastParcel, forecast, probabilityLate } from '../../../src/domain/forecast/forecast.js'
import {
  MIN_SAMPLES,
  type TransitSample,
  trainForecastModel,
} from '../../../src/domain/forecast/forecast-model.js'
import { businessDaysBetween } from '../../../src/domain/forecast/transit-days.js'
import { conditionOn, shortestWindow } from '../../../src/domain/forecast/transit-distribution.js'
import { propertyRuns } from '../../support/property-runs.js'

const RUNS = { numRuns: propertyRuns(300) }

const samplesOf = (cell: Omit<TransitSample, 'transitDays'>, days: number[]) =>
  days.map((transitDays) => ({ ...cell, transitDays }))

const PARIS_11 = { carrier: 'acme', service: 'standard', region: '75' }

function parcel(overrides: Partial<ForecastParcel> = {}): ForecastParcel {
  return {
    carrier: 'acme',
    service: 'standard',
    destination: { destinationCountry: 'FR', destinationPostalCode: '75011' },
    handedOverAt: '2025-03-03T10:00:00+01:00',
    nowMs: atParisHour('2025-03-03', 12),
    stage: 'in_transit',
    dayKind: 'ouvres',
    ...overrides,
  }
}

/** 10 parcels in 2 days, 20 in 3, 10 in 4, 2 in 6. */
const MODEL = trainForecastModel(
  samplesOf(PARIS_11, [...Array(10).fill(2), ...Array(20).fill(3), ...Array(10).fill(4), 6, 6]),
)

describe('forecast', () => {
  it('gives the shortest window holding 80 % of similar parcels, counted in business days', () => {
    // Monday 3 March 2025: 2 business days is Wednesday, 4 is Friday.
    expect(forecast(MODEL, parcel())).toEqual({
      from: '2025-03-05',
      to: '2025-03-07',
      mostLikely: '2025-03-06',
      probability: 0.8,
      basis: { level: 'carrier_service_region', samples: 42 },
    })
  })

  it('skips weekends and the holidays of the destination', () => {
    // Handed over Friday 25 April 2025 in Alsace: Monday 28 is a business day, Friday 2 May too, but 1 May is a holiday.
    const model = trainForecastModel(samplesOf({ ...PARIS_11, region: '67' }, Array(30).fill(4)))
    const result = forecast(
      model,
      parcel({
        destination: { destinationCountry: 'FR', destinationPostalCode: '67000' },
        handedOverAt: '2025-04-25T10:00:00+02:00',
        nowMs: atParisHour('2025-04-25', 12),
      }),
    )
    expect(result).toMatchObject({ from: '2025-05-02', to: '2025-05-02' })
  })

  it('drops the days already past and renormalizes what is left', () => {
    // Thursday 6 March: 3 business days gone, so only the parcels of 3, 4 and 6 days remain (32).
    const result = forecast(MODEL, parcel({ nowMs: atParisHour('2025-03-06', 9) }))
    expect(result).toMatchObject({ from: '2025-03-06', to: '2025-03-07', basis: { samples: 32 } })
  })

  it('says today when out for delivery or at a pickup point, without history', () => {
    const empty = trainForecastModel([])
    for (const stage of ['out_for_delivery', 'available_for_pickup'] as const) {
      expect(forecast(empty, parcel({ stage, nowMs: atParisHour('2025-03-04', 9) }))).toEqual({
        from: '2025-03-04',
        to: '2025-03-04',
        mostLikely: '2025-03-04',
        probability: 0.8,
        basis: { level: 'stage', samples: 0 },
      })
    }
  })

  it('invents nothing: no history, no forecast; none once delivered', () => {
    expect(forecast(trainForecastModel([]), parcel())).toBeUndefined()
    expect(forecast(MODEL, parcel({ carrier: 'other' }))).toBeUndefined()
    expect(forecast(MODEL, parcel({ stage: 'delivered' }))).toBeUndefined()
  })

  it('stops forecasting a parcel slower than every similar one', () => {
    expect(forecast(MODEL, parcel({ nowMs: atParisHour('2025-03-14', 9) }))).toBeUndefined()
  })

  it('tells the chance of arriving after the promise', () => {
    // Promised Thursday (3 days): late means 4 or 6 days, 12 parcels of 42.
    expect(probabilityLate(MODEL, parcel(), '2025-03-06')).toBeCloseTo(12 / 42, 10)
    expect(probabilityLate(MODEL, parcel(), '2025-03-07')).toBeCloseTo(2 / 42, 10)
    expect(probabilityLate(MODEL, parcel(), '2025-03-02')).toBe(1)
    expect(probabilityLate(MODEL, parcel({ stage: 'out_for_delivery' }), '2025-03-03')).toBe(0)
    expect(probabilityLate(trainForecastModel([]), parcel(), '2025-03-06')).toBeUndefined()
  })
})

const histogramArb = fc.array(fc.nat({ max: 15 }), { minLength: 1, maxLength: 12 })

describe('forecast properties', () => {
  const days = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: MIN_SAMPLES, maxLength: 80 })
  const probability = fc.double({ min: 0.5, max: 0.99, noNaN: true })
  const handover = fc.integer({ min: 0, max: 700 }).map((offset) => addCalendarDays('2024-01-01', offset))
  const waited = fc.integer({ min: 0, max: 20 })

  it('keeps mostLikely inside a window that never starts before today', () => {
    fc.assert(
      fc.property(
        days,
        probability,
        handover,
        waited,
        fc.boolean(),
        (transit, p, handedOverOn, wait, ouvres) => {
          const model = trainForecastModel(samplesOf(PARIS_11, transit))
          const nowMs = atParisHour(addCalendarDays(handedOverOn, wait), 11)
          const result = forecast(
            model,
            parcel({
              handedOverAt: `${handedOverOn}T09:00:00+01:00`,
              nowMs,
              dayKind: ouvres ? 'ouvres' : 'ouvrables',
            }),
            p,
          )
          if (!result) return
          expect(result.from <= result.mostLikely && result.mostLikely <= result.to).toBe(true)
          expect(result.from >= parisDateOf(nowMs)).toBe(true)
        },
      ),
      RUNS,
    )
  })

  it('holds at least the probability asked for, under its own distribution', () => {
    fc.assert(
      fc.property(histogramArb, fc.nat({ max: 12 }), probability, (counts, minimumDays, p) => {
        const distribution = conditionOn({ counts, samples: counts.reduce((a, b) => a + b, 0) }, minimumDays)
        if (!distribution) return
        const window = shortestWindow(distribution, p)
        const held =
          counts.slice(window.from, window.to + 1).reduce((a, b) => a + b, 0) / distribution.samples
        expect(held).toBeGreaterThanOrEqual(p - 1e-9)
        expect(window.from).toBeGreaterThanOrEqual(minimumDays)
        for (let from = 0; from + (window.to - window.from) - 1 < counts.length; from++) {
          const shorter = counts.slice(Math.max(from, minimumDays), from + window.to - window.from)
          expect(shorter.reduce((a, b) => a + b, 0) / distribution.samples).toBeLessThan(p - 1e-9)
        }
      }),
      RUNS,
    )
  })

  it('uses the narrowest level with MIN_SAMPLES parcels, and none below', () => {
    const count = fc.nat({ max: 2 * MIN_SAMPLES })
    fc.assert(
      fc.property(count, count, count, (inCell, sameService, sameCarrier) => {
        const model = trainForecastModel([
          ...samplesOf(PARIS_11, Array(inCell).fill(2)),
          ...samplesOf({ ...PARIS_11, region: '13' }, Array(sameService).fill(3)),
          ...samplesOf({ ...PARIS_11, service: 'express' }, Array(sameCarrier).fill(1)),
        ])
        const expected =
          inCell >= MIN_SAMPLES
            ? { level: 'carrier_service_region', samples: inCell }
            : inCell + sameService >= MIN_SAMPLES
              ? { level: 'carrier_service', samples: inCell + sameService }
              : inCell + sameService + sameCarrier >= MIN_SAMPLES
                ? { level: 'carrier', samples: inCell + sameService + sameCarrier }
                : undefined
        expect(forecast(model, parcel())?.basis).toEqual(expected)
      }),
      RUNS,
    )
  })
})

describe('businessDaysBetween', () => {
  it('counts the business days after the first date up to the second', () => {
    expect(businessDaysBetween('2025-03-03', '2025-03-10', 'ouvres')).toBe(5)
    expect(businessDaysBetween('2025-03-03', '2025-03-10', 'ouvrables')).toBe(6)
    expect(businessDaysBetween('2025-03-03', '2025-03-03', 'ouvres')).toBe(0)
  })
})
