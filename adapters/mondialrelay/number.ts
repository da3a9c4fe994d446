import type { NumberCheck, NumberClaim } from '../contract.js'

/**
 * Mondial Relay numbers (docs/carriers/mondialrelay.md, "Tracking numbers"): the 8-digit shipment number
 * ("numéro d'expédition") the tracing service takes, and the 26-digit label barcode that holds it:
 * brand(2) shipment(8) sequence(2) count(2) check(1) routing(10) check(1).
 */
const SHIPMENT_PATTERN = /^\d{8}$/
const BARCODE_PATTERN = /^\d{26}$/

const NOT_A_MONDIALRELAY_FORMAT =
  'not a Mondial Relay tracking number format (expected an 8-digit shipment number like 31234567 ' +
  'or a 26-digit label barcode like 12123456780101006623123454)'

/**
 * The label's check digit: weights 2 to 7 repeating from the rightmost digit, 11 − (sum mod 11), where
 * 10 and 11 give 0.
 */
export function mondialRelayCheckDigit(digits: string): number {
  let sum = 0
  for (let index = 0; index < digits.length; index++) {
    sum += Number(digits[digits.length - 1 - index]) * (2 + (index % 6))
  }
  const check = 11 - (sum % 11)
  return check >= 10 ? 0 : check
}

/** Why a 26-digit barcode is not a well-formed Mondial Relay label; undefined when it is. */
function barcodeProblem(barcode: string): string | undefined {
  const first = mondialRelayCheckDigit(barcode.slice(0, 14))
  if (Number(barcode[14]) !== first) {
    return `Mondial Relay label barcode: first check digit is ${barcode[14]}, expected ${first}`
  }
  const second = mondialRelayCheckDigit(barcode.slice(15, 25))
  if (Number(barcode[25]) !== second) {
    return `Mondial Relay label barcode: second check digit is ${barcode[25]}, expected ${second}`
  }
  const sequence = Number(barcode.slice(10, 12))
  const count = Number(barcode.slice(12, 14))
  if (sequence < 1 || sequence > count) {
    return `Mondial Relay label barcode: parcel ${sequence} of ${count} is not a parcel of the shipment`
  }
  return undefined
}

/**
 * Accepts a normalized 8-digit shipment number as it is, and a 26-digit label barcode whose checks hold
 * as the shipment number it carries: the tracing service answers for that number only.
 */
export function checkMondialRelayNumber(trackingNumber: string): NumberCheck {
  if (SHIPMENT_PATTERN.test(trackingNumber)) return { ok: true, trackingNumber }
  if (!BARCODE_PATTERN.test(trackingNumber)) return { ok: false, reason: NOT_A_MONDIALRELAY_FORMAT }
  const problem = barcodeProblem(trackingNumber)
  return problem ? { ok: false, reason: problem } : { ok: true, trackingNumber: trackingNumber.slice(2, 10) }
}

/**
 * A barcode whose two checks hold is Mondial Relay's own. Eight digits carry no check digit: that claim
 * rests on the shape alone, hence its lower confidence.
 */
export function claimMondialRelayNumber(trackingNumber: string): NumberClaim | undefined {
  if (SHIPMENT_PATTERN.test(trackingNumber)) {
    return {
      confidence: 0.6,
      reason: '8-digit Mondial Relay shipment number (it has no check digit: from its shape only)',
    }
  }
  if (BARCODE_PATTERN.test(trackingNumber) && barcodeProblem(trackingNumber) === undefined) {
    return { confidence: 0.95, reason: '26-digit Mondial Relay label barcode, both mod-11 checks OK' }
  }
  return undefined
}

/** The check a 26-digit barcode fails, if any. */
export function explainMondialRelayNumberProblem(trackingNumber: string): string | undefined {
  return BARCODE_PATTERN.test(trackingNumber) ? barcodeProblem(trackingNumber) : undefined
}
