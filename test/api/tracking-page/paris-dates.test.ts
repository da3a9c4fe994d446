import { describe, expect, it } from 'vitest'
import {
  formatDay,
  formatMoment,
  formatShortMoment,
  formatTime,
  formatWindow,
  machineMoment,
} from '../../../src/api/tracking-page/paris-dates.js'

const NOW_2026 = Date.parse('2026-12-01T12:00:00+01:00')

/** The non-breaking spaces that keep `10 h` on one line, read as spaces. */
const plain = (text: string | undefined) => text?.replaceAll('\u00a0', ' ')

describe('tracking page dates', () => {
  it('writes a booked window the way people read it, in both languages', () => {
    const window = { from: '2026-12-08T10:00:00+01:00', to: '2026-12-08T12:00:00+01:00' }
    expect(plain(formatWindow(window, 'fr', NOW_2026))).toBe('mardi 8 décembre, entre 10 h et 12 h')
    expect(plain(formatWindow(window, 'en', NOW_2026))).toBe('Tuesday 8 December, between 10 am and 12 pm')
  })

  it('reads a window sent in UTC on the Paris clock', () => {
    const window = { from: '2026-12-08T09:30:00Z', to: '2026-12-08T11:15:00Z' }
    expect(plain(formatWindow(window, 'fr', NOW_2026))).toBe('mardi 8 décembre, entre 10 h 30 et 12 h 15')
    expect(plain(formatWindow(window, 'en', NOW_2026))).toBe(
      'Tuesday 8 December, between 10:30 am and 12:15 pm',
    )
  })

  it('keeps a window that ends at midnight on its own day', () => {
    const window = { from: '2026-12-07T22:00:00+01:00', to: '2026-12-08T00:00:00+01:00' }
    expect(plain(formatWindow(window, 'fr', NOW_2026))).toBe('lundi 7 décembre, entre 22 h et minuit')
    expect(plain(formatWindow(window, 'en', NOW_2026))).toBe('Monday 7 December, between 10 pm and midnight')
  })

  it('names both days of a window across midnight', () => {
    const window = { from: '2026-12-07T22:00:00+01:00', to: '2026-12-08T01:00:00+01:00' }
    expect(plain(formatWindow(window, 'fr', NOW_2026))).toBe(
      'du lundi 7 décembre à 22 h au mardi 8 décembre à 1 h',
    )
    expect(plain(formatWindow(window, 'en', NOW_2026))).toBe(
      'from Monday 7 December at 10 pm to Tuesday 8 December at 1 am',
    )
  })

  it('refuses a window it cannot read or that ends before it starts', () => {
    expect(formatWindow({ from: 'soon', to: '2026-12-08T12:00:00+01:00' }, 'fr', NOW_2026)).toBeUndefined()
    const backwards = { from: '2026-12-08T12:00:00+01:00', to: '2026-12-08T10:00:00+01:00' }
    expect(formatWindow(backwards, 'en', NOW_2026)).toBeUndefined()
  })

  it('writes a date-only estimate as its day, the first of the month as French writes it', () => {
    expect(formatDay('2026-12-08', 'fr', NOW_2026)).toBe('mardi 8 décembre')
    expect(formatDay('2026-12-08', 'en', NOW_2026)).toBe('Tuesday 8 December')
    expect(formatDay('2026-12-01', 'fr', NOW_2026)).toBe('mardi 1er décembre')
    expect(formatDay('2026-12-01', 'en', NOW_2026)).toBe('Tuesday 1 December')
  })

  it('adds the year only to a day outside the current Paris year', () => {
    expect(formatDay('2027-01-05', 'fr', NOW_2026)).toBe('mardi 5 janvier 2027')
    expect(formatDay('2027-01-05', 'en', NOW_2026)).toBe('Tuesday 5 January 2027')
    // 23:30 UTC on 31 December is already 2027 in Paris.
    expect(formatDay('2027-01-05', 'fr', Date.parse('2026-12-31T23:30:00Z'))).toBe('mardi 5 janvier')
  })

  it('writes hours as each language does, noon and midnight included', () => {
    const at = (time: string) => Date.parse(`2026-12-08T${time}+01:00`)
    expect(
      ['00:00', '00:30', '09:05', '12:00', '13:45'].map((time) => plain(formatTime(at(time), 'fr'))),
    ).toEqual(['minuit', '0 h 30', '9 h 05', '12 h', '13 h 45'])
    expect(
      ['00:00', '00:30', '09:05', '12:00', '13:45'].map((time) => plain(formatTime(at(time), 'en'))),
    ).toEqual(['midnight', '12:30 am', '9:05 am', '12 pm', '1:45 pm'])
  })

  it('follows Paris summer time, and tells the repeated autumn hour apart in the machine form', () => {
    const summer = { from: '2026-07-14T08:00:00Z', to: '2026-07-14T10:00:00Z' }
    expect(plain(formatWindow(summer, 'fr', NOW_2026))).toBe('mardi 14 juillet, entre 10 h et 12 h')
    // Spring forward: the hour from 2 h to 3 h does not exist in Paris.
    const spring = { from: '2026-03-29T00:30:00Z', to: '2026-03-29T01:30:00Z' }
    expect(plain(formatWindow(spring, 'fr', NOW_2026))).toBe('dimanche 29 mars, entre 1 h 30 et 3 h 30')
    // Fall back: 2 h 30 happens twice, an hour apart.
    const first = Date.parse('2026-10-25T00:30:00Z')
    const second = Date.parse('2026-10-25T01:30:00Z')
    expect(plain(formatMoment(first, 'fr', NOW_2026))).toBe('dimanche 25 octobre à 2 h 30')
    expect(plain(formatMoment(second, 'fr', NOW_2026))).toBe('dimanche 25 octobre à 2 h 30')
    expect([machineMoment(first), machineMoment(second)]).toEqual([
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T02:30:00+01:00',
    ])
  })

  it('writes a timeline moment short', () => {
    const at = Date.parse('2026-12-08T07:45:00+01:00')
    expect(plain(formatShortMoment(at, 'fr', NOW_2026))).toBe('mar. 8 déc., 7 h 45')
    expect(plain(formatShortMoment(at, 'en', NOW_2026))).toBe('Tue 8 Dec, 7:45 am')
    expect(plain(formatMoment(at, 'en', NOW_2026))).toBe('Tuesday 8 December at 7:45 am')
  })
})
