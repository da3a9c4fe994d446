import { z } from 'zod'

/**
 * Only the fields the mapper reads (TrackingServiceWS.xsd), as the element texts the XML
 * reader extracts: `undefined` for an absent element. Chronopost pads codes, zip codes and NPC with spaces.
 */

const optionalText = z
  .string()
  .optional()
  .transform((text) => text?.trim() || undefined)

export const CHRONOPOST_EVENT_SCHEMA = z.object({
  code: z.string().trim().min(1),
  eventDate: z.string().trim().min(1),
  eventLabel: optionalText,
  officeLabel: optionalText,
  zipCode: optionalText,
  infoCompList: z.array(z.object({ name: optionalText, value: optionalText })),
})

/** `resultTrackSkybillV2`: `errorCode` is an `xs:int` the XSD requires. */
export const CHRONOPOST_RESULT_SCHEMA = z.object({
  errorCode: z
    .string()
    .trim()
    .regex(/^[+-]?\d{1,9}$/)
    .transform(Number),
  errorMessage: optionalText,
  events: z.array(CHRONOPOST_EVENT_SCHEMA),
  skybillNumber: optionalText,
})

/** A SOAP 1.1 Fault: `faultcode` is a QName such as `soap:Server` or `S:Client.Authentication`. */
export const CHRONOPOST_FAULT_SCHEMA = z.object({
  faultcode: optionalText,
  faultstring: optionalText,
})

export type ChronopostEvent = z.output<typeof CHRONOPOST_EVENT_SCHEMA>
export type ChronopostResult = z.output<typeof CHRONOPOST_RESULT_SCHEMA>
export type ChronopostFault = z.output<typeof CHRONOPOST_FAULT_SCHEMA>
