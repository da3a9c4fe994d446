import { z } from 'zod'

/** Only the fields the mapper reads; anything else Relais Colis sends is ignored. */

const optionalText = z
  .string()
  .nullish()
  .transform((text) => text?.trim() ?? '')

/** `Etape` orders events of the same instant; a number, or a numeric string from a loosely typed backend. */
const step = z
  .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)])
  .nullish()
  .transform((value) => value ?? undefined)

/** One event of one parcel: `getPackagesStatus` answers a flat array of them, parcels mixed. */
export const RELAISCOLIS_EVENT_SCHEMA = z.object({
  parcelNumber: z.string().trim().min(1),
  Date: z.string(),
  GMT: optionalText,
  CodeEVT: z.string().trim().min(1),
  CodeJUS: optionalText,
  Etape: step,
  Libelle: optionalText,
  LibelleDetaille: optionalText,
  Categorie: optionalText,
  CodeTrack: optionalText,
})

/** Enough of an event to know which parcel it belongs to, even when the rest is off-schema. */
export const RELAISCOLIS_PARCEL_ID_SCHEMA = z.object({ parcelNumber: z.string().trim().min(1) })

/**
 * The error body of the modules API (the WooCommerce plugin's `WP_Relais_Colis_Error_Response`):
 * `{"title": "An Error occurred", "status": 400, "detail": "…"}`.
 */
export const RELAISCOLIS_PROBLEM_SCHEMA = z.object({
  status: z.number().int(),
  title: z.string(),
  detail: z.string().nullish(),
})

export type RelaisColisEvent = z.output<typeof RELAISCOLIS_EVENT_SCHEMA>
export type RelaisColisProblem = z.output<typeof RELAISCOLIS_PROBLEM_SCHEMA>
