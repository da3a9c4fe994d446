import type { NumberCheck, NumberClaim } from '../contract.js'

const SHIPMENT_NUMBER = /^[A-Z0-9]{12}$/

/** Colis Privé shipment numbers: 12 letters or digits, no check character. */
export function checkColisPriveNumber(trackingNumber: string): NumberCheck {
  return SHIPMENT_NUMBER.test(trackingNumber)
    ? { ok: true, trackingNumber }
    : {
        ok: false,
        reason:
          'not a Colis Privé shipment number (12 letters or digits like 991122334455; give the ' +
          'destination postal code in destinationPostalCode, not after the number)',
      }
}

/**
 * The shape alone, with no check character: a weak claim that never picks Colis Privé by itself, and
 * leaves a carrier of a definition file whose pattern matches the number ahead.
 */
export function claimColisPriveNumber(trackingNumber: string): NumberClaim | undefined {
  if (!SHIPMENT_NUMBER.test(trackingNumber)) return undefined
  return /[A-Z]/.test(trackingNumber)
    ? {
        confidence: 0.3,
        reason: 'Colis Privé shipment number shape: 12 letters and digits (no check character)',
      }
    : { confidence: 0.2, reason: 'Colis Privé shipment number shape: 12 digits (GLS and DHL share it)' }
}
