import { isCountryCode } from '../src/domain/destination.js'

/**
 * The number formats French carriers share and their check digits (docs/carriers/laposte.md, "Tracking
 * numbers"), and who issues which range of a shared shape (docs/carriers.md, "Detection").
 */

export const S10_PATTERN = /^[A-Z]{2}\d{9}[A-Z]{2}$/
export const LAPOSTE_13_PATTERN = /^\d[A-Z]\d{11}$/
export const DIGITS_14_PATTERN = /^\d{14}$/
export const MOD37_36_15_PATTERN = /^\d{14}[0-9A-Z]$/

const S10_WEIGHTS = [8, 6, 4, 2, 3, 5, 9, 7] as const

/** UPU S10: weights 8,6,4,2,3,5,9,7 over the 8 serial digits, mod 11 (r=0 → 5, r=1 → 0). */
export function s10CheckDigit(serial: string): number {
  const sum = S10_WEIGHTS.reduce((total, weight, index) => total + weight * Number(serial[index]), 0)
  const check = 11 - (sum % 11)
  if (check === 10) return 0
  if (check === 11) return 5
  return check
}

/** La Poste 13-character numbers: weights 1,3,1,3… over the 10 serial digits, mod 10. */
export function laPoste13CheckDigit(serial: string): number {
  let sum = 0
  for (let index = 0; index < 10; index++) sum += Number(serial[index]) * (index % 2 === 0 ? 1 : 3)
  return (10 - (sum % 10)) % 10
}

/** GS1 mod 10 (SSCCs, DPD France's labels): weights 3, 1, 3… from the rightmost digit. */
export function gs1CheckDigit(digits: string): number {
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    sum += Number(digits[digits.length - 1 - index]) * (index % 2 === 0 ? 3 : 1)
  }
  return (10 - (sum % 10)) % 10
}

/** ISO 7064 MOD 37,36 check character over digits (La Poste 15-character and Chronopost 14+1 numbers). */
export function mod37_36CheckChar(digits: string): string {
  let product = 36
  for (const char of digits) {
    product += Number(char)
    if (product > 36) product -= 36
    product *= 2
    if (product > 36) product -= 37
  }
  let check = 37 - product
  if (check === 36) check = 0
  return check < 10 ? String(check) : String.fromCharCode(55 + check)
}

/**
 * S10 suffixes that are no country: Chronopost's own (its S10 numbers end in a country or in one of
 * these). Any other suffix that is no ISO 3166 country makes the number invalid.
 */
export const S10_OPERATOR_SUFFIXES: readonly string[] = ['JB', 'JF', 'TS']

/**
 * Chronopost's S10 numbers: its `X…` and `PZ…` prefixes (XU, XW, XY… are X ones), or one of the operator
 * suffixes no country has. La Poste's Suivi v2 tracks them too, as an aggregator.
 */
export function isChronopostS10(s10Number: string): boolean {
  return /^(?:X|PZ)/.test(s10Number) || S10_OPERATOR_SUFFIXES.includes(s10Number.slice(11))
}

/**
 * Who issues a number of 14 digits (bare or followed by its MOD 37,36 character), from its first digits,
 * where a carrier documents it: DPD France's depots number from `0` and, for the former Exapaq
 * depots, from `10`; its French form starts `250`. La Poste's own 15-character numbers start `86`
 * (letters) and `87` (stamps printed at home). Elsewhere the digits alone do not say.
 */
export type DigitsRange = 'dpd' | 'laposte' | 'unknown'

export function digitsRangeOf(number: string): DigitsRange {
  if (/^(?:0|10|250)/.test(number)) return 'dpd'
  if (/^8[67]/.test(number)) return 'laposte'
  return 'unknown'
}

export type FormatCheck =
  | { format: NumberFormat; valid: true }
  | { format: NumberFormat; valid: false; reason: string }
  | undefined

export type NumberFormat = 's10' | 'laposte13' | 'digits14' | 'mod37_36_15'

/** Which known format a normalized number has, and whether its check digit holds. */
export function checkNumberFormat(number: string): FormatCheck {
  if (S10_PATTERN.test(number)) {
    const expected = s10CheckDigit(number.slice(2, 10))
    const actual = Number(number[10])
    if (expected !== actual)
      return { format: 's10', valid: false, reason: `S10 check digit is ${actual}, expected ${expected}` }
    const suffix = number.slice(11)
    return isCountryCode(suffix) || S10_OPERATOR_SUFFIXES.includes(suffix)
      ? { format: 's10', valid: true }
      : {
          format: 's10',
          valid: false,
          reason: `S10 suffix ${suffix} is neither a country code nor a known operator's suffix (${S10_OPERATOR_SUFFIXES.join(', ')})`,
        }
  }
  if (LAPOSTE_13_PATTERN.test(number)) {
    const expected = laPoste13CheckDigit(number.slice(2, 12))
    const actual = Number(number[12])
    return expected === actual
      ? { format: 'laposte13', valid: true }
      : { format: 'laposte13', valid: false, reason: `check digit is ${actual}, expected ${expected}` }
  }
  if (DIGITS_14_PATTERN.test(number)) return { format: 'digits14', valid: true }
  if (MOD37_36_15_PATTERN.test(number)) {
    const expected = mod37_36CheckChar(number.slice(0, 14))
    const actual = number.slice(14)
    return expected === actual
      ? { format: 'mod37_36_15', valid: true }
      : { format: 'mod37_36_15', valid: false, reason: `check character is ${actual}, expected ${expected}` }
  }
  return undefined
}
