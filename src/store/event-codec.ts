import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { TrackingEvent } from '../domain/tracking-event.js'

/**
 * How a timeline is stored in the tracking hash's `events` field.
 *
 * - Short timelines (and the empty timeline `[]` written at registration): JSON text, starting with `[`.
 * - Tag 0x01: the JSON text, raw deflate (RFC 1951) with the preset dictionary `DICTIONARY`, which
 *   names no carrier.
 *
 * Deflated, a long timeline takes a fraction of its JSON size; timelines are most of a tracking's memory.
 * Every format is read forever; writes use the newest. NEVER edit a dictionary once released: a
 * stored value can only be inflated with the exact bytes it was deflated with. A better dictionary is
 * a new tag next to these.
 */
const TAG_DEFLATE = 0x01

/**
 * Timelines shorter than this (about 7 events of 200 bytes) stay JSON: young parcels are polled most, and
 * inflating and deflating them (a zlib handle per call) on every poll that finds a new scan costs more
 * CPU than the few hundred bytes it saves; a tracking still fits the memory bound of BENCHMARKS.md
 * figure 4 (which measures both sides of this threshold). Longer timelines are deflated.
 */
export const DEFLATE_FROM_BYTES = 1536

/**
 * Strings a timeline is likely to repeat whatever its carrier: the JSON skeleton of an event, the
 * statuses, and the French words parcel scans are written in. Deflate refers back into it as if it had
 * been sent just before the data; the most frequent strings come last (closest).
 */
const DICTIONARY = Buffer.from(
  [
    "Colis en cours de préparation chez l'expéditeur",
    "Colis pris en charge chez l'expéditeur",
    "Colis déposé par l'expéditeur",
    'Colis remis au destinataire',
    'Colis refusé par le destinataire',
    "Colis retourné à l'expéditeur",
    'Colis livré',
    "Votre colis n'a pas pu être livré. ",
    "Votre colis a quitté le pays d'expédition. ",
    'Votre colis est arrivé dans le pays de destination. ',
    'Votre colis est disponible dans votre point de retrait. ',
    'Votre colis est en cours de livraison. ',
    'Votre colis est livré. ',
    'Votre colis a été déposé dans un point de dépôt. ',
    'Votre colis a été pris en charge. ',
    'Votre colis est arrivé sur notre site de distribution ',
    'Votre colis est en cours de traitement sur notre site ',
    'Votre colis est en transit sur notre plateforme ',
    "Votre colis est en cours d'acheminement ",
    // The JSON of an event, as JSON.stringify writes a TrackingEvent (key order of the mappers).
    // Spelled out, not taken from EVENT_STATUSES: a new status must not change these bytes.
    '"status":"unknown","status":"exception","status":"returned_to_sender","status":"delivered",',
    '"status":"available_for_pickup","status":"failed_attempt","status":"out_for_delivery",',
    '"status":"info_received",',
    '"details":{"',
    '"location":{"name":"","city":"","postalCode":"","countryCode":"FR"},',
    '+01:00","status":"in_transit","code":"',
    '"},{"id":"evt_',
    '[{"id":"evt_',
    '","occurredAt":"2026-',
    '+02:00","status":"in_transit","code":"',
    '","description":"Votre colis ',
  ].join(''),
)

/**
 * Deflate settings sized for a timeline (a few KB of JSON) rather than zlib's defaults, whose large
 * window and buffers made encoding cost more in garbage collection than in compressing
 * (BENCHMARKS.md, "Timeline storage"). An 8 KB window still holds the dictionary and then the
 * timeline. Inflate reads any window up to its own (15), so values written with either setting decode
 * the same way.
 */
const DEFLATE_OPTIONS = { dictionary: DICTIONARY, windowBits: 13, memLevel: 6, chunkSize: 1024 }

export function encodeEvents(events: readonly TrackingEvent[]): Buffer {
  const json = Buffer.from(JSON.stringify(events))
  if (json.length < DEFLATE_FROM_BYTES) return json
  const deflated = deflateRawSync(json, DEFLATE_OPTIONS)
  return Buffer.concat([Buffer.of(TAG_DEFLATE), deflated])
}

/** Reads any format ever written; a missing field is an empty timeline. */
export function decodeEvents(stored: Buffer | string | null | undefined): TrackingEvent[] {
  return JSON.parse(decodeEventsJson(stored)) as TrackingEvent[]
}

/**
 * The timeline's JSON text (`JSON.stringify` of its events, as written), without parsing it: the API
 * read path splices it into the response as it is.
 */
export function decodeEventsJson(stored: Buffer | string | null | undefined): string {
  if (stored == null || stored.length === 0) return '[]'
  if (typeof stored === 'string') return stored
  const tag = stored[0]
  if (tag === TAG_DEFLATE)
    return inflateRawSync(stored.subarray(1), { dictionary: DICTIONARY }).toString('utf8')
  // JSON text (`[…]`); anything else is not a timeline this code wrote.
  if (tag === 0x5b) return stored.toString('utf8')
  throw new Error(`unknown timeline encoding (first byte 0x${tag?.toString(16).padStart(2, '0')})`)
}
