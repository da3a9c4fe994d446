import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { laneRateLimit } from '../../workers/carrier-poller.js'
import { propertyRuns } from '../support/property-runs.js'

describe("a poll lane's share of its carrier's rate", () => {
  it('is the whole rate with one lane, and a third of it with three when it divides', () => {
    expect(laneRateLimit({ max: 10, durationMs: 1000 }, 1)).toEqual({ max: 10, durationMs: 1000 })
    expect(laneRateLimit({ max: 30, durationMs: 1000 }, 3)).toEqual({ max: 10, durationMs: 1000 })
    // La Poste's 10 a second over three lanes: three per 900 ms each.
    expect(laneRateLimit({ max: 10, durationMs: 1000 }, 3)).toEqual({ max: 3, durationMs: 900 })
    // Fewer requests than lanes: one each, over a longer window.
    expect(laneRateLimit({ max: 2, durationMs: 1000 }, 3)).toEqual({ max: 1, durationMs: 1500 })
  })

  it('never lets the lanes together exceed the carrier, in a window or over time, and loses only what does not divide', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 100_000 })
          .chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 1, max: Math.min(64, max) }))),
        fc.integer({ min: 1, max: 3_600_000 }),
        ([max, lanes], durationMs) => {
          const lane = laneRateLimit({ max, durationMs }, lanes)
          expect(Number.isInteger(lane.max) && lane.max >= 1).toBe(true)
          expect(Number.isInteger(lane.durationMs) && lane.durationMs >= 1).toBe(true)
          // Each lane's first requests go at once: together they fit in one of the carrier's windows.
          expect(lanes * lane.max).toBeLessThanOrEqual(max)
          const carrierRate = max / durationMs
          const lanesRate = (lanes * lane.max) / lane.durationMs
          expect(lanesRate).toBeLessThanOrEqual(carrierRate * (1 + 1e-9))
          const kept = (lanes * Math.floor(max / lanes)) / max
          expect(lanesRate).toBeGreaterThanOrEqual(carrierRate * kept * (1 - 1e-9))
          if (max >= 10 * lanes) expect(lanesRate).toBeGreaterThanOrEqual(carrierRate * 0.9)
        },
      ),
      { numRuns: propertyRuns(400) },
    )
  })
})
