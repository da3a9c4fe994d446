/** Upper case, without spaces, dashes, dots or slashes: the form every carrier check works on. */
export function normalizeTrackingNumber(raw: string): string {
  return raw.replace(/[\s\-./]/g, '').toUpperCase()
}
