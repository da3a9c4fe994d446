import { randomBytes, timingSafeEqual } from 'node:crypto'

/** 24 random bytes: 192 bits, far beyond guessing. */
const SECRET_BYTES = 24
const TOKEN = /^(trk_[A-Za-z0-9]{20})\.(ntf_[A-Za-z0-9]{20})\.([A-Za-z0-9_-]{32})$/

/** The secret part of a subscription's unsubscribe link, drawn once when it is created. */
export function createUnsubscribeSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url')
}

/**
 * The token of an unsubscribe link: it names its tracking and subscription, so that it is checked
 * against that subscription's own secret only (another parcel's token can never match).
 */
export function unsubscribeToken(trackingId: string, subscriptionId: string, secret: string): string {
  return `${trackingId}.${subscriptionId}.${secret}`
}

export function readUnsubscribeToken(
  token: string,
): { trackingId: string; subscriptionId: string; secret: string } | undefined {
  const match = TOKEN.exec(token)
  if (!match?.[1] || !match[2] || !match[3]) return undefined
  return { trackingId: match[1], subscriptionId: match[2], secret: match[3] }
}

/** Compares in constant time: the answer's timing tells nothing of how much of a guess was right. */
export function secretMatches(given: string, stored: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(stored)
  return a.length === b.length && timingSafeEqual(a, b)
}
