import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatInZone,
  formatWithOffset,
  hasOffset,
  instantOf,
  isRealWallClock,
  normalizeCarrierTimestamp,
  offsetMinutesAt,
  resolveWallClock,
  type WallClock,
} from '../../src/domain/paris-time.js'
import { propertyRuns } from '../support/property-runs.js'

const HOUR_MS = 3_600_000
const FROM_1990 = Date.UTC(1990, 0, 1)
const UNTIL_2100 = Date.UTC(2100, 0, 1)

function wallClockOf(timestamp: string): WallClock {
  const match = timestamp.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/)
  if (!match) throw new Error(`not an RFC 3339 timestamp: ${timestamp}`)
  const [, year, month, day, hour, minute, second] = match.map(Number)
  return {
    year: year ?? 0,
    month: month ?? 0,
    day: day ?? 0,
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: second ?? 0,
  }
}

function toSecond(instantMs: number): number {
  return Math.floor(instantMs / 1000) * 1000
}

describe('normalizeCarrierTimestamp', () => {
  describe('keeps the offset the carrier sent', () => {
    it.each([
      ['2023-03-09T09:38:00+01:00', '2023-03-09T09:38:00+01:00', '2023-03-09T08:38:00.000Z'],
      ['2023-07-09T09:38:00+02:00', '2023-07-09T09:38:00+02:00', '2023-07-09T07:38:00.000Z'],
      ['2023-03-09T09:38:00-05:00', '2023-03-09T09:38:00-05:00', '2023-03-09T14:38:00.000Z'],
      ['2023-03-09T09:38:00+0100', '2023-03-09T09:38:00+01:00', '2023-03-09T08:38:00.000Z'],
      ['2023-03-09T09:38:00+05:30', '2023-03-09T09:38:00+05:30', '2023-03-09T04:08:00.000Z'],
      // a winter offset sent in summer is the carrier's word: kept, not "corrected" to Paris time
      ['2023-07-09T09:38:00+01:00', '2023-07-09T09:38:00+01:00', '2023-07-09T08:38:00.000Z'],
      ['2023-03-09T09:38+01:00', '2023-03-09T09:38:00+01:00', '2023-03-09T08:38:00.000Z'],
      ['2023-03-09 09:38:00+01:00', '2023-03-09T09:38:00+01:00', '2023-03-09T08:38:00.000Z'],
      ['2026-01-01T10:00:00+14:00', '2026-01-01T10:00:00+14:00', '2025-12-31T20:00:00.000Z'],
      ['2026-01-01T10:00:00-12:00', '2026-01-01T10:00:00-12:00', '2026-01-01T22:00:00.000Z'],
    ])('%s → %s', (raw, expected, instant) => {
      const normalized = normalizeCarrierTimestamp(raw)
      expect(normalized).toBe(expected)
      expect(new Date(instantOf(expected)).toISOString()).toBe(instant)
    })

    it.each([
      ['2023-03-09T09:38:00Z', '2023-03-09T09:38:00Z'],
      ['2023-03-09T09:38:00z', '2023-03-09T09:38:00Z'],
      ['2023-03-09 09:38Z', '2023-03-09T09:38:00Z'],
      [' 2023-03-09T09:38:00Z ', '2023-03-09T09:38:00Z'],
    ])('%j is UTC sent with Z: kept as %s, not rewritten to +00:00', (raw, expected) => {
      const normalized = normalizeCarrierTimestamp(raw)
      expect(normalized).toBe(expected)
      expect(instantOf(normalized ?? '')).toBe(Date.UTC(2023, 2, 9, 9, 38))
    })

    it('keeps +00:00 as +00:00: the suffix is the one the carrier sent', () => {
      expect(normalizeCarrierTimestamp('2023-03-09T09:38:00+00:00')).toBe('2023-03-09T09:38:00+00:00')
      expect(normalizeCarrierTimestamp('2023-03-09T09:38:00+0000')).toBe('2023-03-09T09:38:00+00:00')
    })

    it('never relabels an offset-less Paris time as UTC', () => {
      const normalized = normalizeCarrierTimestamp('2023-03-09T09:38:00')
      expect(normalized).toBe('2023-03-09T09:38:00+01:00')
      expect(normalized?.endsWith('Z')).toBe(false)
    })
  })

  describe('reads a time without offset as Europe/Paris wall-clock', () => {
    it.each([
      ['winter', '2023-03-09T09:38:00', '2023-03-09T09:38:00+01:00'],
      ['summer', '2023-07-09T09:38:00', '2023-07-09T09:38:00+02:00'],
      ['winter, space instead of T', '2023-01-15 18:05:09', '2023-01-15T18:05:09+01:00'],
      ['summer, space instead of T', '2023-08-15 18:05:09', '2023-08-15T18:05:09+02:00'],
      ['no seconds', '2023-03-09T09:38', '2023-03-09T09:38:00+01:00'],
      ['no seconds, space', '2023-08-15 07:00', '2023-08-15T07:00:00+02:00'],
      ['surrounding spaces', '  2023-03-09T09:38:00 ', '2023-03-09T09:38:00+01:00'],
      ['midnight', '2024-02-29T00:00:00', '2024-02-29T00:00:00+01:00'],
      ['last second of the year', '2025-12-31T23:59:59', '2025-12-31T23:59:59+01:00'],
    ])('%s: %s → %s', (_case, raw, expected) => {
      expect(normalizeCarrierTimestamp(raw)).toBe(expected)
    })

    it('drops fractional seconds (the timeline is to the second), keeping the instant’s second', () => {
      expect(normalizeCarrierTimestamp('2023-03-09T09:38:12.345')).toBe('2023-03-09T09:38:12+01:00')
      expect(normalizeCarrierTimestamp('2023-03-09T09:38:12.999999')).toBe('2023-03-09T09:38:12+01:00')
      expect(normalizeCarrierTimestamp('2023-03-09T09:38:12.5+02:00')).toBe('2023-03-09T09:38:12+02:00')
      expect(normalizeCarrierTimestamp('2023-03-09T09:38:12.5Z')).toBe('2023-03-09T09:38:12Z')
    })
  })

  describe('DST: the skipped hour in spring is shifted forward', () => {
    it.each([
      ['2026-03-29T01:59:59', '2026-03-29T01:59:59+01:00'],
      ['2026-03-29T02:00:00', '2026-03-29T03:00:00+02:00'],
      ['2026-03-29T02:30:00', '2026-03-29T03:30:00+02:00'],
      ['2026-03-29T02:59:59', '2026-03-29T03:59:59+02:00'],
      ['2026-03-29T03:00:00', '2026-03-29T03:00:00+02:00'],
      ['2026-03-29T03:30:00', '2026-03-29T03:30:00+02:00'],
      ['2027-03-28T01:59:59', '2027-03-28T01:59:59+01:00'],
      ['2027-03-28T02:00:00', '2027-03-28T03:00:00+02:00'],
      ['2027-03-28T02:30:00', '2027-03-28T03:30:00+02:00'],
      ['2027-03-28T02:59:59', '2027-03-28T03:59:59+02:00'],
      ['2027-03-28T03:00:00', '2027-03-28T03:00:00+02:00'],
    ])('%s → %s', (raw, expected) => {
      expect(normalizeCarrierTimestamp(raw)).toBe(expected)
    })

    it('reads 02:30 on the spring day one hour after 01:30', () => {
      const before = instantOf(normalizeCarrierTimestamp('2026-03-29T01:30:00') ?? '')
      const gap = instantOf(normalizeCarrierTimestamp('2026-03-29T02:30:00') ?? '')
      expect(gap - before).toBe(HOUR_MS)
    })

    it('does not move the same wall time on the days around the change', () => {
      expect(normalizeCarrierTimestamp('2026-03-28T02:30:00')).toBe('2026-03-28T02:30:00+01:00')
      expect(normalizeCarrierTimestamp('2026-03-30T02:30:00')).toBe('2026-03-30T02:30:00+02:00')
    })
  })

  describe('DST: the repeated hour in autumn is its first occurrence', () => {
    it.each([
      ['2026-10-25T01:59:59', '2026-10-25T01:59:59+02:00'],
      ['2026-10-25T02:00:00', '2026-10-25T02:00:00+02:00'],
      ['2026-10-25T02:30:00', '2026-10-25T02:30:00+02:00'],
      ['2026-10-25T02:59:59', '2026-10-25T02:59:59+02:00'],
      ['2026-10-25T03:00:00', '2026-10-25T03:00:00+01:00'],
      ['2027-10-31T01:59:59', '2027-10-31T01:59:59+02:00'],
      ['2027-10-31T02:00:00', '2027-10-31T02:00:00+02:00'],
      ['2027-10-31T02:30:00', '2027-10-31T02:30:00+02:00'],
      ['2027-10-31T02:59:59', '2027-10-31T02:59:59+02:00'],
      ['2027-10-31T03:00:00', '2027-10-31T03:00:00+01:00'],
    ])('%s → %s', (raw, expected) => {
      expect(normalizeCarrierTimestamp(raw)).toBe(expected)
    })

    it('keeps the second occurrence when the carrier sends the offset', () => {
      const first = normalizeCarrierTimestamp('2026-10-25T02:30:00+02:00')
      const second = normalizeCarrierTimestamp('2026-10-25T02:30:00+01:00')
      expect(first).toBe('2026-10-25T02:30:00+02:00')
      expect(second).toBe('2026-10-25T02:30:00+01:00')
      expect(instantOf(second ?? '') - instantOf(first ?? '')).toBe(HOUR_MS)
    })

    it('reads 03:00 on the autumn day two hours after 02:00', () => {
      const two = instantOf(normalizeCarrierTimestamp('2026-10-25T02:00:00') ?? '')
      const three = instantOf(normalizeCarrierTimestamp('2026-10-25T03:00:00') ?? '')
      expect(three - two).toBe(2 * HOUR_MS)
    })
  })

  describe('rejects what is not a real date-time', () => {
    it.each([
      ['30 February', '2026-02-30T10:00:00'],
      ['29 February of a common year', '2025-02-29T10:00:00'],
      ['31 April', '2026-04-31T10:00:00'],
      ['day 0', '2026-04-00T10:00:00'],
      ['month 13', '2026-13-01T10:00:00'],
      ['month 0', '2026-00-10T10:00:00'],
      ['hour 25', '2026-01-01T25:00:00'],
      ['hour 24', '2026-01-01T24:00:00'],
      ['minute 60', '2026-01-01T10:60:00'],
      ['second 60', '2026-01-01T10:00:60'],
      ['30 February with an offset', '2026-02-30T10:00:00+01:00'],
      ['25:00 with Z', '2026-01-01T25:00:00Z'],
      ['30 February with Z', '2026-02-30T10:00:00Z'],
      ['Z and an offset', '2026-01-01T10:00:00Z+01:00'],
      ['garbage', 'garbage'],
      ['empty', ''],
      ['blank', '   '],
      ['date only', '2026-01-01'],
      ['time only', '10:00:00'],
      ['French day-first date', '09/03/2023 09:38'],
      ['hour-only offset', '2026-01-01T10:00:00+01'],
      ['offset minutes out of range', '2026-01-01T10:00:00+01:75'],
      ['offset beyond 18 hours', '2026-01-01T10:00:00+19:00'],
      ['trailing text', '2026-01-01T10:00:00 CET'],
      ['two-digit year', '26-01-01T10:00:00'],
    ])('%s: %j → undefined', (_case, raw) => {
      expect(normalizeCarrierTimestamp(raw)).toBeUndefined()
    })
  })

  /** A UTC instant as carriers write it with `Z`: `T` or a space, seconds or not, a fraction, `z` or `Z`. */
  const sentWithZ = fc
    .record({
      instantMs: fc.integer({ min: FROM_1990, max: UNTIL_2100 }),
      separator: fc.constantFrom('T', ' '),
      seconds: fc.boolean(),
      fraction: fc.constantFrom('', '.5', '.123', '.999999'),
      zulu: fc.constantFrom('Z', 'z'),
    })
    .map(({ instantMs, separator, seconds, fraction, zulu }) => {
      const iso = new Date(instantMs).toISOString()
      const time = seconds ? `${iso.slice(11, 19)}${fraction}` : iso.slice(11, 16)
      const shown = seconds ? toSecond(instantMs) : Math.floor(instantMs / 60_000) * 60_000
      return { text: `${iso.slice(0, 10)}${separator}${time}${zulu}`, instantMs: shown }
    })

  it('keeps Z for any UTC time sent with Z, at the instant sent (property)', () => {
    fc.assert(
      fc.property(sentWithZ, ({ text, instantMs }) => {
        const normalized = normalizeCarrierTimestamp(text) ?? ''
        expect(normalized).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
        expect(instantOf(normalized)).toBe(instantMs)
        expect(hasOffset(normalized)).toBe(true)
        // The written form is kept as it is.
        expect(normalizeCarrierTimestamp(normalized)).toBe(normalized)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('keeps any offset a carrier sends (quarter hours from -12:00 to +14:00)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM_1990, max: UNTIL_2100 }),
        fc.integer({ min: -48, max: 56 }),
        (instantMs, quarters) => {
          const sent = formatWithOffset(instantMs, quarters * 15)
          const normalized = normalizeCarrierTimestamp(sent)
          expect(normalized).toBe(sent)
          expect(instantOf(normalized ?? '')).toBe(toSecond(instantMs))
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })
})

describe('the written form, kept as it is (the path every La Poste scan takes)', () => {
  const digits = (min: number, max: number, width = 2) =>
    fc.integer({ min, max }).map((value) => String(value).padStart(width, '0'))
  // Shaped like the written form, with every field also drawn out of its range.
  const writtenShape = fc
    .tuple(
      digits(1960, 2105, 4),
      digits(0, 13),
      digits(0, 32),
      digits(0, 25),
      digits(0, 61),
      digits(0, 61),
      fc.constantFrom('+', '-', 'Z'),
      digits(0, 20),
      digits(0, 75),
    )
    .map(([y, mo, d, h, mi, s, sign, oh, om]) => {
      const suffix = sign === 'Z' ? 'Z' : `${sign}${oh}:${om}`
      return `${y}-${mo}-${d}T${h}:${mi}:${s}${suffix}`
    })

  it('answers what the general path answers for the same text (property)', () => {
    fc.assert(
      fc.property(writtenShape, (text) => {
        // A leading blank takes the text through the general path (trim, then parse and format).
        expect(normalizeCarrierTimestamp(text)).toBe(normalizeCarrierTimestamp(` ${text}`))
      }),
      { numRuns: propertyRuns(5000) },
    )
  })

  it('tells real calendar days from the rest as Date does (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 32 }),
        (year, month, day) => {
          const date = new Date(Date.UTC(year, month - 1, day))
          const real = day >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
          expect(isRealWallClock({ year, month, day, hour: 0, minute: 0 })).toBe(real)
        },
      ),
      { numRuns: propertyRuns(5000) },
    )
  })
})

describe('offsetMinutesAt', () => {
  it('is +60 in Paris winter and +120 in Paris summer, 0 in UTC', () => {
    expect(offsetMinutesAt(Date.UTC(2026, 0, 15))).toBe(60)
    expect(offsetMinutesAt(Date.UTC(2026, 6, 15))).toBe(120)
    expect(offsetMinutesAt(Date.UTC(2026, 6, 15), 'UTC')).toBe(0)
    expect(offsetMinutesAt(Date.UTC(2026, 0, 15), 'America/New_York')).toBe(-300)
    expect(offsetMinutesAt(Date.UTC(2026, 0, 15), 'Asia/Kolkata')).toBe(330)
  })

  it('changes at 01:00 UTC on the last Sunday of March and October', () => {
    expect(offsetMinutesAt(Date.UTC(2026, 2, 29, 0, 59, 59))).toBe(60)
    expect(offsetMinutesAt(Date.UTC(2026, 2, 29, 1, 0, 0))).toBe(120)
    expect(offsetMinutesAt(Date.UTC(2026, 9, 25, 0, 59, 59))).toBe(120)
    expect(offsetMinutesAt(Date.UTC(2026, 9, 25, 1, 0, 0))).toBe(60)
  })
})

describe('resolveWallClock', () => {
  it('resolves a plain wall-clock time', () => {
    expect(resolveWallClock({ year: 2026, month: 1, day: 15, hour: 12, minute: 0 })).toBe(
      Date.UTC(2026, 0, 15, 11, 0),
    )
    expect(resolveWallClock({ year: 2026, month: 7, day: 15, hour: 12, minute: 0, second: 30 })).toBe(
      Date.UTC(2026, 6, 15, 10, 0, 30),
    )
  })

  it('shifts the spring gap forward and picks the first occurrence of the autumn overlap', () => {
    expect(resolveWallClock({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 })).toBe(
      Date.UTC(2026, 2, 29, 1, 30),
    )
    expect(resolveWallClock({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 })).toBe(
      Date.UTC(2026, 9, 25, 0, 30),
    )
  })

  it('uses the rules of the zone it is given', () => {
    // New York springs forward at 02:00 on the second Sunday of March 2026 (8 March)
    expect(resolveWallClock({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York')).toBe(
      Date.UTC(2026, 2, 8, 7, 30),
    )
    expect(resolveWallClock({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York')).toBe(
      Date.UTC(2026, 10, 1, 5, 30),
    )
    expect(resolveWallClock({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'UTC')).toBe(
      Date.UTC(2026, 2, 29, 2, 30),
    )
  })
})

describe('formatInZone', () => {
  it.each([
    [Date.UTC(2023, 2, 9, 8, 38), '2023-03-09T09:38:00+01:00'],
    [Date.UTC(2023, 6, 9, 7, 38), '2023-07-09T09:38:00+02:00'],
    [Date.UTC(2026, 2, 29, 0, 59, 59), '2026-03-29T01:59:59+01:00'],
    [Date.UTC(2026, 2, 29, 1, 0, 0), '2026-03-29T03:00:00+02:00'],
    [Date.UTC(2026, 9, 25, 0, 30), '2026-10-25T02:30:00+02:00'],
    [Date.UTC(2026, 9, 25, 1, 30), '2026-10-25T02:30:00+01:00'],
    [Date.UTC(2023, 2, 9, 8, 38, 12, 999), '2023-03-09T09:38:12+01:00'],
  ])('%d → %s', (instantMs, expected) => {
    const formatted = formatInZone(instantMs)
    expect(formatted).toBe(expected)
    expect(hasOffset(formatted)).toBe(true)
    expect(instantOf(formatted)).toBe(toSecond(instantMs))
  })

  it('round-trips through normalizeCarrierTimestamp', () => {
    for (const text of [
      '2023-03-09T09:38:00+01:00',
      '2026-10-25T02:30:00+01:00',
      '2026-03-29T03:00:00+02:00',
    ]) {
      expect(formatInZone(instantOf(text))).toBe(text)
      expect(normalizeCarrierTimestamp(text)).toBe(text)
    }
  })

  it('formats in another zone with that zone’s offset', () => {
    expect(formatInZone(Date.UTC(2026, 0, 15, 12), 'America/New_York')).toBe('2026-01-15T07:00:00-05:00')
    expect(formatInZone(Date.UTC(2026, 0, 15, 12), 'UTC')).toBe('2026-01-15T12:00:00+00:00')
  })

  const anyInstant = fc.integer({ min: FROM_1990, max: UNTIL_2100 - 1 })

  /** Instants within a few hours of 01:00 UTC on the last Sunday of March, September or October. */
  const nearDstChange = fc
    .record({
      year: fc.integer({ min: 1990, max: 2099 }),
      month: fc.constantFrom(3, 9, 10),
      secondOfWindow: fc.integer({ min: 0, max: 4 * 3600 - 1 }),
    })
    .map(({ year, month, secondOfWindow }) => {
      const lastDay = new Date(Date.UTC(year, month, 0))
      const lastSunday = lastDay.getUTCDate() - lastDay.getUTCDay()
      return Date.UTC(year, month - 1, lastSunday, 0, 0, secondOfWindow) - HOUR_MS
    })

  function checkRoundTrip(instantMs: number): void {
    const formatted = formatInZone(instantMs)
    expect(hasOffset(formatted)).toBe(true)
    expect(formatted).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/)
    expect(instantOf(formatted)).toBe(toSecond(instantMs))

    const resolved = resolveWallClock(wallClockOf(formatted))
    if (resolved === toSecond(instantMs)) return
    // The only wall-clock times that name two instants are those of the autumn repeated hour:
    // the second occurrence (+01:00) resolves to the first one (+02:00), one hour earlier.
    expect(formatted.endsWith('+01:00')).toBe(true)
    expect(resolved).toBe(toSecond(instantMs) - HOUR_MS)
    expect(formatInZone(resolved)).toBe(formatted.replace(/\+01:00$/, '+02:00'))
  }

  it('for any instant 1990–2100: parses back to the same second, has an offset, resolves back', () => {
    fc.assert(fc.property(anyInstant, checkRoundTrip), { numRuns: propertyRuns(1000) })
  })

  it('the same round trip holds around every DST change 1990–2100', () => {
    fc.assert(fc.property(nearDstChange, checkRoundTrip), { numRuns: propertyRuns(1000) })
  })

  it('an offset-less wall time read back is the same instant, except the second repeated hour', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, nearDstChange), (instantMs) => {
        const formatted = formatInZone(instantMs)
        const wall = formatted.slice(0, 19)
        const normalized = normalizeCarrierTimestamp(wall)
        if (normalized === formatted) return
        expect(formatted.endsWith('+01:00')).toBe(true)
        expect(normalized).toBe(`${wall}+02:00`)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})

describe('hasOffset', () => {
  it.each([
    ['2023-03-09T09:38:00+01:00', true],
    ['2023-03-09T09:38:00-05:00', true],
    ['2023-03-09T09:38:00Z', true],
    ['2023-03-09T09:38:00+00:00', true],
    ['2023-03-09T09:38:00', false],
    ['2023-03-09', false],
    ['garbage+01:00', false],
    ['', false],
  ])('%j → %s', (timestamp, expected) => {
    expect(hasOffset(timestamp)).toBe(expected)
  })
})
