import { checkNumberFormat } from '../../src/domain/tracking-number.js'
import type { NumberCheck } from '../contract.js'

const NOT_A_LAPOSTE_FORMAT =
  'not a La Poste tracking number format (expected 13 characters like 6A15602676300, ' +
  'an S10 number like EW112720413FR, 14 digits, or 15 characters like 87000634002228A)'

/**
 * Accepts a normalized number in a format Suivi v2 tracks (FORMATS.md §3): UPU S10 (any suffix, Chronopost
 * uses non-country ones), La Poste 13 characters, 14 digits + MOD 37,36 character, or bare Chronopost 14 digits.
 */
export function checkLaPosteNumber(trackingNumber: string): NumberCheck {
  const format = checkNumberFormat(trackingNumber)
  if (!format) return { ok: false, reason: NOT_A_LAPOSTE_FORMAT }
  if (!format.valid) return { ok: false, reason: format.reason }
  return { ok: true, trackingNumber }
}
