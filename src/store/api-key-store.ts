import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Redis } from 'ioredis'
import { createRedisKeys } from './redis-keys.js'

export interface ApiKeyIdentity {
  keyId: string
  merchantId: string
}

export interface CreatedApiKey extends ApiKeyIdentity {
  /** The whole key: shown once, never stored. */
  key: string
  createdAt: string
}

const KEY_PATTERN = /^colis_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/
export const MERCHANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}

function randomKeyId(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  let id = ''
  for (const byte of randomBytes(12)) id += alphabet[byte % alphabet.length]
  return id
}

/**
 * API keys are `colis_<keyId>_<secret>` with a 256-bit secret. Only the SHA-256 of the secret is
 * stored (a fast hash is right for random tokens); verification compares digests in constant time.
 */
export function createApiKeyStore(redis: Redis, prefix: string) {
  const keys = createRedisKeys(prefix)
  return {
    async create(merchantId: string, now = new Date()): Promise<CreatedApiKey> {
      if (!MERCHANT_PATTERN.test(merchantId)) {
        throw new Error('merchant names are 1 to 64 letters, digits, dots, dashes or underscores')
      }
      const keyId = randomKeyId()
      const secret = randomBytes(32).toString('base64url')
      const createdAt = now.toISOString()
      await redis
        .multi()
        .hset(keys.apiKey(keyId), {
          merchantId,
          secretSha256: digest(secret).toString('hex'),
          createdAt,
        })
        .sadd(keys.merchantApiKeys(merchantId), keyId)
        .exec()
      return { keyId, merchantId, key: `colis_${keyId}_${secret}`, createdAt }
    },

    async verify(presented: string): Promise<ApiKeyIdentity | undefined> {
      const match = presented.match(KEY_PATTERN)
      if (!match?.[1] || !match[2]) return undefined
      const [merchantId, stored, revokedAt] = await redis.hmget(
        keys.apiKey(match[1]),
        'merchantId',
        'secretSha256',
        'revokedAt',
      )
      // Compare even for unknown ids, so timing does not tell which key ids exist.
      const expected = stored ? Buffer.from(stored, 'hex') : Buffer.alloc(32)
      const same = timingSafeEqual(expected, digest(match[2]))
      if (!same || !merchantId || revokedAt) return undefined
      return { keyId: match[1], merchantId }
    },
  }
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>
