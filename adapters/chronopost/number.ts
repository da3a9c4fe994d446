import type { NumberCheck, NumberClaim } from '../contract.js'
import { checkNumberFormat, digitsRangeOf, isChronopostS10 } from '../number-formats.js'

const NOT_A_CHRONOPOST_FORMAT =
  'not a Chronopost tracking number format (expected an S10 number starting with X or PZ like XY746876977FR, ' +
  '14 digits like 89108749065090, or 14 digits + check character like 89108749065090W)'

/**
 * Accepts a normalized Chronopost skybill number: a Chronopost S10 number with a valid check digit,
 * 14 digits, or 14 digits + ISO 7064 MOD 37,36 character. The check character is stripped: the tracking
 * service answers for the 14 digits.
 */
export function checkChronopostNumber(trackingNumber: string): NumberCheck {
  const format = checkNumberFormat(trackingNumber)
  if (!format) return { ok: false, reason: NOT_A_CHRONOPOST_FORMAT }
  if (!format.valid) return { ok: false, reason: format.reason }
  switch (format.format) {
    case 's10':
      return isChronopostS10(trackingNumber)
        ? { ok: true, trackingNumber }
        : {
            ok: false,
            reason:
              'an S10 number that is not Chronopost: Chronopost S10 numbers start with X or PZ, or end in JB, JF or TS',
          }
    case 'digits14':
      return { ok: true, trackingNumber }
    case 'mod37_36_15':
      return { ok: true, trackingNumber: trackingNumber.slice(0, 14) }
    case 'laposte13':
      return {
        ok: false,
        reason: 'a La Poste 13-character number (Colissimo, Lettre suivie), not Chronopost',
      }
  }
}

/**
 * From real check digits: its S10 numbers and 14 digits are Chronopost's own, but for 14 digits in DPD
 * France's depot ranges, where only a weak claim remains.
 */
export function claimChronopostNumber(trackingNumber: string): NumberClaim | undefined {
  const format = checkNumberFormat(trackingNumber)
  if (!format?.valid) return undefined
  switch (format.format) {
    case 's10':
      return isChronopostS10(trackingNumber)
        ? {
            confidence: 0.9,
            reason: `Chronopost S10 number (${trackingNumber.slice(0, 2)}…${trackingNumber.slice(11)}), check digit OK`,
          }
        : undefined
    case 'digits14':
      return digitsRangeOf(trackingNumber) === 'dpd'
        ? {
            confidence: 0.4,
            reason: '14 digits, as Chronopost numbers have, but in a DPD France depot range (0…, 10…)',
          }
        : { confidence: 0.9, reason: '14-digit Chronopost number' }
    case 'mod37_36_15':
      return { confidence: 0.4, reason: 'Chronopost numbers may carry the MOD 37,36 character too' }
    case 'laposte13':
      return undefined
  }
}
