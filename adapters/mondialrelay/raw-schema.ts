import { z } from 'zod'

/**
 * Only the fields the mapper reads of `ret_WSI2_TracingColisDetaille` (every element is an optional
 * string in the WSDL), as the element texts the XML reader extracts: `undefined` when absent or blank.
 */

const optionalText = z
  .string()
  .optional()
  .transform((text) => text?.trim() || undefined)

/** One `ret_WSI2_sub_TracingColisDetaille` slot; the service pads the list with empty ones. */
export const MONDIALRELAY_SLOT_SCHEMA = z.object({
  Libelle: optionalText,
  /** `dd/mm/yy` */
  Date: optionalText,
  /** `HH:MM`, Paris wall clock */
  Heure: optionalText,
  Emplacement: optionalText,
  /** The relay's number when the scan happens at a relay: 6 digits with leading zeros, kept a string. */
  Relais_Num: optionalText,
  /** That relay's country, ISO 3166 alpha-2. */
  Relais_Pays: optionalText,
})

export const MONDIALRELAY_RESULT_SCHEMA = z.object({
  STAT: z
    .string()
    .trim()
    .regex(/^\d{1,3}$/)
    .transform(Number),
  /** The current state in words ("COLIS PRIS EN CHARGE"). */
  Libelle01: optionalText,
  /** The name (or town) of the delivery relay. */
  Relais_Libelle: optionalText,
  Relais_Num: optionalText,
  Libelle02: optionalText,
  slots: z.array(MONDIALRELAY_SLOT_SCHEMA),
})

export type MondialRelaySlot = z.output<typeof MONDIALRELAY_SLOT_SCHEMA>
export type MondialRelayResult = z.output<typeof MONDIALRELAY_RESULT_SCHEMA>
