import type { NumberCheck, NumberClaim } from '../contract.js'
import { checkNumberFormat, digitsRangeOf, isChronopostS10 } from '../number-formats.js'

const NOT_A_LAPOSTE_FORMAT =
  'not a La Poste tracking number format (expected 13 characters like 6A15602676300, ' +
  'an S10 number like EW112720413FR, 14 digits, or 15 characters like 87000634002228A)'

const AS_AGGREGATOR: NumberClaim = {
  confidence: 0.4,
  reason: 'La Poste Suivi v2 also tracks Chronopost numbers, as an aggregator',
}

/**
 * Accepts a normalized number in a format Suivi v2 tracks: UPU S10 (any suffix, Chronopost
 * uses non-country ones), La Poste 13 characters, 14 digits + MOD 37,36 character, or bare Chronopost 14 digits.
 */
export function checkLaPosteNumber(trackingNumber: string): NumberCheck {
  const format = checkNumberFormat(trackingNumber)
  if (!format) return { ok: false, reason: NOT_A_LAPOSTE_FORMAT }
  if (!format.valid) return { ok: false, reason: format.reason }
  return { ok: true, trackingNumber }
}

/**
 * From real check digits. Chronopost's own numbers (its S10 numbers, 14 digits) rank La Poste
 * second: Suivi v2 only tracks them as an aggregator. The 15-character shape is DPD's too: a check
 * character that holds proves it well formed, not whose it is, so the first digits decide.
 */
export function claimLaPosteNumber(trackingNumber: string): NumberClaim | undefined {
  const format = checkNumberFormat(trackingNumber)
  if (!format?.valid) return undefined
  switch (format.format) {
    case 'laposte13':
      return {
        confidence: 0.95,
        reason: '13-character La Poste number (Colissimo, Lettre suivie), check digit OK',
      }
    case 's10':
      if (isChronopostS10(trackingNumber)) return AS_AGGREGATOR
      return trackingNumber.endsWith('FR')
        ? { confidence: 0.95, reason: 'UPU S10 number posted in France (…FR), check digit OK' }
        : {
            confidence: 0.8,
            reason: `inbound international S10 number (…${trackingNumber.slice(-2)}), check digit OK`,
          }
    case 'digits14':
      return AS_AGGREGATOR
    case 'mod37_36_15':
      return claimFifteenCharacters(trackingNumber)
  }
}

function claimFifteenCharacters(trackingNumber: string): NumberClaim {
  switch (digitsRangeOf(trackingNumber)) {
    case 'laposte':
      return {
        confidence: 0.9,
        reason: `15-character La Poste number (${trackingNumber.slice(0, 2)}…, 14 digits + MOD 37,36 character), check OK`,
      }
    case 'dpd':
      return {
        confidence: 0.4,
        reason:
          '14 digits + MOD 37,36 character, a shape La Poste shares with DPD, in a DPD France range (0…, 10…, 250…)',
      }
    case 'unknown':
      return {
        confidence: 0.5,
        reason:
          '14 digits + MOD 37,36 character outside the documented ranges: La Poste or Chronopost (Suivi v2 tracks both), or DPD',
      }
  }
}

/** The check digit a number of one of Suivi v2's shapes fails, if any. */
export function explainLaPosteNumberProblem(trackingNumber: string): string | undefined {
  const format = checkNumberFormat(trackingNumber)
  return format && !format.valid ? format.reason : undefined
}
