import type { EventStatus } from '../../src/domain/tracking-status.js'
import { foldAccents } from '../generic/map-status.js'

/**
 * DPD France sends no usable event code: the page shows none, and Webtrace_Service's `StatusNumber`
 * values are not published. The status comes from the wording, compared in its folded form (lower
 * case, no accents, punctuation as spaces: "l´expéditeur." → "l expediteur"), and the first pattern that
 * matches wins, so the order matters: returns, then incidents, then pickup points, then the rest.
 * docs/carriers/dpd.md lists each pattern with its source; those marked `assumed` were not seen in a
 * captured answer.
 */
export const DPD_STATUS_PATTERNS = [
  // Returns first: "votre colis sera retourné à l'expéditeur" also holds "colis" and a future tense.
  {
    pattern: /\bretournee? a l expediteur\b|\bretour expediteur\b|\breturn(ed)? to (the )?sender\b/,
    status: 'returned_to_sender',
  },
  { pattern: /\breclamation\b|\benquete\b|\bendommagee?\b|\bdamaged\b/, status: 'exception' },
  // Collected at the pickup point (assumed wording).
  {
    pattern:
      /\b(a ete|est) retiree?\b|\bcolis retire\b|\b(collected|picked up) by (the )?(recipient|consignee)\b/,
    status: 'delivered',
  },
  // A date announced (Predict) is no delivery yet, whatever verb follows.
  {
    pattern: /\bpredict vous informe\b|\bsera (livree?|deposee?|disponible|remise?)\b|\bwill be delivered\b/,
    status: 'in_transit',
  },
  // At a pickup point or depot counter, waiting for the recipient (assumed wording).
  {
    pattern:
      /\bdisponible\b.*\b(relais|pickup|point|agence|retrait)\b|\ben attente de retrait\b|\b(deposee?|livree?|arrivee?) (dans|en|au|a) (votre |le |un |une )?(relais|point relais|pickup)\b|\b(available|ready) for (collection|pickup)\b/,
    status: 'available_for_pickup',
  },
  // "retard" as a failed attempt follows the report's source; the others are assumed wording.
  {
    pattern:
      /\bretard\b|\babsent\b|\bavis de passage\b|\bn a pas pu etre livree?\b|\bnon livree?\b|\bnot delivered\b|\bdelivery attempt\b|\bunsuccessful\b/,
    status: 'failed_attempt',
  },
  {
    pattern: /\bvotre colis est livre\b|\bcolis livre\b|\ba ete livree?\b|\bdelivered\b/,
    status: 'delivered',
  },
  { pattern: /\ben cours de livraison\b|\ben livraison\b|\bout for delivery\b/, status: 'out_for_delivery' },
  {
    pattern: /\ben preparation\b|\b(donnees|informations?) .*recues?\b|\bdata received\b/,
    status: 'info_received',
  },
  {
    pattern:
      /\barrivee? en france\b|\ben transit\b|\bagence\b|\bcentre de tri\b|\bpris en charge\b|\ben cours d acheminement\b|\bpicked up by (the )?driver\b|\bin transit\b|\b(hub|depot)\b/,
    status: 'in_transit',
  },
] as const satisfies ReadonlyArray<{ pattern: RegExp; status: EventStatus }>

/** Lower case, without accents, every run of other characters than letters and digits one space. */
export function foldDpdWording(text: string): string {
  return foldAccents(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

/** The status DPD's wording says; undefined when no pattern knows it. */
export function findDpdStatus(description: string): EventStatus | undefined {
  const folded = foldDpdWording(description)
  return DPD_STATUS_PATTERNS.find(({ pattern }) => pattern.test(folded))?.status
}
