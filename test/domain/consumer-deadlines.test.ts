import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addCalendarDays,
  type CalendarDate,
  isBusinessDay,
  isPublicHoliday,
  parisDateOf,
} from '../../src/domain/business-calendar.js'
import { type ConsumerDeadlineOptions, consumerDeadlines } from '../../src/domain/consumer-deadlines.js'
import { propertyRuns } from '../support/property-runs.js'

const PARIS = '75011'
const METZ = '57000'
const STRASBOURG = '67000'
const POINTE_A_PITRE = '97110'
const SAINT_DENIS_REUNION = '97400'

type Case = [
  name: string,
  deliveredAt: string,
  options: ConsumerDeadlineOptions,
  expected: [withdrawalUntil: string, carrierProtestUntil: string, conformityGuaranteeUntil: string],
]

const CASES: Case[] = [
  [
    'Friday evening in Paris: 14 days end on a Friday; the protest counts the weekend',
    '2025-10-10T19:45:00+02:00',
    { postalCode: PARIS },
    ['2025-10-24', '2025-10-13', '2027-10-10'],
  ],
  [
    'Friday 23:30 UTC in summer time is Saturday in Paris: the period ends on a Saturday, so Monday',
    '2025-10-10T22:30:00Z',
    { postalCode: PARIS },
    ['2025-10-27', '2025-10-14', '2027-10-11'],
  ],
  [
    'Friday before 14 July (a Monday): the holiday is not one of the three protest days',
    '2025-07-11T18:00:00+02:00',
    { postalCode: PARIS },
    ['2025-07-25', '2025-07-15', '2027-07-11'],
  ],
  [
    'withdrawal ending on 14 July, a Monday: Tuesday',
    '2025-06-30T10:00:00+02:00',
    { postalCode: PARIS },
    ['2025-07-15', '2025-07-03', '2027-06-30'],
  ],
  [
    'withdrawal ending on a Sunday before the 14 July Monday: Tuesday',
    '2025-06-29T10:00:00+02:00',
    {},
    ['2025-07-15', '2025-07-02', '2027-06-29'],
  ],
  [
    'withdrawal ending on Easter Sunday: Easter Monday is a holiday, so Tuesday',
    '2025-04-06T12:00:00+02:00',
    { postalCode: PARIS },
    ['2025-04-22', '2025-04-09', '2027-04-06'],
  ],
  [
    'withdrawal ending on the Saturday before Whit Monday: Tuesday',
    '2025-05-24T12:00:00+02:00',
    { postalCode: PARIS },
    ['2025-06-10', '2025-05-27', '2027-05-24'],
  ],
  [
    'withdrawal ending on a Sunday: Monday',
    '2025-10-05T09:00:00+02:00',
    { postalCode: PARIS },
    ['2025-10-20', '2025-10-08', '2027-10-05'],
  ],
  [
    'withdrawal ending on Christmas in Paris: Friday 26 December',
    '2025-12-11T15:00:00+01:00',
    { postalCode: PARIS },
    ['2025-12-26', '2025-12-14', '2027-12-11'],
  ],
  [
    'withdrawal ending on Christmas in Moselle: 26 December is a holiday too, so Monday 29',
    '2025-12-11T15:00:00+01:00',
    { postalCode: METZ },
    ['2025-12-29', '2025-12-14', '2027-12-11'],
  ],
  [
    'protest just before Christmas in Paris: only 25 December is skipped',
    '2025-12-23T11:00:00+01:00',
    { postalCode: PARIS },
    ['2026-01-06', '2025-12-27', '2027-12-23'],
  ],
  [
    'protest just before Christmas in Moselle: 25 and 26 December are skipped',
    '2025-12-23T11:00:00+01:00',
    { postalCode: METZ },
    ['2026-01-06', '2025-12-28', '2027-12-23'],
  ],
  [
    'withdrawal ending on Good Friday: a working day in Paris',
    '2026-03-20T11:00:00+01:00',
    { postalCode: PARIS },
    ['2026-04-03', '2026-03-23', '2028-03-20'],
  ],
  [
    'withdrawal ending on Good Friday in Bas-Rhin: then a weekend and Easter Monday, so Tuesday',
    '2026-03-20T11:00:00+01:00',
    { postalCode: STRASBOURG },
    ['2026-04-07', '2026-03-23', '2028-03-20'],
  ],
  [
    'withdrawal ending on a Friday holiday: the next working day is Monday, never Saturday',
    '2026-12-11T11:00:00+01:00',
    { postalCode: PARIS },
    ['2026-12-28', '2026-12-14', '2028-12-11'],
  ],
  [
    'last night of summer time, 00:30 in Paris (22:30 UTC): Sunday 26 October',
    '2025-10-25T22:30:00Z',
    { postalCode: PARIS },
    ['2025-11-10', '2025-10-29', '2027-10-26'],
  ],
  [
    'first night of winter time, 23:30 in Paris (22:30 UTC): still Sunday 26 October',
    '2025-10-26T22:30:00Z',
    { postalCode: PARIS },
    ['2025-11-10', '2025-10-29', '2027-10-26'],
  ],
  [
    'first night of winter time, 00:30 in Paris (23:30 UTC): Monday 27 October',
    '2025-10-26T23:30:00Z',
    { postalCode: PARIS },
    ['2025-11-10', '2025-10-30', '2027-10-27'],
  ],
  [
    'last night of winter time, 00:30 in Paris (23:30 UTC): Sunday 29 March',
    '2026-03-28T23:30:00Z',
    { postalCode: PARIS },
    ['2026-04-13', '2026-04-01', '2028-03-29'],
  ],
  [
    'first night of summer time, 23:59 in Paris (21:59 UTC): still Sunday 29 March',
    '2026-03-29T21:59:00Z',
    { postalCode: PARIS },
    ['2026-04-13', '2026-04-01', '2028-03-29'],
  ],
  [
    'first night of summer time, 00:30 in Paris (22:30 UTC): Monday 30 March',
    '2026-03-29T22:30:00Z',
    { postalCode: PARIS },
    ['2026-04-13', '2026-04-02', '2028-03-30'],
  ],
  [
    '29 February: the guarantee ends on 28 February, the last day of that month two years on',
    '2028-02-29T14:00:00+01:00',
    { postalCode: PARIS },
    ['2028-03-14', '2028-03-03', '2030-02-28'],
  ],
  [
    '28 February before a leap year: the guarantee ends on 28 February, not 29',
    '2026-02-28T14:00:00+01:00',
    { postalCode: PARIS },
    ['2026-03-16', '2026-03-03', '2028-02-28'],
  ],
  [
    "the merchant's 30 days, ending on a Sunday: Monday",
    '2025-10-10T19:45:00+02:00',
    { postalCode: PARIS, withdrawalDays: 30 },
    ['2025-11-10', '2025-10-13', '2027-10-10'],
  ],
  [
    'a delivery given as a day only',
    '2025-10-10',
    { postalCode: PARIS },
    ['2025-10-24', '2025-10-13', '2027-10-10'],
  ],
  [
    'Guadeloupe, 21:00 local time (03:00 the next day in Paris): the local day counts',
    '2025-10-10T21:00:00-04:00',
    { postalCode: POINTE_A_PITRE },
    ['2025-10-24', '2025-10-13', '2027-10-10'],
  ],
  [
    'Guadeloupe given by its country code only',
    '2025-10-10T21:00:00-04:00',
    { destinationCountry: 'GP' },
    ['2025-10-24', '2025-10-13', '2027-10-10'],
  ],
  [
    'La Réunion: the protest skips its abolition day (20 December), withdrawal New Year',
    '2025-12-18T15:00:00+04:00',
    { postalCode: SAINT_DENIS_REUNION, destinationCountry: 'RE' },
    ['2026-01-02', '2025-12-22', '2027-12-18'],
  ],
  [
    'a French postal code with a space, and a lower-case country',
    '2025-12-23T11:00:00+01:00',
    { postalCode: '57 000', destinationCountry: 'fr' },
    ['2026-01-06', '2025-12-28', '2027-12-23'],
  ],
]

describe('consumerDeadlines', () => {
  it.each(CASES)('%s', (_name, deliveredAt, options, [withdrawal, protest, conformity]) => {
    expect(consumerDeadlines(deliveredAt, options)).toEqual({
      withdrawalUntil: withdrawal,
      carrierProtestUntil: protest,
      conformityGuaranteeUntil: conformity,
    })
  })

  it.each([
    ['Belgium', { destinationCountry: 'BE', postalCode: '1000' }],
    ['Germany, with a five-digit postal code', { destinationCountry: 'DE', postalCode: '57000' }],
    ['Monaco', { destinationCountry: 'MC', postalCode: '98000' }],
    ['Monaco, given as France', { destinationCountry: 'FR', postalCode: '98000' }],
    ['New Caledonia', { destinationCountry: 'NC', postalCode: '98800' }],
    ['Saint-Pierre-et-Miquelon, given as France', { postalCode: '97500' }],
    ['French Polynesia', { destinationCountry: 'PF' }],
  ] as const)('gives no deadlines for %s: colis does not model its law', (_name, options) => {
    expect(consumerDeadlines('2025-10-10T19:45:00+02:00', options)).toBeUndefined()
  })

  it('gives no deadlines for a delivery time that is no date', () => {
    for (const deliveredAt of ['', 'yesterday', '2025-02-30T10:00:00+01:00', '2025-13-01']) {
      expect(consumerDeadlines(deliveredAt, { postalCode: PARIS }), deliveredAt).toBeUndefined()
    }
  })

  it('refuses a withdrawal period shorter than the law or not a whole number of days', () => {
    for (const withdrawalDays of [13, 0, -14, 14.5, Number.NaN, 3651]) {
      expect(() => consumerDeadlines('2025-10-10T19:45:00+02:00', { withdrawalDays })).toThrow(RangeError)
    }
  })

  describe('on any delivery in mainland France', () => {
    const POSTAL_CODES = [undefined, PARIS, METZ, STRASBOURG, '68100', '13001', '20000', '59000']
    const delivery = fc.record({
      instantMs: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
      postalCode: fc.constantFrom(...POSTAL_CODES),
      withdrawalDays: fc.integer({ min: 14, max: 90 }),
    })
    const isWorkingDay = (date: CalendarDate, postalCode?: string) =>
      isBusinessDay(date, 'ouvres', postalCode)
    const daysAfter = (from: CalendarDate, to: CalendarDate) => {
      const days: CalendarDate[] = []
      for (let day = addCalendarDays(from, 1); day <= to; day = addCalendarDays(day, 1)) days.push(day)
      return days
    }

    it('ends withdrawal on the first working day at least N days after the day of receipt', () => {
      fc.assert(
        fc.property(delivery, ({ instantMs, postalCode, withdrawalDays }) => {
          const receivedOn = parisDateOf(instantMs)
          const deadlines = consumerDeadlines(new Date(instantMs).toISOString(), {
            postalCode,
            withdrawalDays,
          })
          if (!deadlines) throw new Error('no deadlines in France')
          const { withdrawalUntil, carrierProtestUntil, conformityGuaranteeUntil } = deadlines
          for (const deadline of [withdrawalUntil, carrierProtestUntil, conformityGuaranteeUntil]) {
            expect(deadline > receivedOn).toBe(true)
          }
          const lastCountedDay = addCalendarDays(receivedOn, withdrawalDays)
          expect(withdrawalUntil >= lastCountedDay).toBe(true)
          expect(isWorkingDay(withdrawalUntil, postalCode)).toBe(true)
          const skipped = daysAfter(addCalendarDays(lastCountedDay, -1), addCalendarDays(withdrawalUntil, -1))
          expect(skipped.filter((day) => isWorkingDay(day, postalCode))).toEqual([])
        }),
        { numRuns: propertyRuns(500) },
      )
    })

    it('ends the protest on the third day after receipt that is not a public holiday', () => {
      fc.assert(
        fc.property(delivery, ({ instantMs, postalCode }) => {
          const receivedOn = parisDateOf(instantMs)
          const until = consumerDeadlines(new Date(instantMs).toISOString(), {
            postalCode,
          })?.carrierProtestUntil
          if (!until) throw new Error('no deadlines in France')
          const counted = daysAfter(receivedOn, until).filter((day) => !isPublicHoliday(day, postalCode))
          expect(counted).toHaveLength(3)
          expect(counted.at(-1)).toBe(until)
        }),
        { numRuns: propertyRuns(500) },
      )
    })

    it('ends the guarantee on the same date two years on, or the last day of that month', () => {
      fc.assert(
        fc.property(delivery, ({ instantMs, postalCode }) => {
          const receivedOn = parisDateOf(instantMs)
          const until = consumerDeadlines(new Date(instantMs).toISOString(), {
            postalCode,
          })?.conformityGuaranteeUntil
          const sameDate = `${Number(receivedOn.slice(0, 4)) + 2}${receivedOn.slice(4)}`
          expect(until).toBe(receivedOn.endsWith('-02-29') ? sameDate.replace(/29$/, '28') : sameDate)
        }),
        { numRuns: propertyRuns(500) },
      )
    })
  })
})
