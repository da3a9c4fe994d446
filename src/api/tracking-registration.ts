import { z } from 'zod'
import { deliveryDayKindFor, promisedDate } from '../domain/business-calendar.js'
import { nextAlertCheckAt } from '../domain/delay-alerts.js'
import { calendarPostalCode, type Destination, isSamePostalCode } from '../domain/destination.js'
import { normalizeTrackingNumber } from '../domain/tracking-number.js'
import type { NewTracking } from '../store/tracking-store.js'
import type { AppDeps, CarrierCatalog, CarrierInfo } from './app-deps.js'
import { checkFrenchPostalCode, DestinationFields, storedDestination } from './destination-fields.js'
import { assertEmailEnabled, EmailAddress } from './email-subscription.js'
import { MetadataSchema } from './metadata-schema.js'
import { ApiError } from './problem.js'
import { REGISTRATION_WINDOW, registrationDatesSchema } from './registration-window.js'
import { parseWith } from './validation.js'

const { pastDays, promisedFutureDays, shippedFutureDays } = REGISTRATION_WINDOW

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
    ...DestinationFields,
    orderId: z.string().min(1).max(128).optional(),
    metadata: MetadataSchema.optional(),
    notifyEmail: EmailAddress.optional().describe(
      "The shopper's address: each milestone of the parcel is e-mailed to it once (as " +
        '`POST /v1/trackings/{id}/notifications` with this `to`). Kept apart from the tracking, never in webhooks.',
    ),
  })
  .strict()
  .refine((input) => !(input.promise && input.promisedDeliveryDate), {
    message: 'give promisedDeliveryDate or promise, not both',
    path: ['promise'],
  })
  .superRefine(checkFrenchPostalCode)

/** What registration needs from the app's dependencies; the CLI import builds the same. */
export type RegistrationDeps = Pick<AppDeps, 'carriers' | 'alertPolicy' | 'emailEnabled'>

export interface PreparedRegistration {
  registration: NewTracking
  nextAlertCheckAtMs?: number
  /** Subscribed once the tracking exists; never stored on it. */
  notifyEmail?: string
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

/**
 * The destination a number carries (Colis Privé's number + postal code) fills the request's, and must
 * not contradict it.
 */
function withNumberDestination(
  input: Destination,
  fromNumber: { postalCode: string; country?: string } | undefined,
): Destination {
  if (!fromNumber) return input
  const country = fromNumber.country ?? 'FR'
  const contradicts =
    (input.destinationPostalCode !== undefined &&
      !isSamePostalCode(fromNumber.postalCode, input.destinationPostalCode)) ||
    (input.destinationCountry !== undefined && input.destinationCountry.toUpperCase() !== country)
  if (contradicts) {
    throw new ApiError(
      'invalid_tracking_number',
      `the number ends with the postal code ${fromNumber.postalCode}, which contradicts destinationPostalCode or destinationCountry`,
    )
  }
  const destinationCountry = fromNumber.country ?? input.destinationCountry
  return {
    destinationPostalCode: fromNumber.postalCode,
    ...(destinationCountry !== undefined ? { destinationCountry } : {}),
  }
}

/** What registering one parcel stores, or the ApiError the single call answers with. */
export function prepareRegistration(
  deps: RegistrationDeps,
  input: z.output<typeof RegisterTrackingSchema>,
  merchantId: string,
  at: Date,
): PreparedRegistration {
  // The dates first: the business calendar is only asked about dates inside the window.
  parseWith(registrationDatesSchema(at), input)
  const { notifyEmail, ...fields } = input
  if (notifyEmail !== undefined) assertEmailEnabled(deps)
  const carrier = resolveCarrier(deps.carriers, input.carrier, input.trackingNumber)
  // The number first: what is wrong with it does not depend on this deployment's credentials.
  const check = carrier.checkNumber(normalizeTrackingNumber(input.trackingNumber))
  if (!check.ok) throw new ApiError('invalid_tracking_number', check.reason)
  if (!carrier.configured) {
    throw new ApiError('carrier_not_configured', `${carrier.name} needs credentials this deployment lacks`)
  }
  const destination = storedDestination(withNumberDestination(fields, check.destination))
  if (carrier.requiresDestinationPostalCode && destination.destinationPostalCode === undefined) {
    throw new ApiError(
      'destination_postal_code_required',
      `${carrier.name} shows a parcel only to whoever gives its number and destination postal code: give destinationPostalCode`,
      { errors: [{ pointer: '/destinationPostalCode', detail: 'required by this carrier' }] },
    )
  }
  const trackingNumber = check.trackingNumber
  const promisedDeliveryDate = fields.promise
    ? promisedDate(
        {
          ...fields.promise,
          dayKind: fields.promise.dayKind ?? deliveryDayKindFor(carrier.id, carrier.deliveryDays),
        },
        calendarPostalCode(destination),
      )
    : fields.promisedDeliveryDate
  const registration = {
    ...fields,
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
    pageToken: '',
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
  return { registration, nextAlertCheckAtMs, ...(notifyEmail !== undefined ? { notifyEmail } : {}) }
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
