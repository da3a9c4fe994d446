import { z } from 'zod'
import { deliveryDayKindFor, promisedDate } from '../domain/business-calendar.js'
import { nextAlertCheckAt } from '../domain/delay-alerts.js'
import { calendarPostalCode, FRENCH_POSTAL_CODE, takesFrenchPostalCodes } from '../domain/destination.js'
import { normalizeTrackingNumber } from '../domain/tracking-number.js'
import type { NewTracking } from '../store/tracking-store.js'
import type { AppDeps, CarrierCatalog, CarrierInfo } from './app-deps.js'
import { MetadataSchema } from './metadata-schema.js'
import { ApiError } from './problem.js'
import { REGISTRATION_WINDOW, registrationDatesSchema } from './registration-window.js'
import { parseWith } from './validation.js'

const { pastDays, promisedFutureDays, shippedFutureDays } = REGISTRATION_WINDOW

/** Any country's postal code, as far as colis reads one it cannot check. */
const POSTAL_CODE = /^[0-9A-Za-z][0-9A-Za-z -]{1,9}$/
const COUNTRY_CODE = /^[A-Za-z]{2}$/
const REGION_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' })

/** `75 011` is written `75011`. */
function compactFrenchPostalCode(code: string): string {
  return code.replace(/^(\d{2}) (\d{3})$/, '$1$2')
}

export const RegisterTrackingSchema = z
  .object({
    trackingNumber: z.string().min(1).max(64),
    carrier: z.string().min(1).max(32).optional(),
    promisedDeliveryDate: z.iso
      .date()
      .optional()
      .describe(
        `From ${pastDays} days before today to ${promisedFutureDays} days after (Paris dates); ` +
          'give it or `promise`, not both.',
      ),
    promise: z
      .object({
        shippedAt: z.iso
          .datetime({ offset: true })
          .or(z.iso.date())
          .describe(`Within ${pastDays} days before today and ${shippedFutureDays} days after (Paris dates)`),
        businessDays: z.number().int().min(0).max(60),
        dayKind: z.enum(['ouvrables', 'ouvres']).optional(),
      })
      .strict()
      .optional()
      .describe(
        'The promised date as shipping time plus business days, counted on the French calendar of the ' +
          'destination (Alsace-Moselle and overseas departments have holidays of their own).',
      ),
    destinationCountry: z
      .string()
      .regex(COUNTRY_CODE, 'an ISO 3166-1 alpha-2 country code, such as FR or BE')
      // Runs even when the pattern refused the code already, and `of` throws on what is not a region.
      .refine((code) => !COUNTRY_CODE.test(code) || REGION_NAMES.of(code.toUpperCase()) !== undefined, {
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
    orderId: z.string().min(1).max(128).optional(),
    metadata: MetadataSchema.optional(),
  })
  .strict()
  .refine((input) => !(input.promise && input.promisedDeliveryDate), {
    message: 'give promisedDeliveryDate or promise, not both',
    path: ['promise'],
  })
  .superRefine((input, context) => {
    const code = input.destinationPostalCode
    if (code === undefined || !POSTAL_CODE.test(code)) return
    if (!takesFrenchPostalCodes(input.destinationCountry?.toUpperCase())) return
    if (!FRENCH_POSTAL_CODE.test(compactFrenchPostalCode(code))) {
      context.addIssue({
        code: 'custom',
        path: ['destinationPostalCode'],
        message:
          'not a French postal code (5 digits of a French department, such as 75011); for a ' +
          'destination abroad, give its destinationCountry',
      })
    }
  })

/** What registration needs from the app's dependencies; the CLI import builds the same. */
export type RegistrationDeps = Pick<AppDeps, 'carriers' | 'alertPolicy'>

export interface PreparedRegistration {
  registration: NewTracking
  nextAlertCheckAtMs?: number
}

/**
 * The carrier named in the request, or the one detection clearly picks from the number. Detection
 * never guesses: several close candidates, or none, is a 422 that lists what it found.
 */
function resolveCarrier(
  carriers: CarrierCatalog,
  requested: string | undefined,
  trackingNumber: string,
): CarrierInfo {
  if (requested !== undefined) {
    const carrier = carriers.get(requested)
    if (!carrier) {
      throw new ApiError('unknown_carrier', `no carrier "${requested}" on this deployment`, {
        carriers: carriers.list().map((known) => known.id),
      })
    }
    return carrier
  }
  const detection = carriers.detect(trackingNumber)
  const winner = detection.winner ? carriers.get(detection.winner) : undefined
  if (winner) return winner
  if (detection.candidates.length > 0) {
    throw new ApiError(
      'ambiguous_carrier',
      'several carriers could track this number: say which with `carrier`',
      {
        candidates: detection.candidates,
      },
    )
  }
  throw new ApiError(
    'unknown_tracking_number_format',
    detection.problems[0] ?? 'no carrier of this deployment recognises this number; say which with `carrier`',
    { problems: detection.problems },
  )
}

/** The destination as stored: the country upper case, a French postal code as its 5 digits. */
function destinationOf(input: z.output<typeof RegisterTrackingSchema>) {
  const destinationCountry = input.destinationCountry?.toUpperCase()
  const code = input.destinationPostalCode
  const destinationPostalCode =
    code !== undefined && takesFrenchPostalCodes(destinationCountry) ? compactFrenchPostalCode(code) : code
  return {
    ...(destinationCountry ? { destinationCountry } : {}),
    ...(destinationPostalCode !== undefined ? { destinationPostalCode } : {}),
  }
}

/** What registering one parcel stores, or the ApiError the single call answers with. */
export function prepareRegistration(
  deps: RegistrationDeps,
  input: z.output<typeof RegisterTrackingSchema>,
  merchantId: string,
  at: Date,
): PreparedRegistration {
  // Before anything asks the business calendar about them.
  parseWith(registrationDatesSchema(at), input)
  const carrier = resolveCarrier(deps.carriers, input.carrier, input.trackingNumber)
  // The number first: what is wrong with it does not depend on this deployment's credentials.
  const check = carrier.checkNumber(normalizeTrackingNumber(input.trackingNumber))
  if (!check.ok) throw new ApiError('invalid_tracking_number', check.reason)
  if (!carrier.configured) {
    throw new ApiError('carrier_not_configured', `${carrier.name} needs credentials this deployment lacks`)
  }
  const trackingNumber = check.trackingNumber
  const destination = destinationOf(input)
  const promisedDeliveryDate = input.promise
    ? promisedDate(
        {
          ...input.promise,
          dayKind: input.promise.dayKind ?? deliveryDayKindFor(carrier.id, carrier.deliveryDays),
        },
        calendarPostalCode(destination),
      )
    : input.promisedDeliveryDate
  const registration = {
    ...input,
    ...destination,
    merchantId,
    carrier: carrier.id,
    trackingNumber,
    promisedDeliveryDate,
  }
  // A promise makes the parcel late at the end of its day even if no event ever comes: index that time.
  const draft = {
    ...registration,
    id: '',
    status: 'pending' as const,
    createdAt: at.toISOString(),
    updatedAt: '',
    lastNewEventAt: at.toISOString(),
    notFoundCount: 0,
    failureCount: 0,
    sequence: 0,
    alerts: [],
  }
  const nextAlertCheckAtMs = nextAlertCheckAt({
    record: draft,
    events: [],
    nowMs: at.getTime(),
    policy: deps.alertPolicy(draft),
  })
  return { registration, nextAlertCheckAtMs }
}

/** One batch item checked as the single call checks it: schema, carrier, number. Throws `ApiError`. */
export function prepareRegistrationItem(
  deps: RegistrationDeps,
  item: unknown,
  merchantId: string,
  at: Date,
): PreparedRegistration {
  return prepareRegistration(deps, parseWith(RegisterTrackingSchema, item), merchantId, at)
}
