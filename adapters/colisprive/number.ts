import { FRENCH_POSTAL_CODE } from '../../src/domain/destination.js'
import type { NumberCheck, NumberClaim } from '../contract.js'

const SHIPMENT_NUMBER = /^[A-Z0-9]{12}$/
/**
 * What the recipient types on Colis Privé's page: the shipment number followed by the destination postal
 * code, 5 digits, or B or L and 4 digits for Belgium and Luxembourg.
 */
const NUMBER_WITH_POSTAL_CODE = /^([A-Z0-9]{12})(\d{5}|[BL]\d{4})$/
/** Twelve characters and a tail of 4 or 5 that is no postal code: a mistyped credential. */
const NUMBER_WITH_OTHER_TAIL = /^[A-Z0-9]{12}([A-Z0-9]{4,5})$/

const NOT_A_COLISPRIVE_FORMAT =
  'not a Colis Privé shipment number (12 letters or digits like 991122334455, alone with the ' +
  'destination postal code in destinationPostalCode, or followed by it like 99112233445575001)'

/**
 * Colis Privé shipment numbers: 12 letters or digits, no check character, alone or followed by the
 * destination postal code, which the check hands back as the parcel's destination.
 */
export function checkColisPriveNumber(trackingNumber: string): NumberCheck {
  if (SHIPMENT_NUMBER.test(trackingNumber)) return { ok: true, trackingNumber }
  const combined = NUMBER_WITH_POSTAL_CODE.exec(trackingNumber)
  const [, shipment, postalCode] = combined ?? []
  if (shipment === undefined || postalCode === undefined)
    return { ok: false, reason: NOT_A_COLISPRIVE_FORMAT }
  if (/^\d/.test(postalCode) && !FRENCH_POSTAL_CODE.test(postalCode))
    return { ok: false, reason: `${postalCode} after the Colis Privé number is not a French postal code` }
  return { ok: true, trackingNumber: shipment, destination: destinationOf(postalCode) }
}

/** Colis Privé writes a Belgian or Luxembourg code with its country's letter, which the page expects back. */
function destinationOf(postalCode: string): { postalCode: string; country?: string } {
  if (postalCode.startsWith('B')) return { postalCode, country: 'BE' }
  if (postalCode.startsWith('L')) return { postalCode, country: 'LU' }
  return { postalCode }
}

/**
 * The number followed by its postal code is Colis Privé's own credential. The 12 characters alone,
 * with no check character, are a weak claim that never picks Colis Privé by itself, and leaves a
 * carrier of a definition file whose pattern matches the number ahead.
 */
export function claimColisPriveNumber(trackingNumber: string): NumberClaim | undefined {
  const check = checkColisPriveNumber(trackingNumber)
  if (!check.ok) return undefined
  if (check.destination)
    return {
      confidence: 0.8,
      reason: `Colis Privé shipment number ${check.trackingNumber} followed by the destination postal code ${check.destination.postalCode}`,
    }
  const tracked = 'tracked with the destination postal code'
  return /[A-Z]/.test(trackingNumber)
    ? {
        confidence: 0.3,
        reason: `Colis Privé shipment number shape: 12 letters and digits (no check character), ${tracked}`,
      }
    : {
        confidence: 0.2,
        reason: `Colis Privé shipment number shape: 12 digits (GLS and DHL share it), ${tracked}`,
      }
}

/** Why 12 characters followed by what is no postal code are no Colis Privé credential. */
export function explainColisPriveNumberProblem(trackingNumber: string): string | undefined {
  const check = checkColisPriveNumber(trackingNumber)
  if (check.ok) return undefined
  const tail = NUMBER_WITH_OTHER_TAIL.exec(trackingNumber)?.[1]
  if (tail === undefined) return undefined
  return `Colis Privé: ${tail} after the 12-character number is not a postal code (5 digits, or B or L and 4 digits)`
}
