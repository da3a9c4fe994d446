import { z } from 'zod'
import type { CarrierError } from '../contract.js'

/**
 * Only the fields the mapper reads, as the texts the XML or HTML reader extracts: `undefined` for an
 * absent element. Texts are trimmed, inner runs of white space made one space.
 */
const optionalText = z
  .string()
  .optional()
  .transform((text) => text?.replace(/\s+/g, ' ').trim() || undefined)

const requiredText = z
  .string()
  .transform((text) => text.replace(/\s+/g, ' ').trim())
  .pipe(z.string().min(1))

/** Webtrace_Service `clsTrace` (Webtrace_Service.xsd): `StatusNumber` is a required `xs:int`. */
export const DPD_SOAP_TRACE_SCHEMA = z.object({
  ScanDate: requiredText,
  ScanTime: optionalText,
  StatusNumber: z
    .string()
    .trim()
    .regex(/^[+-]?\d{1,9}$/)
    .transform((text) => String(Number(text))),
  StatusDescription: optionalText,
  CenterName: optionalText,
  CenterNumber: optionalText,
  RelaisId: optionalText,
  RelaisName: optionalText,
})

/** One `#tableTrace` row of trace.dpd.fr: `dd/MM/yyyy` | `HH:mm` | wording | depot or centre. */
export const DPD_PAGE_ROW_SCHEMA = z.object({
  date: requiredText.pipe(z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/)),
  time: requiredText.pipe(z.string().regex(/^\d{1,2}[:h]\d{2}$/)),
  description: requiredText,
  place: optionalText,
  /** `data-sort`: the same instant in Unix seconds, when the row has it. */
  sort: optionalText.pipe(
    z
      .string()
      .regex(/^\d{9,11}$/)
      .transform(Number)
      .optional(),
  ),
})

export type DpdSoapTrace = z.output<typeof DPD_SOAP_TRACE_SCHEMA>
export type DpdPageRow = z.output<typeof DPD_PAGE_ROW_SCHEMA>

/** A DPD event as either source gives it, before any interpretation. */
export interface DpdRawEvent {
  /** Webtrace_Service `StatusNumber`; the page shows no code. */
  statusNumber?: string
  description: string
  /** `yyyy-MM-dd`, `dd/MM/yyyy` or `dd.MM.yyyy`, possibly with a time. */
  date: string
  time?: string
  /** The same instant in Unix seconds (the page's `data-sort`). */
  epochSeconds?: number
  /** Depot, sorting centre or pickup point as DPD names it. */
  place?: string
  centerNumber?: string
  pickupPoint?: { id?: string; name?: string }
}

/** What DPD said about one parcel: its events, or that parcel's own error. */
export type DpdAnswer = { trackingNumber?: string } & (
  | { events: DpdRawEvent[]; estimatedDelivery?: string }
  | { error: CarrierError }
)
