import { createHash, timingSafeEqual } from 'node:crypto'

/** The token of `Authorization: Bearer <token>`; undefined for another scheme or an empty bearer. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)$/i)?.[1]
}

/**
 * The token of an `Authorization` header: `Bearer <token>`, or the password of `Basic` (what a
 * browser sends after its login prompt, for the queue dashboard). Undefined when no token can be read
 * from it: no header, another scheme, an empty bearer, Basic without a `user:password` pair.
 */
export function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined
  const bearer = bearerToken(header)
  if (bearer) return bearer
  const basic = header.match(/^Basic\s+([A-Za-z0-9+/=]+)$/i)?.[1]
  if (!basic) return undefined
  const decoded = Buffer.from(basic, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon >= 0 ? decoded.slice(colon + 1) : undefined
}

/** Constant-time comparison of digests, so neither the length nor a prefix of the token leaks. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  const same = timingSafeEqual(digest(presented ?? ''), digest(expected))
  return same && presented !== undefined
}
