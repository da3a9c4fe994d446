import { z } from 'zod'
import { DEFINITION_REGEX_SCHEMA } from './map-status.js'

/** Records an issue at `path`, relative to the carrier definition being checked. */
export type ReportIssue = (path: Array<string | number>, message: string) => void

/** A JSON path or CSS selector, with an optional attribute (HTML/XML) and a pattern cutting the text. */
const field = z.preprocess(
  (value) => (typeof value === 'string' ? { from: value } : value),
  z.strictObject({
    from: z.string().min(1),
    attribute: z.string().min(1).optional(),
    pattern: DEFINITION_REGEX_SCHEMA.optional(),
  }),
)

export const EXTRACTION_SCHEMA = z.strictObject({
  events: z.string().min(1),
  fields: z.strictObject({
    description: field,
    date: field,
    code: field.optional(),
    time: field.optional(),
    city: field.optional(),
    postalCode: field.optional(),
    countryCode: field.optional(),
    locationName: field.optional(),
  }),
  trackingNumber: field.optional(),
  estimatedDelivery: field.optional(),
  /** The carrier's business unit (DHL's `express`, `parcel-de`…): picks the delivery days of a service. */
  service: field.optional(),
  /** The carrier's own status of the whole parcel, mapped by `statusMapping.parcelStatus`. */
  parcelStatus: field.optional(),
  /** How the carrier lists its events; events of the same instant keep the carrier's chronology. */
  order: z.enum(['oldestFirst', 'newestFirst']).default('oldestFirst'),
})

/** Statuses that say something else than "no such parcel" whatever the carrier. */
const RESERVED_STATUSES = [304, 401, 403, 429]

export const NOT_FOUND_SCHEMA = z.strictObject({
  // 3xx: some carrier pages redirect a number they do not know to their home page.
  httpStatus: z
    .array(
      z
        .int()
        .min(300)
        .max(499)
        .refine(
          (code) => !RESERVED_STATUSES.includes(code),
          'is reserved (304: not modified, 401/403: unauthorized, 429: rate limited)',
        ),
    )
    .optional(),
  jsonPath: z
    .strictObject({
      path: z.string().min(1),
      equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    })
    .optional(),
  selector: z.string().min(1).optional(),
  bodyPattern: DEFINITION_REGEX_SCHEMA.optional(),
})

/** The fields an extraction reads from the whole body rather than from one event. */
export const DOCUMENT_FIELDS = ['trackingNumber', 'estimatedDelivery', 'service', 'parcelStatus'] as const
export type DocumentField = (typeof DOCUMENT_FIELDS)[number]

export type FieldDefinition = z.output<typeof field>
export type ExtractionDefinition = z.output<typeof EXTRACTION_SCHEMA>
export type NotFoundDefinition = z.output<typeof NOT_FOUND_SCHEMA>
export type JsonNotFoundDefinition = NonNullable<NotFoundDefinition['jsonPath']>
