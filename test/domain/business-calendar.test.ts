import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addBusinessDays,
  addCalendarDays,
  type CalendarDate,
  type DayKind,
  type DeliveryDays,
  deliveryDayKindFor,
  easterSunday,
  endOfParisDay,
  frenchPublicHolidays,
  isBusinessDay,
  isPublicHoliday,
  nextBusinessDay,
  parisDateOf,
  parisDateOfTimestamp,
  promisedDate,
  startOfParisDay,
} from '../../src/domain/business-calendar.js'
import { propertyRuns } from '../support/property-runs.js'

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000
const PARIS_CODE = '75011'
const STRASBOURG = '67000'
const RUNS = { numRuns: propertyRuns(1000) }

const METROPOLE_2026 = [
  ['2026-01-01', "Jour de l'an"],
  ['2026-04-06', 'Lundi de Pâques'],
  ['2026-05-01', 'Fête du Travail'],
  ['2026-05-08', 'Victoire 1945'],
  ['2026-05-14', 'Ascension'],
  ['2026-05-25', 'Lundi de Pentecôte'],
  ['2026-07-14', 'Fête nationale'],
  ['2026-08-15', 'Assomption'],
  ['2026-11-01', 'Toussaint'],
  ['2026-11-11', 'Armistice 1918'],
  ['2026-12-25', 'Noël'],
] as const

const METROPOLE_2027 = [
  '2027-01-01',
  '2027-03-29',
  '2027-05-01',
  '2027-05-06',
  '2027-05-08',
  '2027-05-17',
  '2027-07-14',
  '2027-08-15',
  '2027-11-01',
  '2027-11-11',
  '2027-12-25',
]

const dayKinds = fc.constantFrom<DayKind>('ouvrables', 'ouvres')
const postalCodes = fc.constantFrom(
  undefined,
  PARIS_CODE,
  STRASBOURG,
  '57000',
  '68100',
  '97110',
  '97400',
  '97600',
)
const FIRST_DAY = Date.UTC(1900, 0, 1) / DAY_MS
const LAST_DAY = Date.UTC(2200, 11, 31) / DAY_MS
const calendarDates = fc
  .integer({ min: FIRST_DAY, max: LAST_DAY })
  .map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10))

describe('frenchPublicHolidays', () => {
  it('lists the 11 national holidays of 2026 with their real dates, sorted', () => {
    expect(frenchPublicHolidays(2026, PARIS_CODE)).toEqual(
      METROPOLE_2026.map(([date, name]) => ({ date, name })),
    )
    expect(frenchPublicHolidays(2026)).toEqual(frenchPublicHolidays(2026, PARIS_CODE))
  })

  it('lists the 2027 holidays (Easter on 28 March)', () => {
    expect(frenchPublicHolidays(2027, PARIS_CODE).map((holiday) => holiday.date)).toEqual(METROPOLE_2027)
  })

  it.each(['57000', '67000', '68100', ' 67 000 '])(
    'adds Good Friday and 26 December in Alsace-Moselle (%s)',
    (code) => {
      const dates2026 = frenchPublicHolidays(2026, code).map((holiday) => holiday.date)
      expect(dates2026).toHaveLength(13)
      expect(dates2026).toContain('2026-04-03')
      expect(dates2026).toContain('2026-12-26')
      expect(frenchPublicHolidays(2027, code).map((holiday) => holiday.date)).toContain('2027-03-26')
    },
  )

  it.each([
    ['97110', '2026-05-27'],
    ['97200', '2026-05-22'],
    ['97300', '2026-06-10'],
    ['97400', '2026-12-20'],
    ['97600', '2026-04-27'],
  ])('adds the abolition-of-slavery day overseas (%s: %s)', (code, date) => {
    const holidays = frenchPublicHolidays(2026, code)
    expect(holidays).toHaveLength(12)
    expect(holidays).toContainEqual({ date, name: "Abolition de l'esclavage" })
    expect(isPublicHoliday(date, code)).toBe(true)
    expect(isPublicHoliday(date, PARIS_CODE)).toBe(false)
  })

  it('keeps both names when two holidays fall on one day (Ascension on 1 May 2008)', () => {
    const firstOfMay = frenchPublicHolidays(2008).filter((holiday) => holiday.date === '2008-05-01')
    expect(firstOfMay.map((holiday) => holiday.name)).toEqual(['Fête du Travail', 'Ascension'])
  })

  it('returns copies: changing the result does not change the calendar', () => {
    const list = frenchPublicHolidays(2026)
    list.splice(0, list.length)
    expect(isPublicHoliday('2026-01-01')).toBe(true)
  })
})

describe('isPublicHoliday / isBusinessDay', () => {
  it.each([
    // date, postal code, holiday, ouvrable, ouvré
    ['2026-04-03', PARIS_CODE, false, true, true],
    ['2026-04-03', STRASBOURG, true, false, false],
    ['2027-03-26', PARIS_CODE, false, true, true],
    ['2027-03-26', '57000', true, false, false],
    ['2026-12-26', PARIS_CODE, false, true, false],
    ['2026-12-26', '68100', true, false, false],
    ['2026-08-15', PARIS_CODE, true, false, false],
    ['2026-05-16', PARIS_CODE, false, true, false],
    ['2026-05-17', PARIS_CODE, false, false, false],
    ['2026-05-18', PARIS_CODE, false, true, true],
    ['2026-05-14', PARIS_CODE, true, false, false],
    ['2027-05-06', PARIS_CODE, true, false, false],
    ['2027-05-17', PARIS_CODE, true, false, false],
    ['2027-03-29', PARIS_CODE, true, false, false],
  ] as const)('%s at %s', (date, code, holiday, ouvrable, ouvre) => {
    expect(isPublicHoliday(date, code)).toBe(holiday)
    expect(isBusinessDay(date, 'ouvrables', code)).toBe(ouvrable)
    expect(isBusinessDay(date, 'ouvres', code)).toBe(ouvre)
  })

  it('rejects what is not a calendar date', () => {
    expect(() => isBusinessDay('2026-02-30', 'ouvres')).toThrow(RangeError)
    expect(() => isPublicHoliday('26-05-01')).toThrow(RangeError)
  })
})

describe('addBusinessDays', () => {
  it.each([
    // from, days, kind, postal code, expected
    ['2026-05-01', 1, 'ouvres', PARIS_CODE, '2026-05-04'],
    ['2026-05-01', 1, 'ouvrables', PARIS_CODE, '2026-05-02'],
    ['2026-05-01', 0, 'ouvres', PARIS_CODE, '2026-05-04'],
    ['2026-05-01', 0, 'ouvrables', PARIS_CODE, '2026-05-02'],
    ['2026-05-04', 0, 'ouvres', PARIS_CODE, '2026-05-04'],
    ['2026-05-01', 5, 'ouvres', PARIS_CODE, '2026-05-11'],
    ['2026-05-13', 1, 'ouvres', PARIS_CODE, '2026-05-15'],
    ['2026-05-13', 2, 'ouvres', PARIS_CODE, '2026-05-18'],
    ['2026-05-13', 2, 'ouvrables', PARIS_CODE, '2026-05-16'],
    ['2026-05-13', 3, 'ouvrables', PARIS_CODE, '2026-05-18'],
    ['2026-12-24', 1, 'ouvres', PARIS_CODE, '2026-12-28'],
    ['2026-12-24', 1, 'ouvrables', PARIS_CODE, '2026-12-26'],
    ['2026-12-24', 1, 'ouvrables', STRASBOURG, '2026-12-28'],
    ['2026-12-24', 5, 'ouvres', PARIS_CODE, '2027-01-04'],
    ['2026-12-24', 5, 'ouvrables', PARIS_CODE, '2026-12-31'],
    ['2026-12-31', 1, 'ouvres', PARIS_CODE, '2027-01-04'],
    ['2026-12-31', 1, 'ouvrables', PARIS_CODE, '2027-01-02'],
    ['2026-04-02', 1, 'ouvres', STRASBOURG, '2026-04-07'],
    ['2026-04-02', 1, 'ouvres', PARIS_CODE, '2026-04-03'],
    ['2026-05-26', 1, 'ouvres', '97110', '2026-05-28'],
  ] as const)('%s + %i jours %s at %s → %s', (from, days, kind, code, expected) => {
    expect(addBusinessDays(from, days, kind, code)).toBe(expected)
  })

  it('nextBusinessDay is the first business day strictly after', () => {
    expect(nextBusinessDay('2026-05-04', 'ouvres')).toBe('2026-05-05')
    expect(nextBusinessDay('2026-05-08', 'ouvres')).toBe('2026-05-11')
    expect(nextBusinessDay('2026-05-08', 'ouvrables')).toBe('2026-05-09')
  })

  it('rejects negative or fractional day counts', () => {
    expect(() => addBusinessDays('2026-05-04', -1, 'ouvres')).toThrow(RangeError)
    expect(() => addBusinessDays('2026-05-04', 1.5, 'ouvres')).toThrow(RangeError)
  })

  it('always lands on a business day', () => {
    fc.assert(
      fc.property(
        calendarDates,
        fc.integer({ min: 0, max: 40 }),
        dayKinds,
        postalCodes,
        (date, days, kind, code) => {
          expect(isBusinessDay(addBusinessDays(date, days, kind, code), kind, code)).toBe(true)
        },
      ),
      RUNS,
    )
  })

  it('is strictly increasing in days (from 1), and counts exactly `days` business days after the start', () => {
    fc.assert(
      fc.property(
        calendarDates,
        fc.integer({ min: 0, max: 40 }),
        dayKinds,
        postalCodes,
        (date, days, kind, code) => {
          const result = addBusinessDays(date, days, kind, code)
          const following = addBusinessDays(date, days + 1, kind, code)
          // 0 and 1 meet when the start is no business day: both give the next one.
          if (days === 0 && !isBusinessDay(date, kind, code)) expect(following).toBe(result)
          else expect(following > result).toBe(true)
          let counted = 0
          for (let day = addCalendarDays(date, 1); day <= result; day = addCalendarDays(day, 1)) {
            if (isBusinessDay(day, kind, code)) counted++
          }
          expect(counted).toBe(days === 0 && result !== date ? 1 : days)
        },
      ),
      RUNS,
    )
  })

  it('never finds fewer ouvrables than ouvrés in the same span', () => {
    fc.assert(
      fc.property(calendarDates, fc.integer({ min: 0, max: 40 }), postalCodes, (date, days, code) => {
        expect(
          addBusinessDays(date, days, 'ouvrables', code) <= addBusinessDays(date, days, 'ouvres', code),
        ).toBe(true)
      }),
      RUNS,
    )
  })
})

describe('easterSunday', () => {
  it.each([
    [1913, '1913-03-23'],
    [1943, '1943-04-25'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
  ])('%i → %s', (year, date) => {
    expect(easterSunday(year)).toBe(date)
  })

  it('is always a Sunday between 22 March and 25 April', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2200 }), (year) => {
        const easter = easterSunday(year)
        expect(new Date(`${easter}T00:00:00Z`).getUTCDay()).toBe(0)
        expect(easter >= `${year}-03-22` && easter <= `${year}-04-25`).toBe(true)
      }),
      RUNS,
    )
  })

  it('gives every year sorted holidays, Alsace-Moselle a superset of the national list', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2200 }), (year) => {
        const national = frenchPublicHolidays(year).map((holiday) => holiday.date)
        const alsace = frenchPublicHolidays(year, STRASBOURG).map((holiday) => holiday.date)
        expect(national).toEqual([...national].sort())
        expect(alsace).toEqual([...alsace].sort())
        expect(alsace).toEqual(expect.arrayContaining(national))
        expect(national.every((date) => date.startsWith(`${year}-`))).toBe(true)
      }),
      RUNS,
    )
  })
})

describe('Paris day boundaries', () => {
  it.each([
    ['2026-03-29', '2026-03-28T23:00:00.000Z', 23],
    ['2026-10-25', '2026-10-24T22:00:00.000Z', 25],
    ['2026-01-15', '2026-01-14T23:00:00.000Z', 24],
    ['2026-07-15', '2026-07-14T22:00:00.000Z', 24],
  ])('%s starts at %s and lasts %i hours', (date, start, hours) => {
    expect(new Date(startOfParisDay(date)).toISOString()).toBe(start)
    expect(endOfParisDay(date) - startOfParisDay(date)).toBe(hours * HOUR_MS)
  })

  it.each([
    ['2026-01-15T22:30:00Z', '2026-01-15'],
    ['2026-01-15T23:30:00Z', '2026-01-16'],
    ['2026-07-15T21:30:00Z', '2026-07-15'],
    ['2026-07-15T22:30:00Z', '2026-07-16'],
    ['2026-07-15T23:30:00Z', '2026-07-16'],
    ['2026-03-28T22:59:59Z', '2026-03-28'],
    ['2026-03-28T23:00:00Z', '2026-03-29'],
  ])('parisDateOf(%s) is %s', (instant, date) => {
    expect(parisDateOf(Date.parse(instant))).toBe(date)
  })

  it('maps every day to a 23 to 25 hour span (whole hours since 1911) whose instants all belong to it', () => {
    fc.assert(
      fc.property(calendarDates, (date) => {
        const start = startOfParisDay(date)
        const end = endOfParisDay(date)
        // Paris kept its own mean time (UTC+0:09:21) until 11 March 1911; every offset since is whole hours.
        if (date >= '1911-03-12') expect([23, 24, 25].map((hours) => hours * HOUR_MS)).toContain(end - start)
        expect(end - start).toBeGreaterThanOrEqual(23 * HOUR_MS)
        expect(end - start).toBeLessThanOrEqual(25 * HOUR_MS)
        expect(parisDateOf(start)).toBe(date)
        expect(parisDateOf(end - 1)).toBe(date)
        expect(parisDateOf(end)).toBe(addCalendarDays(date, 1))
      }),
      RUNS,
    )
  })

  it('adds calendar days across months, years and leap days', () => {
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addCalendarDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addCalendarDays('2026-03-01', -1)).toBe('2026-02-28')
  })

  it.each([
    ['2026-05-20', '2026-05-20'],
    ['2026-05-20T23:30:00Z', '2026-05-21'],
    ['2026-05-20T21:30:00Z', '2026-05-20'],
    ['2026-05-20T23:30:00', '2026-05-20'],
    ['2026-05-20T08:00:00-10:00', '2026-05-20'],
    ['2026-02-30', undefined],
    ['tomorrow', undefined],
  ])('parisDateOfTimestamp(%s) is %s', (value, date) => {
    expect(parisDateOfTimestamp(value)).toBe(date)
  })
})

describe('deliveryDayKindFor', () => {
  const days: DeliveryDays = { default: 'ouvrables', byService: { express: 'ouvres', standard: 'ouvrables' } }

  it.each([
    ['standard', 'ouvrables'],
    ['express', 'ouvres'],
    ['Express', 'ouvres'],
    [' express ', 'ouvres'],
    ['other', 'ouvrables'],
    [undefined, 'ouvrables'],
  ] as const)('%s → %s', (service, kind) => {
    expect(deliveryDayKindFor(service, days)).toBe(kind)
  })

  it("falls back to the carrier's default, never to an inherited name", () => {
    expect(deliveryDayKindFor('other', { default: 'ouvres' })).toBe('ouvres')
    expect(deliveryDayKindFor('constructor', days)).toBe('ouvrables')
    expect(deliveryDayKindFor('__proto__', { default: 'ouvres', byService: {} })).toBe('ouvres')
  })

  it('lets overrides win', () => {
    expect(deliveryDayKindFor('standard', days, { standard: 'ouvres' })).toBe('ouvres')
    expect(deliveryDayKindFor('express', days, { Express: 'ouvrables' })).toBe('ouvrables')
    expect(deliveryDayKindFor('other', days, { standard: 'ouvres' })).toBe('ouvrables')
  })
})

describe('promisedDate', () => {
  it.each([
    // The Paris date of the shipping instant counts: 22:30 UTC on a May Friday is already Saturday.
    ['2026-05-15T23:30:00+02:00', 2, 'ouvres', PARIS_CODE, '2026-05-19'],
    ['2026-05-15T21:30:00Z', 2, 'ouvrables', PARIS_CODE, '2026-05-18'],
    ['2026-05-15T22:30:00Z', 2, 'ouvrables', PARIS_CODE, '2026-05-19'],
    ['2026-05-16T22:30:00Z', 1, 'ouvrables', PARIS_CODE, '2026-05-18'],
    ['2026-12-23T10:00:00+01:00', 2, 'ouvrables', STRASBOURG, '2026-12-28'],
    ['2026-12-23T10:00:00+01:00', 2, 'ouvrables', PARIS_CODE, '2026-12-26'],
    ['2026-12-23', 3, 'ouvres', PARIS_CODE, '2026-12-29'],
  ] as const)('shipped %s + J+%i %s at %s → %s', (shippedAt, businessDays, dayKind, code, expected) => {
    expect(promisedDate({ shippedAt, businessDays, dayKind }, code)).toBe(expected)
  })

  it('rejects a shipping time that is not a date', () => {
    expect(() => promisedDate({ shippedAt: 'yesterday', businessDays: 2, dayKind: 'ouvres' })).toThrow(
      RangeError,
    )
  })
})

function weekdayOf(date: CalendarDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay()
}

describe('day kinds', () => {
  it('count Saturday for ouvrables, never for ouvrés, and Sunday for neither', () => {
    fc.assert(
      fc.property(calendarDates, postalCodes, (date, code) => {
        const weekday = weekdayOf(date)
        const holiday = isPublicHoliday(date, code)
        expect(isBusinessDay(date, 'ouvrables', code)).toBe(weekday !== 0 && !holiday)
        expect(isBusinessDay(date, 'ouvres', code)).toBe(weekday !== 0 && weekday !== 6 && !holiday)
      }),
      RUNS,
    )
  })
})
