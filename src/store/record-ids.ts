import { randomBytes } from 'node:crypto'
import { drawInShard } from './shards.js'

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const RANDOM_LENGTH = 20

/** Unpredictable ids (OWASP API1): an id reveals nothing and cannot be guessed. */
export function createId(prefix: 'trk' | 'whk' | 'ntf'): string {
  let id = ''
  for (const byte of randomBytes(RANDOM_LENGTH)) id += BASE62[byte % 62]
  return `${prefix}_${id}`
}

/** A tracking id that hashes to `shard` of `shards` (see shards.ts): its keys live in that shard. */
export function createTrackingId(shard: number, shards: number): string {
  return drawInShard(() => createId('trk'), BASE62, shard, shards)
}

/**
 * The shapes of the ids colis gives out. Ids end up in Redis key names: anything else a client sends
 * (`trk_…:subs` names another key of that record) must be answered "not found" before any store call.
 */
export const TRACKING_ID = /^trk_[A-Za-z0-9]{20}$/
export const WEBHOOK_ENDPOINT_ID = /^whk_[A-Za-z0-9]{20}$/
export const EMAIL_SUBSCRIPTION_ID = /^ntf_[A-Za-z0-9]{20}$/
/** `dlv_<ms>x<seq>_<endpoint id>`, and `x<shard>` after the sequence with several shards. */
export const DELIVERY_ID = /^dlv_\d{1,20}x\d{1,20}(?:x\d{1,4})?_whk_[A-Za-z0-9]{20}$/

/**
 * An outbox entry (a Redis stream id, `<ms>-<seq>`) as the ids made from it carry it: `<ms>x<seq>`, and
 * `x<shard>` after it when there are several shards, since two shards' streams may give one entry id.
 */
export function outboxEntryRef(outboxEntryId: string, shard?: number): string {
  const compact = outboxEntryId.replace('-', 'x')
  return shard === undefined ? compact : `${compact}x${shard}`
}

/** A delivery is one outbox entry (of `shard`'s outbox, with several shards) sent to one endpoint. */
export function deliveryIdOf(outboxEntryId: string, endpointId: string, shard?: number): string {
  return `dlv_${outboxEntryRef(outboxEntryId, shard)}_${endpointId}`
}
