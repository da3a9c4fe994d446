import type { NumberCheck, NumberClaim } from '../contract.js'
import { gs1CheckDigit } from '../number-formats.js'

const EXPRESS_10 = /^\d{10}$/
const EXPRESS_11 = /^\d{11}$/
const PAKET_12 = /^\d{12}$/
const SSCC_20 = /^00\d{18}$/
/** DHL Paket's GS1 company prefix in the SSCC of its labels (`00340434…`). */
const DHL_PAKET_SSCC_PREFIX = '00340434'

const NOT_A_DHL_FORMAT =
  'not a DHL tracking number format (expected a 10-digit Express waybill like 3318810025, 12 digits ' +
  'like 470800204932, or a 20-digit SSCC like 00340434292135100124)'

/** DHL Express waybills: the last digit is the rest of the others divided by 7. */
export function dhlExpressCheckDigit(serial: string): number {
  return Number(BigInt(serial) % 7n)
}

function checkDigitProblem(trackingNumber: string): string | undefined {
  const last = Number(trackingNumber.slice(-1))
  if (EXPRESS_10.test(trackingNumber) || EXPRESS_11.test(trackingNumber)) {
    const expected = dhlExpressCheckDigit(trackingNumber.slice(0, -1))
    return expected === last ? undefined : `DHL Express check digit is ${last}, expected ${expected}`
  }
  if (SSCC_20.test(trackingNumber)) {
    const expected = gs1CheckDigit(trackingNumber.slice(0, -1))
    return expected === last ? undefined : `SSCC check digit is ${last}, expected ${expected}`
  }
  return undefined
}

/** Express waybills (10 or 11 digits, mod 7), DHL Paket numbers (12 digits) and SSCCs (20 digits, GS1). */
export function checkDhlNumber(trackingNumber: string): NumberCheck {
  const shaped = [EXPRESS_10, EXPRESS_11, PAKET_12, SSCC_20].some((shape) => shape.test(trackingNumber))
  if (!shaped) return { ok: false, reason: NOT_A_DHL_FORMAT }
  const problem = checkDigitProblem(trackingNumber)
  return problem ? { ok: false, reason: problem } : { ok: true, trackingNumber }
}

/**
 * 10 digits with a mod-7 check that holds are DHL Express's own; 11 digits are GLS's shape too and 12
 * digits Colis Privé's and GLS's, so those never pick DHL alone. An SSCC is DHL's only with DHL Paket's
 * prefix.
 */
export function claimDhlNumber(trackingNumber: string): NumberClaim | undefined {
  if (!checkDhlNumber(trackingNumber).ok) return undefined
  if (EXPRESS_10.test(trackingNumber))
    return { confidence: 0.6, reason: 'DHL Express 10-digit waybill, mod 7 check digit OK' }
  // GLS numbers of 11 digits carry no check digit: the mod 7 that holds ranks DHL first, not alone.
  if (EXPRESS_11.test(trackingNumber))
    return {
      confidence: 0.7,
      reason:
        'DHL Express 11-digit waybill, mod 7 check digit OK (GLS has 11 digits too, one in seven passes)',
    }
  if (PAKET_12.test(trackingNumber))
    return {
      confidence: 0.3,
      reason: '12 digits: a DHL Paket number (no check digit; GLS and Colis Privé share the shape)',
    }
  if (trackingNumber.startsWith(DHL_PAKET_SSCC_PREFIX))
    return { confidence: 0.9, reason: 'DHL Paket SSCC (GS1 prefix 340434), check digit OK' }
  return { confidence: 0.3, reason: 'an SSCC (20 digits, check digit OK) of another company than DHL Paket' }
}

/** Why a number of a DHL Express or SSCC shape is refused: its check digit. */
export function explainDhlNumberProblem(trackingNumber: string): string | undefined {
  // 11 digits are GLS's shape as well: a failed mod 7 there says nothing wrong with the number.
  if (EXPRESS_11.test(trackingNumber)) return undefined
  return checkDigitProblem(trackingNumber)
}
