import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRetryAfter, retryDelayMs, WEBHOOK_RETRY_DELAYS_MS } from '../../src/webhooks/retry-schedule.js'

const HOUR = 3_600_000

describe('retryDelayMs', () => {
  it('follows the Svix schedule: 8 attempts in all', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((made) => retryDelayMs(made, { factor: 1, random: () => 0.5 }))
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR])
    expect(delays).toEqual([...WEBHOOK_RETRY_DELAYS_MS])
    expect(retryDelayMs(8, { factor: 1 })).toBeUndefined()
  })

  it('jitters by ±20 %', () => {
    expect(retryDelayMs(1, { factor: 1, random: () => 0 })).toBe(4_000)
    expect(retryDelayMs(1, { factor: 1, random: () => 0.999_999 })).toBe(6_000)
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (made, r) => {
          const base = WEBHOOK_RETRY_DELAYS_MS[made - 1] ?? 0
          const delay = retryDelayMs(made, { factor: 1, random: () => r }) ?? 0
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8))
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2))
        },
      ),
    )
  })

  it('scales every delay by the factor', () => {
    expect(retryDelayMs(2, { factor: 0.001, random: () => 0.5 })).toBe(300)
    expect(retryDelayMs(2, { factor: 0.001, random: () => 0.5, retryAfterMs: 600_000 })).toBe(600)
  })

  it('honours Retry-After when it is longer than the schedule, capped at 24 h', () => {
    expect(retryDelayMs(1, { factor: 1, random: () => 0.5, retryAfterMs: 60_000 })).toBe(60_000)
    expect(retryDelayMs(2, { factor: 1, random: () => 0.5, retryAfterMs: 60_000 })).toBe(300_000)
    expect(retryDelayMs(1, { factor: 1, random: () => 0.5, retryAfterMs: 7 * 24 * HOUR })).toBe(24 * HOUR)
    expect(retryDelayMs(8, { factor: 1, retryAfterMs: 60_000 })).toBeUndefined()
  })

  it('refuses nonsense arguments', () => {
    expect(() => retryDelayMs(0, { factor: 1 })).toThrow(RangeError)
    expect(() => retryDelayMs(1.5, { factor: 1 })).toThrow(RangeError)
    expect(() => retryDelayMs(1, { factor: 0 })).toThrow(RangeError)
    expect(() => retryDelayMs(1, { factor: Number.NaN })).toThrow(RangeError)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T10:00:00Z')

  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Sun, 22 Nov 2026 10:02:00 GMT', 120_000],
    ['Sunday, 22-Nov-26 10:00:30 GMT', 30_000],
    ['Sun, 22 Nov 2026 09:00:00 GMT', 0],
    [null, undefined],
    ['', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['2026-11-22T10:02:00Z', undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})
