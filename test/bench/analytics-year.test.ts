import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  apportion,
  CARRIER_MIX,
  destinations,
  generateAnalyticsYear,
  histogramOfValues,
  weeksEndingWith,
} from '../../bench/analytics-year.js'
import {
  BUSINESS_DAY_BUCKETS,
  countOf,
  HOUR_BUCKETS,
  histogramOf,
} from '../../src/domain/analytics/histogram.js'
import { cellMember } from '../../src/store/redis/redis-keys.js'

const OPTIONS = { merchantId: 'bench-shop', parcels: 10_000, lastWeek: '2026-W48', seed: 7 }
const YEAR = [...generateAnalyticsYear(OPTIONS)]
const CELLS = YEAR.flat()

describe("the analytics query figure's year of parcels", () => {
  it('spreads exactly the parcels asked for over 52 weeks, with more before Christmas', () => {
    expect(YEAR).toHaveLength(52)
    const weeks = YEAR.map((cells) => cells[0]?.cell.week)
    expect(weeks).toEqual(weeksEndingWith('2026-W48', 52))
    expect(weeks[0]).toBe('2025-W49')
    const parcelsOf = (week: string) =>
      CELLS.filter(({ cell }) => cell.week === week).reduce((sum, { summary }) => sum + summary.parcels, 0)
    expect(CELLS.reduce((sum, { summary }) => sum + summary.parcels, 0)).toBe(OPTIONS.parcels)
    expect(parcelsOf('2026-W48')).toBeGreaterThan(1.8 * parcelsOf('2026-W10'))
  })

  it("fills each cell-week once, of the merchant's carriers, services and destinations", () => {
    expect(new Set(CELLS.map(({ cell }) => cellMember(cell))).size).toBe(CELLS.length)
    const lanes = new Set(
      CARRIER_MIX.flatMap(({ carrier, services }) => services.map(({ service }) => `${carrier}/${service}`)),
    )
    const places = new Set(destinations().map(({ code }) => code))
    for (const { cell } of CELLS) {
      expect(cell.merchantId).toBe('bench-shop')
      expect(lanes).toContain(`${cell.carrier}/${cell.service}`)
      expect(places).toContain(cell.destination)
    }
    expect(new Set(CELLS.map(({ cell }) => cell.carrier)).size).toBe(CARRIER_MIX.length)
  })

  it('counts each parcel as the store counts one', () => {
    for (const { summary } of CELLS) {
      expect(summary.delivered + summary.returned + summary.expired).toBe(summary.parcels)
      expect(countOf(summary.transitDays)).toBe(summary.delivered)
      expect(countOf(summary.transitHours)).toBe(summary.delivered)
      expect(summary.firstAttempt.total).toBe(summary.delivered)
      expect(summary.onTime.total).toBeLessThanOrEqual(summary.delivered)
      expect(countOf(summary.pickup.collection)).toBe(summary.pickup.count)
      expect(countOf(summary.firstScanLag)).toBe(summary.parcels)
      expect(countOf(summary.reportingLag)).toBeGreaterThanOrEqual(4 * summary.parcels)
    }
  })

  it('draws the same year from the same seed', () => {
    expect([...generateAnalyticsYear(OPTIONS)].flat()).toEqual(CELLS)
    expect([...generateAnalyticsYear({ ...OPTIONS, seed: 8 })].flat()).not.toEqual(CELLS)
  })

  it('ships to about a hundred départements and a few countries, shares adding up to one', () => {
    const all = destinations()
    expect(all.filter(({ code }) => code.startsWith('FR-')).length).toBeGreaterThanOrEqual(100)
    expect(all.reduce((sum, { share }) => sum + share, 0)).toBeCloseTo(1, 9)
    expect(CARRIER_MIX.reduce((sum, { share }) => sum + share, 0)).toBeCloseTo(1, 9)
  })

  it('apportions a whole number in proportion, adding up to it', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1 }),
        (total, weights) => {
          const shares = apportion(total, weights)
          expect(shares.reduce((sum, share) => sum + share, 0)).toBe(total)
          const sum = weights.reduce((a, b) => a + b, 0)
          shares.forEach((share, index) => {
            expect(Math.abs(share - (total * (weights[index] ?? 0)) / sum)).toBeLessThan(1)
          })
        },
      ),
    )
  })

  it("builds the histogram the domain's addValue builds from the same values", () => {
    for (const [buckets, max] of [
      [BUSINESS_DAY_BUCKETS, 40],
      [HOUR_BUCKETS, 2000],
    ] as const) {
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true })), (values) => {
          expect(histogramOfValues(buckets, values)).toEqual(histogramOf(buckets, values))
        }),
      )
    }
  })
})
