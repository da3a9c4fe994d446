import type { NumberCheck, NumberClaim } from '../contract.js'

/** `1Z`, 6 characters of shipper account, 2 of service, 7 of package reference, a check digit. */
export const UPS_1Z_PATTERN = /^1Z[0-9A-Z]{15}\d$/

const NOT_A_UPS_FORMAT =
  'not a UPS tracking number format (expected 1Z and 16 letters or digits, the last a digit, ' +
  'like 1Z5R89390357567127)'

/**
 * The 1Z check digit over the 15 characters after `1Z`: a letter counts (char code − 3) mod 10
 * (A → 2, B → 3 … Z → 7), a digit its value; odd positions (1st, 3rd…) weigh 1, even ones 2;
 * check = (10 − sum mod 10) mod 10.
 */
export function ups1ZCheckDigit(body: string): number {
  let sum = 0
  for (let index = 0; index < body.length; index++) {
    const char = body.charCodeAt(index)
    const value = char >= 48 && char <= 57 ? char - 48 : (char - 3) % 10
    sum += index % 2 === 0 ? value : value * 2
  }
  return (10 - (sum % 10)) % 10
}

/** Eighteen characters one typo away from the `1Z` prefix. */
const NEAR_1Z_PATTERN = /^(?:1[0-9A-Y]|[02-9A-Z]Z)[0-9A-Z]{15}\d$/

/**
 * Why a 1Z number fails its check digit, or why a number of the same length one character away from
 * `1Z` is none; undefined when it passes or looks like no UPS number.
 */
export function explainUpsNumberProblem(trackingNumber: string): string | undefined {
  if (NEAR_1Z_PATTERN.test(trackingNumber))
    return `UPS numbers start with 1Z, not ${trackingNumber.slice(0, 2)}`
  if (/^1Z[0-9A-Z]{12,20}$/.test(trackingNumber) && trackingNumber.length !== 18)
    return `UPS 1Z numbers have 18 characters, not ${trackingNumber.length}`
  if (!UPS_1Z_PATTERN.test(trackingNumber)) return undefined
  const expected = ups1ZCheckDigit(trackingNumber.slice(2, 17))
  const actual = Number(trackingNumber[17])
  return expected === actual ? undefined : `UPS 1Z check digit is ${actual}, expected ${expected}`
}

/** Accepts a normalized 1Z number whose check digit holds (or any 1Z number, `checkDigit: false`). */
export function checkUpsNumber(trackingNumber: string, options: { checkDigit?: boolean } = {}): NumberCheck {
  if (!UPS_1Z_PATTERN.test(trackingNumber)) return { ok: false, reason: NOT_A_UPS_FORMAT }
  const problem = options.checkDigit === false ? undefined : explainUpsNumberProblem(trackingNumber)
  return problem ? { ok: false, reason: problem } : { ok: true, trackingNumber }
}

/** `1Z` is UPS's own prefix: no other carrier of the mix uses it. */
export function claimUpsNumber(trackingNumber: string): NumberClaim | undefined {
  if (!UPS_1Z_PATTERN.test(trackingNumber) || explainUpsNumberProblem(trackingNumber)) return undefined
  return { confidence: 0.95, reason: 'UPS 1Z number, check digit OK' }
}

/** With the check digit not enforced (test environments): any 1Z number, with a lower confidence. */
export function claimUpsNumberUnchecked(trackingNumber: string): NumberClaim | undefined {
  if (!UPS_1Z_PATTERN.test(trackingNumber)) return undefined
  return (
    claimUpsNumber(trackingNumber) ?? {
      confidence: 0.7,
      reason: 'UPS 1Z number; its check digit fails, accepted as UPS_CHECK_DIGIT is off',
    }
  )
}
