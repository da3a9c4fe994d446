import type { NumberCheck, NumberClaim } from '../contract.js'
import { digitsRangeOf, gs1CheckDigit, mod37_36CheckChar } from '../number-formats.js'

const NOT_A_DPD_FORMAT =
  'not a DPD France tracking number format (expected 14 digits starting with 0 or 1 like 10654000122441, ' +
  '14 digits + check character like 09980000020033F, a 250… number like 250803383035673 or with its ' +
  'GS1 digit like 2508033830356734, or the 28-character label barcode)'

/** zip(7) + parcel(14) + service(3) + country(3) + ISO 7064 MOD 37,36 character over the 27 digits. */
const BARCODE_28 = /^\d{27}[0-9A-Z]$/
/** The French `250` number followed by the GS1 mod 10 digit labels print. */
const FRANCE_250_GS1 = /^250\d{13}$/
const FRANCE_250 = /^250\d{12}$/
const DIGITS_14_CHECK = /^\d{14}[0-9A-Z]$/
/** trace.dpd.fr takes 14-digit parcel numbers starting with 0 or 1. */
const DIGITS_14 = /^[01]\d{13}$/

type DpdShape =
  | { shape: 'barcode28' | 'france250gs1' | 'digits14check'; valid: false; reason: string }
  | {
      shape: 'barcode28' | 'france250gs1' | 'france250' | 'digits14check' | 'digits14'
      valid: true
      /** What DPD France is asked for: the parcel number without check characters. */
      parcelNumber: string
    }

function readDpdShape(number: string): DpdShape | undefined {
  if (BARCODE_28.test(number)) {
    const expected = mod37_36CheckChar(number.slice(0, 27))
    const actual = number.slice(27)
    return expected === actual
      ? { shape: 'barcode28', valid: true, parcelNumber: number.slice(7, 21) }
      : { shape: 'barcode28', valid: false, reason: `check character is ${actual}, expected ${expected}` }
  }
  if (FRANCE_250_GS1.test(number)) {
    const expected = gs1CheckDigit(number.slice(0, 15))
    const actual = Number(number[15])
    return expected === actual
      ? { shape: 'france250gs1', valid: true, parcelNumber: number.slice(0, 15) }
      : { shape: 'france250gs1', valid: false, reason: `GS1 check digit is ${actual}, expected ${expected}` }
  }
  // No check is known on the 15-digit French form: the prefix is what it has.
  if (FRANCE_250.test(number)) return { shape: 'france250', valid: true, parcelNumber: number }
  if (DIGITS_14_CHECK.test(number)) {
    const expected = mod37_36CheckChar(number.slice(0, 14))
    const actual = number.slice(14)
    return expected === actual
      ? { shape: 'digits14check', valid: true, parcelNumber: number.slice(0, 14) }
      : { shape: 'digits14check', valid: false, reason: `check character is ${actual}, expected ${expected}` }
  }
  if (DIGITS_14.test(number)) return { shape: 'digits14', valid: true, parcelNumber: number }
  return undefined
}

/**
 * Accepts a normalized DPD number and gives the parcel number DPD France is asked for: the 14 digits of
 * a barcode or of a number with its check character, the 15-digit `250…` number without its GS1 digit.
 */
export function checkDpdNumber(trackingNumber: string): NumberCheck {
  const shape = readDpdShape(trackingNumber)
  if (!shape) return { ok: false, reason: NOT_A_DPD_FORMAT }
  if (!shape.valid) return { ok: false, reason: shape.reason }
  return { ok: true, trackingNumber: shape.parcelNumber }
}

/**
 * From the number's shape, prefixes and check characters. The check character proves a number well
 * formed, not whose it is: La Poste and Chronopost print the same 14 digits + MOD 37,36 shape, so only
 * DPD France's own ranges (its depots' `0…`, the former Exapaq depots' `10…`, the French `250…`) and its
 * barcode make a strong claim.
 */
export function claimDpdNumber(trackingNumber: string): NumberClaim | undefined {
  const shape = readDpdShape(trackingNumber)
  if (!shape?.valid) return undefined
  const ownRange = digitsRangeOf(trackingNumber) === 'dpd'
  switch (shape.shape) {
    case 'barcode28':
      return {
        confidence: 0.9,
        reason: `DPD 28-character label barcode (country ${trackingNumber.slice(24, 27)}), check character OK`,
      }
    case 'france250gs1':
      return { confidence: 0.95, reason: 'DPD France 250… number with its GS1 check digit' }
    case 'france250':
      return { confidence: 0.9, reason: 'DPD France 250… number (250 = France)' }
    case 'digits14check':
      return ownRange
        ? {
            confidence: 0.9,
            reason: `DPD France number in a depot range (${trackingNumber.slice(0, 2)}…) with its check character`,
          }
        : {
            confidence: 0.3,
            reason:
              'well-formed DPD shape (check character OK) outside DPD France depot ranges; La Poste shares it',
          }
    case 'digits14':
      return ownRange
        ? {
            confidence: 0.8,
            reason: `DPD France parcel number in a depot range (${trackingNumber.slice(0, 2)}…); no check character`,
          }
        : {
            confidence: 0.3,
            reason:
              '14 digits starting with 1, as trace.dpd.fr accepts; Chronopost numbers have 14 digits too',
          }
  }
}

/** Digits after DPD France's `250` prefix, too few or too many for its 15-digit numbers. */
const FRANCE_250_WRONG_LENGTH = /^250(?:\d{8,11}|\d{14,17})$/

/** The check digit a number of one of DPD's shapes fails, or a `250…` number of the wrong length. */
export function explainDpdNumberProblem(trackingNumber: string): string | undefined {
  const shape = readDpdShape(trackingNumber)
  if (shape && !shape.valid) return shape.reason
  return FRANCE_250_WRONG_LENGTH.test(trackingNumber)
    ? `DPD France 250… numbers have 15 digits (16 with their GS1 digit), not ${trackingNumber.length}`
    : undefined
}
