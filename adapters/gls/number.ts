import type { NumberCheck, NumberClaim } from '../contract.js'

const UNIT_NUMBER_11 = /^\d{11}$/
const PARCEL_NUMBER_12 = /^\d{12}$/
const TRACK_ID = /^[A-Z0-9]{8}$/
/** The id of the card left when a delivery failed: only GLS's contract API finds a parcel by it. */
const NOTIFICATION_CARD = /^[A-Z0-9]{6}$/

const hasLettersAndDigits = (text: string) => /[A-Z]/.test(text) && /\d/.test(text)

const NOT_A_GLS_FORMAT =
  'not a GLS tracking number format (expected 11 digits like 60483186262, 12 digits with their check ' +
  'digit like 604831862623, or an 8-character TrackID like ZX61QJIX)'

/**
 * The 12th digit of a GLS parcel number: weights 3, 1, 3… from the rightmost of the 11 digits, plus 1
 * (GLS Uni-Box technical documentation, §3.2.1).
 */
export function glsCheckDigit(unitNumber: string): number {
  let sum = 1
  for (let index = 0; index < 11; index++) {
    sum += Number(unitNumber[10 - index]) * (index % 2 === 0 ? 3 : 1)
  }
  return (10 - (sum % 10)) % 10
}

function checkDigitProblem(trackingNumber: string): string | undefined {
  if (!PARCEL_NUMBER_12.test(trackingNumber)) return undefined
  const expected = glsCheckDigit(trackingNumber)
  const actual = Number(trackingNumber[11])
  return expected === actual ? undefined : `GLS check digit is ${actual}, expected ${expected}`
}

/** 11-digit unit numbers, 12-digit parcel numbers whose check digit holds, and 8-character TrackIDs. */
export function checkGlsNumber(trackingNumber: string): NumberCheck {
  if (PARCEL_NUMBER_12.test(trackingNumber)) {
    const problem = checkDigitProblem(trackingNumber)
    return problem ? { ok: false, reason: problem } : { ok: true, trackingNumber }
  }
  if (UNIT_NUMBER_11.test(trackingNumber) || TRACK_ID.test(trackingNumber))
    return { ok: true, trackingNumber }
  return { ok: false, reason: NOT_A_GLS_FORMAT }
}

/**
 * Shapes other carriers share keep the claim low: 12 digits are also Colis Privé's and DHL Paket's, so a
 * check digit that holds (one number in ten) does not pick GLS alone. A TrackID counts only with
 * letters and digits both, as GLS prints them; 8 digits alone are a Mondial Relay shipment number.
 */
export function claimGlsNumber(trackingNumber: string): NumberClaim | undefined {
  if (PARCEL_NUMBER_12.test(trackingNumber)) {
    return checkDigitProblem(trackingNumber) === undefined
      ? {
          confidence: 0.5,
          reason: 'GLS 12-digit parcel number, check digit OK (a shape Colis Privé and DHL share)',
        }
      : undefined
  }
  if (UNIT_NUMBER_11.test(trackingNumber))
    return { confidence: 0.6, reason: 'GLS 11-digit parcel number (carries no check digit)' }
  if (TRACK_ID.test(trackingNumber) && hasLettersAndDigits(trackingNumber))
    return { confidence: 0.3, reason: 'GLS 8-character TrackID (no check character)' }
  return undefined
}

/** Why a 12-digit number is not GLS's (its check digit), or why a notification card id is not tracked. */
export function explainGlsNumberProblem(trackingNumber: string): string | undefined {
  if (NOTIFICATION_CARD.test(trackingNumber) && hasLettersAndDigits(trackingNumber))
    return 'a GLS notification card id (6 characters) is not tracked: give the parcel number or TrackID printed on the card'
  return checkDigitProblem(trackingNumber)
}
