import type { CarrierErrorKind } from '../../src/domain/carrier-error-kind.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'

/**
 * What a `STAT` return code means for a tracing call: an answer whose events are read (with the
 * parcel-level state it gives, if any), or an error kind. Every code of Mondial Relay's STAT table is
 * listed (docs/carriers/mondialrelay.md, "STAT codes"); a code missing here is an answer colis cannot read.
 */
export type StatMeaning =
  | { answer: 'tracing'; code?: ParcelStateCode }
  | { answer: 'error'; kind: CarrierErrorKind; meaning: string }

/** The event code a parcel-level state is kept under, so that the timeline can be re-mapped from it. */
export type ParcelStateCode = `STAT_${80 | 81 | 82 | 83 | 84 | 85 | 86 | 87 | 88 | 89}`

/** The status each parcel-level state stands for; 84–89 are reserved by Mondial Relay, so unknown. */
export const MONDIALRELAY_STATUS_BY_CODE = {
  STAT_80: 'info_received',
  STAT_81: 'in_transit',
  STAT_82: 'delivered',
  STAT_83: 'exception',
  STAT_84: 'unknown',
  STAT_85: 'unknown',
  STAT_86: 'unknown',
  STAT_87: 'unknown',
  STAT_88: 'unknown',
  STAT_89: 'unknown',
} as const satisfies Record<ParcelStateCode, EventStatus>

/** The wording of a parcel-level state when the answer gives no summary of its own. */
export const PARCEL_STATE_WORDING: Record<ParcelStateCode, string> = {
  STAT_80: 'Colis enregistré',
  STAT_81: 'Colis en traitement chez Mondial Relay',
  STAT_82: 'Colis livré',
  STAT_83: 'Anomalie',
  STAT_84: 'Code tracing réservé 84',
  STAT_85: 'Code tracing réservé 85',
  STAT_86: 'Code tracing réservé 86',
  STAT_87: 'Code tracing réservé 87',
  STAT_88: 'Code tracing réservé 88',
  STAT_89: 'Code tracing réservé 89',
}

const error = (kind: CarrierErrorKind, meaning: string): StatMeaning => ({ answer: 'error', kind, meaning })
/** Codes of the shipment and label operations: a tracing call never expects them. */
const notForTracing = (meaning: string) => error('unexpected_response', meaning)
/** colis sends only well-formed 8-digit numbers: Mondial Relay not knowing one is "not scanned yet". */
const unknownNumber = (meaning: string) => error('not_found', meaning)
const ourCredentials = (meaning: string) => error('unauthorized', meaning)

export const STAT_MEANINGS: Readonly<Record<string, StatMeaning>> = {
  '0': { answer: 'tracing' },
  '1': ourCredentials('Enseigne invalide'),
  '2': ourCredentials("Numéro d'enseigne vide ou inexistant"),
  '3': ourCredentials('Numéro de compte enseigne invalide'),
  '5': notForTracing('Numéro de dossier enseigne invalide'),
  '7': notForTracing('Numéro de client enseigne invalide'),
  '8': ourCredentials('Incorrect password or hash'),
  '9': notForTracing('Nom de ville non reconnu ou non unique'),
  '10': notForTracing('Type de collecte invalide ou incorrect'),
  '11': notForTracing('Numéro de Point Relais de collecte invalide'),
  '12': notForTracing('Pays du Point Relais de collecte invalide'),
  '13': notForTracing('Type de livraison invalide ou incorrect'),
  '14': notForTracing('Numéro du Point Relais de livraison invalide'),
  '15': notForTracing('Pays du Point Relais de livraison invalide'),
  '16': notForTracing('Code pays invalide'),
  '17': notForTracing('Adresse invalide'),
  '18': notForTracing('Ville invalide'),
  '19': notForTracing('Code postal invalide'),
  '20': notForTracing('Poids du colis invalide'),
  '21': notForTracing('Taille (Longueur + Hauteur) du colis invalide'),
  '22': notForTracing('Taille du Colis invalide'),
  '24': unknownNumber('Numéro de Colis Mondial Relay invalide'),
  '26': notForTracing('Incorrect assembly time'),
  '27': notForTracing('Incorrect mode of collection or delivery'),
  '28': notForTracing('Incorrect mode of collection'),
  '29': notForTracing('Mode de livraison invalide'),
  '30': notForTracing("Adresse (L1) de l'expéditeur invalide"),
  '31': notForTracing("Adresse (L2) de l'expéditeur invalide"),
  '33': notForTracing("Adresse (L3) de l'expéditeur invalide"),
  '34': notForTracing("Adresse (L4) de l'expéditeur invalide"),
  '35': notForTracing("Ville de l'expéditeur invalide"),
  '36': notForTracing("Code postal de l'expéditeur invalide"),
  '37': notForTracing("Pays de l'expéditeur invalide"),
  '38': notForTracing("Numéro de téléphone de l'expéditeur invalide"),
  '39': notForTracing("Adresse e-mail de l'expéditeur invalide"),
  '40': notForTracing('Action impossible sans ville ni code postal'),
  '41': notForTracing('Mode de livraison invalide'),
  '42': notForTracing('Montant CRT invalide'),
  '43': notForTracing('Devise CRT invalide'),
  '44': notForTracing('Valeur du colis invalide'),
  '45': notForTracing('Devise de la valeur du colis invalide'),
  '46': notForTracing("Plage de numéro d'expédition épuisée"),
  '47': notForTracing('Nombre de colis invalide'),
  '48': notForTracing('Multi-colis en Point Relais Interdit'),
  '49': notForTracing('Mode de collecte ou de livraison invalide'),
  '50': notForTracing('Adresse (L1) du destinataire invalide'),
  '51': notForTracing('Adresse (L2) du destinataire invalide'),
  '53': notForTracing('Adresse (L3) du destinataire invalide'),
  '54': notForTracing('Adresse (L4) du destinataire invalide'),
  '55': notForTracing('Ville du destinataire invalide'),
  '56': notForTracing('Code postal du destinataire invalide'),
  '57': notForTracing('Pays du destinataire invalide'),
  '58': notForTracing('Numéro de téléphone du destinataire invalide'),
  '59': notForTracing('Adresse e-mail du destinataire invalide'),
  '60': notForTracing('Champ texte libre invalide'),
  '61': notForTracing('Top avisage invalide'),
  '62': notForTracing('Instruction de livraison invalide'),
  '63': notForTracing('Assurance invalide ou incorrecte'),
  '64': notForTracing('Temps de montage invalide'),
  '65': notForTracing('Top rendez-vous invalide'),
  '66': notForTracing('Top reprise invalide'),
  '67': notForTracing('Incorrect latitude'),
  '68': notForTracing('Incorrect longitude'),
  '69': notForTracing('Incorrect merchant code'),
  '70': notForTracing('Numéro de Point Relais invalide'),
  '71': notForTracing('Nature de point de vente non valide'),
  '72': notForTracing('Langue expéditeur invalide'),
  '73': notForTracing('Langue destinataire invalide'),
  // colis always sends FR: refused, the service no longer takes what colis sends.
  '74': notForTracing('Langue invalide'),
  '78': notForTracing('Incorrect country of collection'),
  '79': notForTracing('Incorrect country of delivery'),
  '80': { answer: 'tracing', code: 'STAT_80' },
  '81': { answer: 'tracing', code: 'STAT_81' },
  '82': { answer: 'tracing', code: 'STAT_82' },
  '83': { answer: 'tracing', code: 'STAT_83' },
  '84': { answer: 'tracing', code: 'STAT_84' },
  '85': { answer: 'tracing', code: 'STAT_85' },
  '86': { answer: 'tracing', code: 'STAT_86' },
  '87': { answer: 'tracing', code: 'STAT_87' },
  '88': { answer: 'tracing', code: 'STAT_88' },
  '89': { answer: 'tracing', code: 'STAT_89' },
  '90': error('unavailable', 'AS400 indisponible'),
  '91': unknownNumber("Numéro d'expédition invalide"),
  '92': notForTracing("The Point Relais country code and the consignee's country code are different"),
  '93': notForTracing('No information given by the sorting plan'),
  '94': unknownNumber('Colis Inexistant'),
  '95': ourCredentials('Compte Enseigne non activé'),
  '96': ourCredentials("Type d'enseigne incorrect en Base"),
  '97': ourCredentials('Clé de sécurité invalide'),
  '98': error('unavailable', 'Service Indisponible'),
  // Documented as a technical error, yet it is what the live service answers for an unknown number.
  '99': unknownNumber('Erreur générique du service'),
}

/** What a STAT code means, or undefined for a code outside Mondial Relay's table. */
export function findStatMeaning(stat: number): StatMeaning | undefined {
  const key = String(stat)
  return Object.hasOwn(STAT_MEANINGS, key) ? STAT_MEANINGS[key] : undefined
}
