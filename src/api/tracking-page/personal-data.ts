import { boundedMemo } from './bounded-memo.js'

/**
 * Carrier wording is shown to whoever holds a tracking page's link, so a text that may name a person or
 * open a door is never shown: the page falls back to its own status wording. The test is deliberately
 * broad; dropping a harmless label costs a little detail, showing a name or a door code cannot be undone.
 */

/** Mr, Mme… followed by a word: a person's name. */
const CIVILITY =
  /(?:^|[^a-z])(?:m|mr|mrs|ms|miss|mme|mlle|monsieur|madame|mademoiselle|dr|docteur)\.?\s+[a-z]/

/** Who or where a parcel was handed to, read on the word after the verb and its article. */
const HANDOVER =
  /\b(?:remis|remise|livre|livree|delivre|delivree|distribue|distribuee|signe|signee|recu|recue|receptionne|receptionnee|retire|retiree|accepte|acceptee|delivered|left|handed|given|signed|received|collected|picked up|accepted|released)\s+(?:a|au|aux|par|chez|to|with|by)[\s:]+(?:(?:le|la|les|un|une|des|du|de|son|sa|ses|votre|vos|the|a|an|your|their)\s+|l')?([a-z0-9]*)/g

/** Words after a handover that name a role or a place, never a person. */
const ROLE_WORDS = new Set([
  'destinataire',
  'expediteur',
  'transporteur',
  'livreur',
  'client',
  'gardien',
  'gardienne',
  'concierge',
  'accueil',
  'domicile',
  'adresse',
  'point',
  'relais',
  'bureau',
  'agence',
  'consigne',
  'locker',
  'boite',
  'poste',
  'partenaire',
  'depot',
  'site',
  'plateforme',
  'entrepot',
  'hub',
  'centre',
  'guichet',
  'magasin',
  'commercant',
  'reception',
  'service',
  'douane',
  'recipient',
  'consignee',
  'addressee',
  'customer',
  'receiver',
  'sender',
  'shipper',
  'carrier',
  'courier',
  'driver',
  'agent',
  'front',
  'back',
  'door',
  'porch',
  'mailbox',
  'letterbox',
  'parcel',
  'post',
  'pickup',
  'access',
  'customs',
  'warehouse',
  'facility',
])

/** `livré à 10h30`: a time, not a person. */
const CLOCK_TIME = /^\d{1,2}h(?:\d{2})?$/

/** Door codes, signatories, floors and flats, contact details, names asked for by label. */
const PRIVATE_MARKERS = [
  /\bcodes?\s*(?:de\s*)?(?:porte|d'?acces|acces|entree|immeuble|portail|interphone|batiment|retrait)\b/,
  /\b(?:digicode|interphone|intercom|buzzer|door\s*code|access\s*code|entry\s*code|gate\s*code|key\s*code)\b/,
  /\b(?:signataire|signatory|receptionnaire|nom|name)\b/,
  /\bsignature\s*:/,
  /\b(?:en mains? propres?|signed for|signe pour)\b/,
  /\b(?:batiment|bat|etage|escalier|appartement|appart|appt|apt|apartment|flat|floor|porte)\s*[a-z]?\d/,
  /[\w.+-]+@[\w-]+\.[\w.-]+/,
  /(?:\+\d{1,3}[\s.-]?)?(?:\d[\s.-]?){9,}/,
  /\b\d+\s*(?:bis|ter)?,?\s*(?:rue|avenue|av|bd|boulevard|chemin|allee|impasse|place|route|quai|cours|square|residence|lotissement|street|st|road|rd|lane|ln|drive|way|court|ct)\b/,
]

/** Lower case, accents and curly quotes dropped, spaces collapsed: what the patterns above read. */
function normalizeForScreening(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/\s+/g, ' ')
}

/** Whether carrier wording may be shown on a page anyone with the link can read. */
export function isFreeOfPersonalData(text: string): boolean {
  const screened = normalizeForScreening(text)
  if (CIVILITY.test(screened)) return false
  if (PRIVATE_MARKERS.some((marker) => marker.test(screened))) return false
  for (const [, word] of screened.matchAll(HANDOVER)) {
    if (!word || !(ROLE_WORDS.has(word) || CLOCK_TIME.test(word))) return false
  }
  return true
}

const CONTROL_CHARACTERS = /\p{Cc}/gu

/**
 * Carrier wording fit for the page: trimmed, without control characters, at most `maxLength` characters;
 * undefined when empty or when it may carry personal data.
 */
export function shopperSafeText(text: string | undefined, maxLength: number): string | undefined {
  const cleaned = text === undefined ? undefined : screenedText(text)
  if (!cleaned) return undefined
  return cleaned.length <= maxLength ? cleaned : `${cleaned.slice(0, maxLength - 1).trimEnd()}…`
}

/**
 * Carrier wording cleaned, or undefined when it may carry personal data. A carrier repeats the same few
 * wordings on every parcel, and screening them is a large part of rendering a page: results are kept.
 */
const screenedText = boundedMemo((text) => {
  const cleaned = text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim()
  return cleaned && isFreeOfPersonalData(cleaned) ? cleaned : undefined
}, 10_000)
