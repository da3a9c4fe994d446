import type { NumberCheck, NumberClaim } from '../contract.js'

/** Two letters or digits, then 12 digits whose last two are the parcel's rank in its shipment (`01` first). */
const RELAISCOLIS_PATTERN = /^[0-9A-Z]{2}\d{12}$/

const NOT_A_RELAISCOLIS_FORMAT =
  'not a Relais Colis tracking number format (expected 2 letters or digits then 12 digits, ' +
  'like 4H013000253201)'

/** Accepts a normalized number of the Relais Colis shape; Relais Colis publishes no check digit. */
export function checkRelaisColisNumber(trackingNumber: string): NumberCheck {
  return RELAISCOLIS_PATTERN.test(trackingNumber)
    ? { ok: true, trackingNumber }
    : { ok: false, reason: NOT_A_RELAISCOLIS_FORMAT }
}

/**
 * The shape alone, without a check digit, so never a strong claim. A letter among the first two
 * characters is a shape no other carrier of colis uses: a moderate claim. Fourteen digits are also
 * Chronopost's and DPD France's numbers, and a rank of 00 is no parcel's: a weak one.
 */
export function claimRelaisColisNumber(trackingNumber: string): NumberClaim | undefined {
  if (!RELAISCOLIS_PATTERN.test(trackingNumber)) return undefined
  const rank = Number(trackingNumber.slice(12))
  if (rank === 0) {
    return {
      confidence: 0.3,
      reason: 'Relais Colis shape (2 characters + 12 digits), but a parcel rank of 00 (its last two digits)',
    }
  }
  if (/^\d{2}/.test(trackingNumber)) {
    return {
      confidence: 0.3,
      reason: `14 digits fit the Relais Colis shape (parcel ${rank} of its shipment), as Chronopost and DPD numbers do; no check digit`,
    }
  }
  return {
    confidence: 0.6,
    reason: `Relais Colis shape: 2 characters + 12 digits, parcel ${rank} of its shipment; no check digit to confirm it`,
  }
}
