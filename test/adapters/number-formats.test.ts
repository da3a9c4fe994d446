import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkNumberFormat,
  laPoste13CheckDigit,
  mod37_36CheckChar,
  type NumberFormat,
  s10CheckDigit,
} from '../../adapters/number-formats.js'
import { propertyRuns } from '../support/property-runs.js'

interface Vector {
  number: string
}

interface TrackingNumberSamples {
  s10_upu: { valid: Vector[]; invalid: Vector[] }
  laposte_13: { valid: Vector[]; invalid: Vector[] }
  laposte_15_mod37_36: { valid: Vector[]; invalid: Vector[] }
  chronopost_14_digits: { examples: (Vector & { computed_check_char: string })[] }
}

// Verified vectors shared by the whole team (real numbers from public sources, checked offline).
const SAMPLES = JSON.parse(
  readFileSync(new URL('../fixtures/samples/tracking-numbers.json', import.meta.url), 'utf8'),
) as TrackingNumberSamples

const GROUPS: [NumberFormat, { valid: Vector[]; invalid: Vector[] }][] = [
  ['s10', SAMPLES.s10_upu],
  ['laposte13', SAMPLES.laposte_13],
  ['mod37_36_15', SAMPLES.laposte_15_mod37_36],
]

const NUM_RUNS = propertyRuns(1000)
const ALPHABET_36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'

const digit = fc.constantFrom(...'0123456789')
const digits = (length: number) =>
  fc.array(digit, { minLength: length, maxLength: length }).map((d) => d.join(''))
const letters = (length: number) =>
  fc
    .array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), { minLength: length, maxLength: length })
    .map((l) => l.join(''))

/** Replaces the digit at `index` with another digit. */
const withOtherDigit = (text: string, index: number, step: number) =>
  `${text.slice(0, index)}${(Number(text[index]) + step) % 10}${text.slice(index + 1)}`

describe('the shared vectors (tracking-numbers.json)', () => {
  it('has vectors in every group', () => {
    for (const [, group] of GROUPS) {
      expect(group.valid.length).toBeGreaterThan(0)
      expect(group.invalid.length).toBeGreaterThan(0)
    }
    expect(SAMPLES.chronopost_14_digits.examples.length).toBeGreaterThan(0)
  })

  describe.each(GROUPS)('%s', (format, group) => {
    it.each(group.valid.map((vector) => vector.number))('%s is valid', (number) => {
      expect(checkNumberFormat(number)).toEqual({ format, valid: true })
    })

    it.each(group.invalid.map((vector) => vector.number))('%s is invalid, with a reason', (number) => {
      const check = checkNumberFormat(number)
      expect(check?.format).toBe(format)
      expect(check?.valid).toBe(false)
      if (check?.valid !== false) return
      expect(check.reason).toMatch(/expected [0-9A-Z]$/)
    })
  })

  it.each(SAMPLES.chronopost_14_digits.examples.map((e) => [e.number, e.computed_check_char] as const))(
    'Chronopost 14-digit %s has check character %s, and with it is a valid 15-character number',
    (number, checkChar) => {
      expect(mod37_36CheckChar(number)).toBe(checkChar)
      expect(checkNumberFormat(number)).toEqual({ format: 'digits14', valid: true })
      expect(checkNumberFormat(`${number}${checkChar}`)).toEqual({ format: 'mod37_36_15', valid: true })
    },
  )
})

describe('check digits', () => {
  it('computes the S10 check digit, including the r = 0 → 5 and r = 1 → 0 cases', () => {
    expect(s10CheckDigit('12345678')).toBe(5) // RB123456785GB
    expect(s10CheckDigit('11272041')).toBe(3) // EW112720413FR
    expect(s10CheckDigit('00000100')).toBe(6) // 5·1 = 5, r = 5 → 6
    expect(s10CheckDigit('10001000')).toBe(5) // 8 + 3 = 11, r = 0 → 5
    expect(s10CheckDigit('00000000')).toBe(5) // r = 0 → 5
    expect(s10CheckDigit('00004000')).toBe(0) // 3·4 = 12, r = 1 → 0
  })

  it('computes the La Poste 13 check digit', () => {
    expect(laPoste13CheckDigit('1560267630')).toBe(0) // 6A15602676300
    expect(laPoste13CheckDigit('1560268384')).toBe(1) // 6A15602683841
    expect(laPoste13CheckDigit('0000000000')).toBe(0)
  })

  it('computes the MOD 37,36 check character', () => {
    expect(mod37_36CheckChar('87000634002228')).toBe('A')
    expect(mod37_36CheckChar('86000634002228')).toBe('J')
    expect(mod37_36CheckChar('89108749065090')).toBe('W')
    expect(mod37_36CheckChar('13199341485349')).toBe('X')
  })

  it('reports the expected check digit in the reason', () => {
    expect(checkNumberFormat('RB123456786US')).toEqual({
      format: 's10',
      valid: false,
      reason: 'S10 check digit is 6, expected 5',
    })
    expect(checkNumberFormat('6A12345678901')).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/5$/),
    })
    expect(checkNumberFormat('86000634002228A')).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/J$/),
    })
  })

  it.each([
    '',
    'hello',
    'EW112720413F',
    'ew112720413fr',
    '6A1560267630',
    '1234567890123',
    '8910874906509',
    'EW 112720413 FR',
  ])('%j matches no known format', (number) => {
    expect(checkNumberFormat(number)).toBeUndefined()
  })
})

describe('check digit properties', () => {
  const s10Arb = fc.record({
    prefix: letters(2),
    serial: digits(8),
    suffix: fc.constantFrom('FR', 'US', 'GB', 'MQ', 'DE', 'CN', 'JB', 'JF', 'TS'),
  })
  const laPoste13Arb = fc.record({
    head: fc.tuple(digit, letters(1)).map(([d, l]) => `${d}${l}`),
    serial: digits(10),
  })

  it(`an S10 number with its computed check digit is valid, with any other digit invalid (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(s10Arb, fc.integer({ min: 1, max: 9 }), ({ prefix, serial, suffix }, step) => {
        const check = s10CheckDigit(serial)
        expect(check).toBeGreaterThanOrEqual(0)
        expect(check).toBeLessThanOrEqual(9)
        expect(checkNumberFormat(`${prefix}${serial}${check}${suffix}`)).toEqual({
          format: 's10',
          valid: true,
        })
        const wrong = (check + step) % 10
        expect(checkNumberFormat(`${prefix}${serial}${wrong}${suffix}`)).toMatchObject({
          format: 's10',
          valid: false,
        })
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`an S10 number whose suffix is no country and no operator's is invalid, check digit or not (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        letters(2),
        digits(8),
        fc.constantFrom('XX', 'ZZ', 'AA', 'QQ', 'JJ', 'EU', 'UN'),
        (prefix, serial, suffix) => {
          expect(checkNumberFormat(`${prefix}${serial}${s10CheckDigit(serial)}${suffix}`)).toEqual({
            format: 's10',
            valid: false,
            reason: `S10 suffix ${suffix} is neither a country code nor a known operator's suffix (JB, JF, TS)`,
          })
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it(`a single-digit change in an S10 serial slips through only when both check digits are 5 (${NUM_RUNS} runs)`, () => {
    // Mod 11 sees every single-digit change, but r = 0 and r = 6 both map to check digit 5.
    fc.assert(
      fc.property(
        s10Arb,
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        ({ prefix, serial, suffix }, index, step) => {
          const check = s10CheckDigit(serial)
          const typo = withOtherDigit(serial, index, step)
          const result = checkNumberFormat(`${prefix}${typo}${check}${suffix}`)
          if (result?.valid) expect([check, s10CheckDigit(typo)]).toEqual([5, 5])
          else expect(result).toMatchObject({ format: 's10', valid: false })
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it('the S10 blind spot exists: a typo that still validates', () => {
    // 00000000: r = 0 → 5; 90000000: 8·9 = 72, r = 6 → 5
    expect(checkNumberFormat('XX000000005FR')).toEqual({ format: 's10', valid: true })
    expect(checkNumberFormat('XX900000005FR')).toEqual({ format: 's10', valid: true })
  })

  it(`a La Poste 13 number with its computed check digit is valid, any other digit invalid (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(laPoste13Arb, fc.integer({ min: 1, max: 9 }), ({ head, serial }, step) => {
        const check = laPoste13CheckDigit(serial)
        expect(checkNumberFormat(`${head}${serial}${check}`)).toEqual({ format: 'laposte13', valid: true })
        expect(checkNumberFormat(`${head}${serial}${(check + step) % 10}`)).toMatchObject({
          format: 'laposte13',
          valid: false,
        })
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`weights 1 and 3 are prime to 10: any single-digit change in a La Poste 13 serial is caught (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        laPoste13Arb,
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        ({ head, serial }, index, step) => {
          const check = laPoste13CheckDigit(serial)
          const typo = withOtherDigit(serial, index, step)
          expect(checkNumberFormat(`${head}${typo}${check}`)).toMatchObject({
            format: 'laposte13',
            valid: false,
          })
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it(`a 14-digit number with its MOD 37,36 character is valid, any other character invalid (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(digits(14), fc.integer({ min: 1, max: 35 }), (body, step) => {
        const check = mod37_36CheckChar(body)
        expect(check).toMatch(/^[0-9A-Z]$/)
        expect(checkNumberFormat(`${body}${check}`)).toEqual({ format: 'mod37_36_15', valid: true })
        const other = ALPHABET_36[(ALPHABET_36.indexOf(check) + step) % 36] ?? ''
        expect(checkNumberFormat(`${body}${other}`)).toMatchObject({ format: 'mod37_36_15', valid: false })
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`ISO 7064 MOD 37,36 catches any single-digit change in the 14 digits (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        digits(14),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 1, max: 9 }),
        (body, index, step) => {
          const check = mod37_36CheckChar(body)
          const typo = withOtherDigit(body, index, step)
          expect(checkNumberFormat(`${typo}${check}`)).toMatchObject({ format: 'mod37_36_15', valid: false })
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it(`agrees with the ISO 7064 definition: the 15 characters check to 1 (${NUM_RUNS} runs)`, () => {
    // ISO 7064 hybrid MOD 37,36 as the standard states it (python-stdnum's `mod_37_36.checksum`).
    // Note: hybrid systems do not catch every adjacent swap (86171502065645 and 86171502065654 both → R).
    const iso7064Checksum = (text: string) =>
      [...text].reduce((check, char) => ((((check || 36) * 2) % 37) + ALPHABET_36.indexOf(char)) % 36, 18)
    fc.assert(
      fc.property(digits(14), (body) => {
        expect(iso7064Checksum(`${body}${mod37_36CheckChar(body)}`)).toBe(1)
      }),
      { numRuns: NUM_RUNS },
    )
    expect(mod37_36CheckChar('86171502065645')).toBe('R')
    expect(mod37_36CheckChar('86171502065654')).toBe('R')
  })
})
