import { describe, expect, it } from 'vitest'
import {
  calendarPostalCode,
  FRENCH_POSTAL_CODE,
  FRENCH_POSTAL_COUNTRIES,
  isSamePostalCode,
  readFrenchPostalCode,
} from '../../src/domain/destination.js'

describe('FRENCH_POSTAL_CODE', () => {
  it('takes every metropolitan department, Corsica (20) included', () => {
    for (let department = 1; department <= 95; department++) {
      expect(`${String(department).padStart(2, '0')}100`).toMatch(FRENCH_POSTAL_CODE)
    }
  })

  it.each([
    '97110',
    '97200',
    '97300',
    '97400',
    '97500',
    '97600',
    '97133',
    '98000',
    '98400',
    '98600',
    '98714',
    '98800',
  ])('takes the overseas or Monaco code %s', (code) => {
    expect(code).toMatch(FRENCH_POSTAL_CODE)
  })

  it.each([
    '00100',
    '96100',
    '97000',
    '97900',
    '98100',
    '98500',
    '98900',
    '99000',
    '7501',
    '750111',
    'abcde',
  ])('refuses %s', (code) => {
    expect(code).not.toMatch(FRENCH_POSTAL_CODE)
  })
})

describe('readFrenchPostalCode', () => {
  it('reads a French postal code as its 5 digits, written with or without the space', () => {
    expect(readFrenchPostalCode('75011')).toBe('75011')
    expect(readFrenchPostalCode('75 011')).toBe('75011')
    expect(readFrenchPostalCode('97 110')).toBe('97110')
  })

  it.each(['7501', '96100', '750 11', '75-011', ' 75011', 'SW1A 1AA'])('refuses %s', (code) => {
    expect(readFrenchPostalCode(code)).toBeUndefined()
  })
})

describe('calendarPostalCode', () => {
  it('is the postal code of a destination that takes French postal codes, France by default', () => {
    expect(calendarPostalCode({ destinationPostalCode: '57000' })).toBe('57000')
    for (const country of FRENCH_POSTAL_COUNTRIES) {
      expect(calendarPostalCode({ destinationCountry: country, destinationPostalCode: '97110' })).toBe(
        '97110',
      )
    }
  })

  it('is nothing for a destination abroad', () => {
    expect(calendarPostalCode({ destinationCountry: 'BE', destinationPostalCode: '5700' })).toBeUndefined()
    expect(calendarPostalCode({ destinationCountry: 'US', destinationPostalCode: '97110' })).toBeUndefined()
  })
})

describe('isSamePostalCode', () => {
  it.each([
    ['75011', '75011'],
    ['75011', '75 011'],
    ['75011', ' 75011 '],
    ['SW1A 1AA', 'sw1a1aa'],
    ['1000-001', '1000 001'],
    ['D02 X285', 'd02x285'],
  ])('reads %s and %s as one code', (registered, entered) => {
    expect(isSamePostalCode(registered, entered)).toBe(true)
  })

  it.each([
    ['75011', '75012'],
    ['75011', '7501'],
    ['75011', ''],
    ['75011', ' - '],
    [undefined, '75011'],
    [undefined, ''],
  ])('tells %s from %s', (registered, entered) => {
    expect(isSamePostalCode(registered, entered)).toBe(false)
  })
})
