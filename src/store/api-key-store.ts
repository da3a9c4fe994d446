import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { RedisClient } from '../redis/redis-client.js'
import { createRedisKeys } from './redis/redis-keys.js'

export interface ApiKeyIdentity {
  keyId: string
  merchantId: string
}

export interface CreatedApiKey extends ApiKeyIdentity {
  /** The whole key: shown once, never stored. */
  key: string
  createdAt: string
  label?: string
}

/** What an operator sees of a key: never its secret nor its hash. */
export interface ApiKeyInfo extends ApiKeyIdentity {
  createdAt: string
  label?: string
  revokedAt?: string
}

const KEY_PATTERN = /^colis_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/
/** A merchant's name; `all` is refused: analytics read it as every merchant at once. */
export const MERCHANT_PATTERN = /^(?!all$)[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest()
}

function randomKeyId(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  let id = ''
  for (const byte of randomBytes(12)) id += alphabet[byte % alphabet.length]
  return id
}

/** What every API-key store does; only the SHA-256 of a secret is ever stored. */
export interface ApiKeyStore {
  create(merchantId: string, now?: Date, options?: { label?: string }): Promise<CreatedApiKey>
  /** Every key (of one merchant, if given), newest first, without secrets. */
  list(filter?: { merchantId?: string }): Promise<ApiKeyInfo[]>
  /** Revokes a key for good (it stays listed, with `revokedAt`). Undefined for an unknown id. */
  revoke(keyId: string, now?: Date): Promise<ApiKeyInfo | undefined>
  verify(presented: string): Promise<ApiKeyIdentity | undefined>
  /** Whether the key of that id exists and is not revoked: what a session opened with it rests on. */
  isActive(keyId: string): Promise<boolean>
}

/** A new key for a merchant: the key shown once, and the digest of its secret to store. */
export function mintApiKey(
  merchantId: string,
  now: Date,
  options: { label?: string },
): { created: CreatedApiKey; secretSha256: string } {
  if (!MERCHANT_PATTERN.test(merchantId)) {
    throw new Error('merchant names are 1 to 64 letters, digits, dots, dashes or underscores, and not `all`')
  }
  const keyId = randomKeyId()
  const secret = randomBytes(32).toString('base64url')
  return {
    created: {
      keyId,
      merchantId,
      key: `colis_${keyId}_${secret}`,
      createdAt: now.toISOString(),
      ...(options.label ? { label: options.label } : {}),
    },
    secretSha256: digest(secret).toString('hex'),
  }
}

/** The key id and secret of a presented key, if it has the shape of one. */
export function parseApiKey(presented: string): { keyId: string; secret: string } | undefined {
  const match = presented.match(KEY_PATTERN)
  if (!match?.[1] || !match[2]) return undefined
  return { keyId: match[1], secret: match[2] }
}

/** Compares digests in constant time, even for unknown ids, so timing does not tell which key ids exist. */
export function secretMatches(storedSha256: string | null | undefined, secret: string): boolean {
  const expected = storedSha256 ? Buffer.from(storedSha256, 'hex') : Buffer.alloc(32)
  return timingSafeEqual(expected, digest(secret))
}

/** The shape of a key id, checked before any lookup. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9]{12}$/

/**
 * API keys are `colis_<keyId>_<secret>` with a 256-bit secret. Only the SHA-256 of the secret is
 * stored (a fast hash is right for random tokens); verification compares digests in constant time.
 */
export function createApiKeyStore(redis: RedisClient, prefix: string, shards = 1): ApiKeyStore {
  const keys = createRedisKeys(prefix, shards)
  return {
    async create(merchantId, now = new Date(), options = {}) {
      const { created, secretSha256 } = mintApiKey(merchantId, now, options)
      const { keyId, createdAt } = created
      await redis
        .multi()
        .hset(keys.apiKey(keyId), {
          merchantId,
          secretSha256,
          createdAt,
          ...(options.label ? { label: options.label } : {}),
        })
        .sadd(keys.merchantApiKeys(merchantId), keyId)
        .sadd(keys.allApiKeys(), keyId)
        .exec()
      return created
    },

    /** Every key (of one merchant, if given), newest first, without secrets. */
    async list(filter = {}) {
      const ids = await redis.smembers(
        filter.merchantId ? keys.merchantApiKeys(filter.merchantId) : keys.allApiKeys(),
      )
      if (ids.length === 0) return []
      const pipeline = redis.pipeline()
      for (const id of ids) pipeline.hmget(keys.apiKey(id), 'merchantId', 'createdAt', 'label', 'revokedAt')
      const rows = (await pipeline.exec()) ?? []
      const found = ids.flatMap((keyId, index): ApiKeyInfo[] => {
        const [merchantId, createdAt, label, revokedAt] = (rows[index]?.[1] ?? []) as Array<string | null>
        if (!merchantId || !createdAt) return []
        return [
          { keyId, merchantId, createdAt, ...(label ? { label } : {}), ...(revokedAt ? { revokedAt } : {}) },
        ]
      })
      return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.keyId.localeCompare(b.keyId))
    },

    /**
     * Revokes a key for good (it stays listed, with `revokedAt`) and tells every API process at once
     * (pub/sub), so none keeps trusting it from its verification cache. Undefined for an unknown id.
     */
    async revoke(keyId, now = new Date()) {
      if (!KEY_ID_PATTERN.test(keyId)) return undefined
      const key = keys.apiKey(keyId)
      if (!(await redis.exists(key))) return undefined
      await redis.hsetnx(key, 'revokedAt', now.toISOString())
      await redis.publish(keys.apiKeyRevocations(), keyId)
      const [merchantId, createdAt, label, revokedAt] = await redis.hmget(
        key,
        'merchantId',
        'createdAt',
        'label',
        'revokedAt',
      )
      if (!merchantId || !createdAt) return undefined
      return {
        keyId,
        merchantId,
        createdAt,
        ...(label ? { label } : {}),
        ...(revokedAt ? { revokedAt } : {}),
      }
    },

    async verify(presented) {
      const parsed = parseApiKey(presented)
      if (!parsed) return undefined
      const [merchantId, stored, revokedAt] = await redis.hmget(
        keys.apiKey(parsed.keyId),
        'merchantId',
        'secretSha256',
        'revokedAt',
      )
      const same = secretMatches(stored, parsed.secret)
      if (!same || !merchantId || revokedAt) return undefined
      return { keyId: parsed.keyId, merchantId }
    },

    async isActive(keyId) {
      if (!KEY_ID_PATTERN.test(keyId)) return false
      const [merchantId, revokedAt] = await redis.hmget(keys.apiKey(keyId), 'merchantId', 'revokedAt')
      return merchantId !== null && revokedAt === null
    },
  }
}

/**
 * Calls `onRevoked(keyId)` for every key revoked by any process, and `onRevoked(undefined)` when the
 * subscription came back after a disconnection (revocations may have been missed meanwhile).
 * `subscriber` is a connection of its own: a subscribed connection can do nothing else.
 */
export async function watchApiKeyRevocations(
  subscriber: RedisClient,
  prefix: string,
  onRevoked: (keyId: string | undefined) => void,
  shards = 1,
): Promise<{ stop(): Promise<void> }> {
  const channel = createRedisKeys(prefix, shards).apiKeyRevocations()
  let subscribed = false
  subscriber.on('message', (from: string, keyId: string) => {
    if (from === channel) onRevoked(keyId)
  })
  // ioredis subscribes again by itself after a reconnection; what was published meanwhile is lost.
  subscriber.on('ready', () => {
    if (subscribed) onRevoked(undefined)
  })
  await subscriber.subscribe(channel)
  subscribed = true
  return {
    async stop() {
      await subscriber.unsubscribe(channel).catch(() => undefined)
    },
  }
}
