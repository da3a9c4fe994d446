import type { EventStatus } from '../../src/domain/tracking-status.js'
import { foldAccents } from '../generic/map-status.js'

/**
 * Mondial Relay's tracing events carry no code, only a label (upper-case French, Spanish or English,
 * Spanish ones cut at 30 characters). Mondial Relay publishes no list: these patterns cover the labels
 * seen in public answers and clients (docs/carriers/mondialrelay.md, "Event labels"). They are tried in
 * order on the label folded to upper case without accents; the first match wins. A return outranks
 * any delivery wording: "RETOUR … LIVRÉ À L'EXPÉDITEUR" is a return.
 */
export const MONDIALRELAY_LABEL_PATTERNS: ReadonlyArray<{ pattern: RegExp; status: EventStatus }> = [
  { pattern: /\bRETOUR\b|\bDEVOLU|\bRETURN/, status: 'returned_to_sender' },
  { pattern: /\bDISPONIBLE\b|\bRECEPCIONADO EN EL PUNTO PACK/, status: 'available_for_pickup' },
  { pattern: /\bREMIS AU LIVREUR\b|\bEN REPARTO\b/, status: 'out_for_delivery' },
  {
    pattern: /\bLIVRE\b|\bENTREGAD|\bENTREGA A DOMICILIO\b|\bLIQUIDADO\b|\bDELIVERY AT PICK ?UP POINT\b/,
    status: 'delivered',
  },
  {
    pattern:
      /\bPRISE? EN CHARGE\b|\bREMIS A MONDIAL RELAY\b|\bEN COURS D.ACHEMINEMENT\b|\bEN TRAITEMENT\b|\bRECOGIDO\b|\bREC(?:IE|EI)VED IN AGENCY\b/,
    status: 'in_transit',
  },
  { pattern: /\bRECEPTION DES DONNEES\b|\bEN PREPARATION\b|\bDATA RECEPTION\b/, status: 'info_received' },
]

/** The status a label's wording gives, or undefined when no pattern knows it. */
export function findLabelStatus(label: string): EventStatus | undefined {
  const folded = foldAccents(label).toUpperCase()
  return MONDIALRELAY_LABEL_PATTERNS.find(({ pattern }) => pattern.test(folded))?.status
}
