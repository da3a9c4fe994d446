import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addCalendarDays } from '../../../src/domain/business-calendar.js'
import {
  decodeForecastWindow,
  encodeForecastWindow,
  sameForecastWindow,
} from '../../../src/domain/forecast/forecast-window.js'

/** Calendar dates from 1970 to 2999, as `YYYY-MM-DD`. */
const calendarDate = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10))
const window = fc
  .tuple(calendarDate, fc.integer({ min: 0, max: 400 }))
  .map(([from, days]) => ({ from, to: addCalendarDays(from, days) }))

describe('the forecast window a record keeps', () => {
  it('is the first day as a day number and the days to the last', () => {
    expect(encodeForecastWindow({ from: '2026-03-04', to: '2026-03-06' })).toBe('20516+2')
    expect(encodeForecastWindow({ from: '2026-03-05', to: '2026-03-05' })).toBe('20517+0')
    expect(decodeForecastWindow('20516+2')).toEqual({ from: '2026-03-04', to: '2026-03-06' })
  })

  it('reads back what it writes, in fewer bytes than the ISO 8601 interval', () => {
    fc.assert(
      fc.property(window, (written) => {
        const encoded = encodeForecastWindow(written)
        expect(decodeForecastWindow(encoded)).toEqual(written)
        expect(encoded.length).toBeLessThan(`${written.from}/${written.to}`.length)
      }),
    )
  })

  it('reads the ISO 8601 interval records were saved with before', () => {
    fc.assert(
      fc.property(window, (written) => {
        expect(decodeForecastWindow(`${written.from}/${written.to}`)).toEqual(written)
      }),
    )
  })

  it('reads anything else as no window, without throwing', () => {
    for (const text of [
      '',
      '2026-02-30/2026-03-01',
      '2026-03-04',
      '20516',
      '+2',
      '20516+',
      'x/y',
      '2026-3-4/2026-3-6',
    ])
      expect(decodeForecastWindow(text)).toBeUndefined()
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\d{0,8}[-+/]\d{0,6}$/)), (text) => {
        const read = decodeForecastWindow(text)
        if (read !== undefined) {
          expect(read.from).toMatch(/^\d{4}-\d{2}-\d{2}$/)
          expect(read.to).toMatch(/^\d{4}-\d{2}-\d{2}$/)
        }
      }),
    )
  })

  it('tells a window from one that moved by a day at either end', () => {
    fc.assert(
      fc.property(window, fc.constantFrom(-1, 1), fc.boolean(), (kept, days, first) => {
        const moved = first
          ? { ...kept, from: addCalendarDays(kept.from, days) }
          : { ...kept, to: addCalendarDays(kept.to, days) }
        expect(sameForecastWindow(kept, { ...kept })).toBe(true)
        expect(sameForecastWindow(kept, moved)).toBe(false)
      }),
    )
  })
})
