/** Upper case, without spaces, dashes, dots or slashes: the form every carrier check works on. */
export function normalizeTrackingNumber(raw: string): string {
  return raw.replace(/[\s\-./]/g, '').toUpperCase()
}

/** A carrier's verdict on a normalized number: the number its service is asked for, or why not. */
export type NumberCheck =
  | {
      ok: true
      trackingNumber: string
      /** Where a carrier's number carries the parcel's destination too (Colis Privé's number + postal code). */
      destination?: { postalCode: string; country?: string }
    }
  | { ok: false; reason: string }
