/**
 * Where a parcel goes, as far as the business calendar cares: a French postal code picks the
 * holidays of its department (Alsace-Moselle, overseas departments); a foreign one means nothing to it.
 */
export interface Destination {
  /** ISO 3166-1 alpha-2; France when absent. */
  destinationCountry?: string
  destinationPostalCode?: string
}

/**
 * Countries whose addresses take French postal codes: France, Monaco (980xx), and the overseas
 * departments and collectivities, which have ISO codes of their own.
 */
export const FRENCH_POSTAL_COUNTRIES = [
  'FR',
  'MC',
  'GP',
  'MQ',
  'GF',
  'RE',
  'YT',
  'PM',
  'BL',
  'MF',
  'WF',
  'PF',
  'NC',
  'TF',
] as const

/**
 * Five digits: a metropolitan department (01 to 95, Corsica's 20 included), an overseas one or
 * collectivity (971 to 978), Monaco (980), the French Southern Lands (984), Wallis-et-Futuna (986),
 * French Polynesia (987) or New Caledonia (988).
 */
export const FRENCH_POSTAL_CODE = /^(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|97[1-8]\d{2}|98[04678]\d{2})$/

const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })
/** Two-letter region codes of the Unicode data that name no country: unions, groupings, "unknown". */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ'])

/** Whether `code` (two letters, upper case) is an ISO 3166-1 alpha-2 country or territory code. */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false
  return REGION_NAMES.of(code) !== undefined
}

/** `75 011` is written `75011`. */
export function compactFrenchPostalCode(code: string): string {
  return code.replace(/^(\d{2}) (\d{3})$/, '$1$2')
}

/** `code` as the 5 digits of a French postal code (`75 011` reads `75011`); undefined when it is none. */
export function readFrenchPostalCode(code: string): string | undefined {
  const compact = compactFrenchPostalCode(code)
  return FRENCH_POSTAL_CODE.test(compact) ? compact : undefined
}

export function takesFrenchPostalCodes(country: string | undefined): boolean {
  return (FRENCH_POSTAL_COUNTRIES as readonly string[]).includes(country ?? 'FR')
}

/** The postal code the business calendar may read: none for a foreign destination. */
export function calendarPostalCode(destination: Destination): string | undefined {
  return takesFrenchPostalCodes(destination.destinationCountry)
    ? destination.destinationPostalCode
    : undefined
}

/**
 * A postal code as two writings of it are compared: spaces and dashes left out, letters upper case
 * (`75 011` is `75011`, `sw1a 1aa` is `SW1A1AA`).
 */
export function comparablePostalCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase()
}

/** Whether a shopper's `entered` postal code is the parcel's; a parcel without one matches nothing. */
export function isSamePostalCode(registered: string | undefined, entered: string): boolean {
  if (registered === undefined) return false
  const wanted = comparablePostalCode(entered)
  return wanted !== '' && comparablePostalCode(registered) === wanted
}
