import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isoWeekOf, isoWeeksFromTo } from '../../../src/domain/analytics/analytics-cell.js'
import { addCalendarDays } from '../../../src/domain/business-calendar.js'

describe('isoWeeksFromTo', () => {
  it('lists the weeks from one to the other, both included, across a year of 53 weeks', () => {
    expect(isoWeeksFromTo('2026-W52', '2027-W02')).toEqual(['2026-W52', '2026-W53', '2027-W01', '2027-W02'])
    expect(isoWeeksFromTo('2026-W09', '2026-W09')).toEqual(['2026-W09'])
    expect(isoWeeksFromTo('2026-W10', '2026-W09')).toEqual([])
  })

  it('gives one week per seven days, each the week after the one before', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1990-01-01T00:00:00Z'),
          max: new Date('2090-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.nat({ max: 120 }),
        (start, weeks) => {
          const from = isoWeekOf(start.toISOString().slice(0, 10))
          const to = isoWeekOf(addCalendarDays(start.toISOString().slice(0, 10), 7 * weeks))
          const listed = isoWeeksFromTo(from, to)
          expect(listed).toHaveLength(weeks + 1)
          expect(listed[0]).toBe(from)
          expect(listed.at(-1)).toBe(to)
          expect([...listed].sort()).toEqual(listed)
        },
      ),
    )
  })
})
