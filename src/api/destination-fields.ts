import { z } from 'zod'
import {
  compactFrenchPostalCode,
  type Destination,
  isCountryCode,
  readFrenchPostalCode,
  takesFrenchPostalCodes,
} from '../domain/destination.js'

/** Any country's postal code, as far as colis reads one it cannot check. */
const POSTAL_CODE = /^[0-9A-Za-z][0-9A-Za-z -]{1,9}$/
const COUNTRY_CODE = /^[A-Za-z]{2}$/

/** Where a registered parcel goes; `checkFrenchPostalCode` checks the two together. */
export const DestinationFields = {
  destinationCountry: z
    .string()
    .regex(COUNTRY_CODE, 'an ISO 3166-1 alpha-2 country code, such as FR or BE')
    // Runs even when the pattern refused the code already: that one has its own error.
    .refine((code) => !COUNTRY_CODE.test(code) || isCountryCode(code.toUpperCase()), {
      message: 'no such country code',
    })
    .optional()
    .describe(
      'ISO 3166-1 alpha-2 code of the country the parcel goes to (stored upper case); France when ' +
        'absent. France, Monaco and the French overseas departments and collectivities (GP, MQ, GF, ' +
        'RE, YT, PM, BL, MF, WF, PF, NC, TF) take French postal codes.',
    ),
  destinationPostalCode: z
    .string()
    .regex(
      POSTAL_CODE,
      'a postal code: 2 to 10 letters, digits, spaces or dashes (a French postal code is 5 digits, such as 75011)',
    )
    .optional()
    .describe(
      'For a destination that takes French postal codes: 5 digits (`75 011` is stored `75011`), of a ' +
        'department (01 to 95, Corsica 20), an overseas one or collectivity (971 to 978), Monaco (980) or ' +
        '984, 986, 987, 988; it picks the holidays business days skip (Alsace-Moselle: 57, 67, 68; ' +
        'overseas departments: 971 to 974, 976). Elsewhere: 2 to 10 letters, digits, spaces or dashes, ' +
        'not read by colis (business days follow the metropolitan French calendar).',
    ),
}

/** A registration's refinement: a destination that takes French postal codes has a French one. */
export function checkFrenchPostalCode(input: Destination, context: z.RefinementCtx): void {
  const code = input.destinationPostalCode
  // A code of no postal shape at all has its own error already.
  if (code === undefined || !POSTAL_CODE.test(code)) return
  if (!takesFrenchPostalCodes(input.destinationCountry?.toUpperCase())) return
  if (readFrenchPostalCode(code) === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['destinationPostalCode'],
      message:
        'not a French postal code (5 digits of a French department, such as 75011); for a ' +
        'destination abroad, give its destinationCountry',
    })
  }
}

/** The destination as stored: the country upper case, a French postal code as its 5 digits. */
export function storedDestination(input: Destination): Destination {
  const destinationCountry = input.destinationCountry?.toUpperCase()
  const code = input.destinationPostalCode
  const destinationPostalCode =
    code !== undefined && takesFrenchPostalCodes(destinationCountry) ? compactFrenchPostalCode(code) : code
  return {
    ...(destinationCountry ? { destinationCountry } : {}),
    ...(destinationPostalCode !== undefined ? { destinationPostalCode } : {}),
  }
}
