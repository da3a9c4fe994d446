/**
 * The number formats French carriers share and their check digits (docs/carriers/laposte.md, "Tracking
 * numbers").
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
    return expected === actual
      ? { format: 's10', valid: true }
      : { format: 's10', valid: false, reason: `S10 check digit is ${actual}, expected ${expected}` }
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
