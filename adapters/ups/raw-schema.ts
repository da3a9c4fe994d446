import { z } from 'zod'

/**
 * Only the fields colis reads (UPS TrackService OpenAPI 3.0.1); anything else UPS sends is ignored, the
 * addresses of the package (`packageAddress`: sender and recipient) above all. UPS pads some texts
 * with spaces ("DELIVERED "): trimmed, and an empty text is no text.
 */

const optionalText = z
  .string()
  .nullish()
  .transform((text) => text?.trim() || undefined)

export const UPS_STATUS_SCHEMA = z.object({
  type: optionalText,
  code: optionalText,
  statusCode: optionalText,
  description: optionalText,
})

export const UPS_ADDRESS_SCHEMA = z.object({
  city: optionalText,
  postalCode: optionalText,
  country: optionalText,
  countryCode: optionalText,
})

export const UPS_ACTIVITY_SCHEMA = z.object({
  /** `YYYYMMDD`, wall clock of the scan's place. */
  date: z.string().trim(),
  /** `HHMMSS`, wall clock of the scan's place. */
  time: z.string().trim(),
  gmtDate: optionalText,
  /** `HHMMSS`, sometimes without its leading zero (`74700`). */
  gmtTime: optionalText,
  /** `-05:00`: the scan place's offset. */
  gmtOffset: optionalText,
  location: z.object({ address: UPS_ADDRESS_SCHEMA.nullish() }).nullish(),
  status: UPS_STATUS_SCHEMA.nullish(),
})

export const UPS_PACKAGE_SCHEMA = z.object({
  trackingNumber: optionalText,
  activity: z.array(UPS_ACTIVITY_SCHEMA).nullish(),
  /** `SDD` scheduled, `RDD` rescheduled, `DEL` delivered; `date` is `YYYYMMDD`. */
  deliveryDate: z.array(z.object({ type: optionalText, date: optionalText })).nullish(),
  service: z.object({ description: optionalText }).nullish(),
})

/** Enough of a package to know which number it is, even when the rest is off-schema. */
export const UPS_PACKAGE_ID_SCHEMA = z.object({ trackingNumber: optionalText })

export const UPS_WARNING_SCHEMA = z.object({ code: optionalText, message: optionalText })

export const UPS_SHIPMENT_SCHEMA = z.object({
  inquiryNumber: optionalText,
  package: z.array(z.unknown()).nullish(),
  warnings: z.array(UPS_WARNING_SCHEMA).nullish(),
})

export const UPS_TRACK_RESPONSE_SCHEMA = z.object({
  trackResponse: z.object({ shipment: z.array(UPS_SHIPMENT_SCHEMA).min(1) }),
})

/** UPS's `Response` envelope of its 4xx and 5xx answers (and of the OAuth endpoint's). */
export const UPS_ERROR_ENVELOPE_SCHEMA = z.object({
  response: z.object({
    errors: z.array(z.object({ code: z.string().trim().min(1), message: optionalText })).min(1),
  }),
})

/** The OAuth token answer: every value a string, `expires_in` in seconds ("14399"). */
export const UPS_TOKEN_SCHEMA = z.object({
  access_token: z.string().trim().min(1),
  expires_in: z.union([
    z
      .string()
      .trim()
      .regex(/^\d{1,9}$/)
      .transform(Number),
    z.number().int().nonnegative().max(999_999_999),
  ]),
})

export type UpsActivity = z.output<typeof UPS_ACTIVITY_SCHEMA>
export type UpsPackage = z.output<typeof UPS_PACKAGE_SCHEMA>
export type UpsShipment = z.output<typeof UPS_SHIPMENT_SCHEMA>
export type UpsStatus = z.output<typeof UPS_STATUS_SCHEMA>
