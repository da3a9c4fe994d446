import { createHash } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import type { ApiKeyIdentity, ApiKeyStore } from '../../store/api-key-store.js'
import { ApiError } from '../problem.js'
import { bearerToken } from './bearer-token.js'
import { clientAddress } from './client-address.js'
import type { AuthFailureGuard } from './rate-limit.js'

const API_KEY_CACHE_MAX = 1_000

/**
 * Verified keys are trusted for a few seconds (a revocation takes effect within `ttlMs`), which
 * saves a Redis round trip per request. Only successes are kept, under the SHA-256 of the key and the
 * client address it came from, so the cache holds no secret, a guess never lingers in it, and a key
 * is trusted from an address only once that address got past the failed-authentication limit.
 */
export function createKeyCache(ttlMs: number) {
  const cache = new Map<string, { identity: ApiKeyIdentity; until: number }>()
  const entryOf = (presented: string, address: string) =>
    `${createHash('sha256').update(presented).digest('base64')} ${address}`
  return {
    get(presented: string, address: string): ApiKeyIdentity | undefined {
      if (ttlMs <= 0) return undefined
      const hit = cache.get(entryOf(presented, address))
      return hit && hit.until > Date.now() ? hit.identity : undefined
    },
    set(presented: string, address: string, identity: ApiKeyIdentity | undefined): void {
      const entry = entryOf(presented, address)
      if (!identity || ttlMs <= 0) {
        cache.delete(entry)
        return
      }
      if (cache.size >= API_KEY_CACHE_MAX) cache.clear()
      cache.set(entry, { identity, until: Date.now() + ttlMs })
    },
    /** A revoked key (undefined: any key) is not trusted from the cache any more. */
    forget(keyId: string | undefined): void {
      for (const [entry, { identity }] of cache)
        if (keyId === undefined || identity.keyId === keyId) cache.delete(entry)
    },
  }
}

export type KeyCache = ReturnType<typeof createKeyCache>

/**
 * `Authorization: Bearer <API key>` on every /v1 route. A request that presents no key (no header,
 * another scheme, an empty bearer) gets 401 at once: it cannot confirm a guess, so it is neither
 * counted nor refused by the failed-authentication guard. A presented key: an address known to be
 * blocked gets 429 first; a key not trusted from the cache is only checked once Redis says the address
 * is not blocked (a right key included, so a guess cannot be confirmed); a wrong key counts as a
 * failure. A cached key from the same address costs no Redis call at all.
 */
export function authenticateApiKey(deps: {
  verify: ApiKeyStore['verify']
  cache: KeyCache
  guard?: AuthFailureGuard
  trustProxy: boolean
}): MiddlewareHandler<{ Variables: { merchantId: string; apiKeyId: string } }> {
  const { verify, cache, guard } = deps
  const unauthorized = () =>
    new ApiError('unauthorized', 'send your API key as "Authorization: Bearer <key>"')
  return async (c: Context, next) => {
    const key = bearerToken(c.req.header('authorization'))
    if (!key) throw unauthorized()
    const address = clientAddress(c, deps.trustProxy)
    const known = guard?.knownRefusal(c, address)
    if (known) return known
    let identity = cache.get(key, address)
    if (!identity) {
      const refused = await guard?.refusal(c, address)
      if (refused) return refused
      identity = await verify(key)
      cache.set(key, address, identity)
    }
    if (!identity) {
      await guard?.fail(address)
      throw unauthorized()
    }
    c.set('merchantId', identity.merchantId)
    c.set('apiKeyId', identity.keyId)
    await next()
  }
}
