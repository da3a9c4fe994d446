import { randomBytes, timingSafeEqual } from 'node:crypto'
import { drawInShard } from './shards.js'

const PAGE_TOKEN_BYTES = 16
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * The secret of a tracking's public page: random bytes in base64url, derived from nothing a visitor
 * could know (the number, the id). It is the page's only credential.
 */
export function createPageToken(shard = 0, shards = 1): string {
  return drawInShard(() => randomBytes(PAGE_TOKEN_BYTES).toString('base64url'), BASE64URL, shard, shards)
}

/** The shape of the tokens colis gives out: anything else is answered "not found" before any store call. */
export const PAGE_TOKEN = /^[A-Za-z0-9_-]{22}$/

/** Compares a stored token with a presented one in constant time (a timing cannot reveal a prefix). */
export function samePageToken(stored: string | undefined, presented: string): boolean {
  if (stored === undefined) return false
  const a = Buffer.from(stored)
  const b = Buffer.from(presented)
  return a.length === b.length && timingSafeEqual(a, b)
}
