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
})

export const NOT_FOUND_SCHEMA = z.strictObject({
  httpStatus: z
    .array(
      z
        .int()
        .min(400)
        .max(499)
        .refine(
          (code) => ![401, 403, 429].includes(code),
          'is reserved (401/403: unauthorized, 429: rate limited)',
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

export type FieldDefinition = z.output<typeof field>
export type ExtractionDefinition = z.output<typeof EXTRACTION_SCHEMA>
export type NotFoundDefinition = z.output<typeof NOT_FOUND_SCHEMA>
export type JsonNotFoundDefinition = NonNullable<NotFoundDefinition['jsonPath']>
