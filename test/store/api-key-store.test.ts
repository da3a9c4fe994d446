import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeyStore, watchApiKeyRevocations } from '../../src/store/api-key-store.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { eventually } from '../support/harness.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'
import {
  INVALID_MERCHANTS,
  runApiKeyStoreContract,
  splitKey,
  UNKNOWN_KEY_IDS,
} from './api-key-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

function freshStore(name: string) {
  const prefix = uniquePrefix(`apikeys-${name}`)
  return { apiKeys: createApiKeyStore(redis, prefix), keys: createRedisKeys(prefix), prefix }
}

/** Every string Redis holds under a prefix: key names, hash fields and values, set members. */
async function everythingUnder(prefix: string): Promise<string[]> {
  const found: string[] = []
  let cursor = '0'
  do {
    const [next, names] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    for (const name of names) {
      found.push(name)
      const type = await redis.type(name)
      if (type === 'hash') found.push(...Object.entries(await redis.hgetall(name)).flat())
      else if (type === 'set') found.push(...(await redis.smembers(name)))
      else if (type === 'string') found.push((await redis.get(name)) ?? '')
      else throw new Error(`unexpected ${type} at ${name}`)
    }
  } while (cursor !== '0')
  return found
}

for (const shards of [1, 8]) {
  runApiKeyStoreContract(`redis API-key store, ${shards} shard(s)`, () =>
    createApiKeyStore(redis, uniquePrefix('apikeys-contract'), shards),
  )
}

describe('redis API-key store: create', () => {
  it('keeps only the SHA-256 of the secret in Redis, never the secret or the key', async () => {
    const { apiKeys, keys, prefix } = freshStore('create-hash')
    const created = await apiKeys.create('shop-a')
    const { keyId, secret } = splitKey(created.key)

    const record = await redis.hgetall(keys.apiKey(keyId))
    expect(record).toEqual({
      merchantId: 'shop-a',
      secretSha256: createHash('sha256').update(secret).digest('hex'),
      createdAt: created.createdAt,
    })
    expect(await redis.smembers(keys.merchantApiKeys('shop-a'))).toEqual([keyId])

    const stored = await everythingUnder(prefix)
    expect(stored.length).toBeGreaterThan(0)
    const base64Secret = Buffer.from(secret, 'base64url').toString('base64')
    const hexSecret = Buffer.from(secret, 'base64url').toString('hex')
    for (const value of stored) {
      expect(value).not.toContain(secret)
      expect(value).not.toContain(base64Secret.slice(0, 40))
      expect(value).not.toContain(hexSecret)
    }
  })

  it('lists every key of a merchant, so one can be rotated without downtime', async () => {
    const { apiKeys, keys } = freshStore('create-rotation')
    const first = await apiKeys.create('shop-a')
    const second = await apiKeys.create('shop-a')
    expect((await redis.smembers(keys.merchantApiKeys('shop-a'))).sort()).toEqual(
      [first.keyId, second.keyId].sort(),
    )
    expect(await apiKeys.verify(first.key)).toEqual({ keyId: first.keyId, merchantId: 'shop-a' })
    expect(await apiKeys.verify(second.key)).toEqual({ keyId: second.keyId, merchantId: 'shop-a' })
  })

  it.each(INVALID_MERCHANTS)('writes nothing for %s as a merchant name', async (_name, merchantId) => {
    const { apiKeys, prefix } = freshStore('create-invalid')
    await expect(apiKeys.create(merchantId)).rejects.toThrow(/merchant names/)
    expect(await everythingUnder(prefix)).toEqual([])
  })
})

describe('redis API-key store: verify', () => {
  it('rejects a key created under another prefix (another deployment)', async () => {
    const other = freshStore('verify-other-prefix')
    const created = await other.apiKeys.create('shop-a')
    const { apiKeys } = freshStore('verify-prefix')
    expect(await apiKeys.verify(created.key)).toBeUndefined()
  })

  it('rejects a key whose record was revoked', async () => {
    const { apiKeys, keys } = freshStore('verify-revoked')
    const created = await apiKeys.create('shop-a')
    const kept = await apiKeys.create('shop-a')
    await redis.hset(keys.apiKey(created.keyId), 'revokedAt', new Date().toISOString())
    expect(await apiKeys.verify(created.key)).toBeUndefined()
    expect(await apiKeys.verify(kept.key)).toEqual({ keyId: kept.keyId, merchantId: 'shop-a' })
  })

  it('rejects a key whose record lost its merchant', async () => {
    const { apiKeys, keys } = freshStore('verify-no-merchant')
    const created = await apiKeys.create('shop-a')
    await redis.hdel(keys.apiKey(created.keyId), 'merchantId')
    expect(await apiKeys.verify(created.key)).toBeUndefined()
  })
})

describe('redis API-key store: revoke', () => {
  it.each(UNKNOWN_KEY_IDS)('answers undefined for %s and writes nothing', async (_name, keyId) => {
    const { apiKeys, prefix } = freshStore('revoke-unknown')
    expect(await apiKeys.revoke(keyId)).toBeUndefined()
    expect(await everythingUnder(prefix)).toEqual([])
  })

  it('tells every subscribed process which key was revoked', async () => {
    const { apiKeys, prefix } = freshStore('revoke-feed')
    const created = await apiKeys.create('shop-a')
    const subscriber = connectTestRedis()
    const heard: Array<string | undefined> = []
    const watch = await watchApiKeyRevocations(subscriber, prefix, (keyId) => heard.push(keyId))
    try {
      await apiKeys.revoke(created.keyId)
      await eventually(
        async () => heard,
        (keyIds) => keyIds.length > 0,
        2_000,
      )
      expect(heard).toEqual([created.keyId])
    } finally {
      await watch.stop()
      await subscriber.quit()
    }
  })
})
