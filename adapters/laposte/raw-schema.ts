import { z } from 'zod'

/** Only the fields the mapper reads; anything else La Poste sends is ignored. */

const optionalText = z.string().nullish()

export const LAPOSTE_EVENT_SCHEMA = z.object({
  code: z.string().trim().min(1),
  label: optionalText,
  date: z.string(),
})

export const LAPOSTE_SHIPMENT_SCHEMA = z.object({
  idShip: z.string().trim().min(1),
  holder: z.number().nullish(),
  product: optionalText,
  isFinal: z.boolean().nullish(),
  deliveryDate: optionalText,
  estimDate: optionalText,
  event: z.array(LAPOSTE_EVENT_SCHEMA).nullish(),
})

/** One unitary answer: the whole body for one id, or one element of the 207 multi-id array. */
export const LAPOSTE_ITEM_SCHEMA = z.object({
  returnCode: z.number().int(),
  returnMessage: optionalText,
  idShip: optionalText,
  shipment: z.unknown().optional(),
})

/** Enough of an item to know which number it answers, even when the rest is off-schema. */
export const LAPOSTE_ITEM_ID_SCHEMA = z.object({
  idShip: z.string().optional(),
  shipment: z.object({ idShip: z.string() }).optional(),
})

/** The Okapi gateway's own envelope, sent before Suivi is reached. */
export const LAPOSTE_GATEWAY_ERROR_SCHEMA = z.object({
  code: z.string(),
  message: optionalText,
})

export type LaPosteEvent = z.output<typeof LAPOSTE_EVENT_SCHEMA>
export type LaPosteShipment = z.output<typeof LAPOSTE_SHIPMENT_SCHEMA>
export type LaPosteItem = z.output<typeof LAPOSTE_ITEM_SCHEMA>
