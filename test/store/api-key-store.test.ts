import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeyStore, watchApiKeyRevocations } from '../../src/store/api-key-store.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { eventually } from '../support/harness.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

const KEY_FORMAT = /^colis_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/

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

function splitKey(key: string): { keyId: string; secret: string } {
  const match = key.match(KEY_FORMAT)
  if (!match?.[1] || !match[2]) throw new Error(`not a colis key: ${key}`)
  return { keyId: match[1], secret: match[2] }
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

describe('create', () => {
  it('returns a key shown once, in the colis_<12>_<43> format', async () => {
    const { apiKeys } = freshStore('create')
    const now = new Date('2026-03-27T10:00:00.000Z')
    const created = await apiKeys.create('shop-a', now)
    expect(created.key).toMatch(KEY_FORMAT)
    const { keyId, secret } = splitKey(created.key)
    expect(created).toEqual({
      keyId,
      merchantId: 'shop-a',
      key: created.key,
      createdAt: '2026-03-27T10:00:00.000Z',
    })
    // 43 base64url characters are 32 random bytes.
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32)
  })

  it('never gives out the same key twice', async () => {
    const { apiKeys } = freshStore('create-unique')
    const created = await Promise.all(Array.from({ length: 20 }, () => apiKeys.create('shop-a')))
    expect(new Set(created.map((key) => key.key)).size).toBe(20)
    expect(new Set(created.map((key) => key.keyId)).size).toBe(20)
  })

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

  it.each([
    ['an empty name', ''],
    ['a space', 'shop a'],
    ['a colon, which would reach into other Redis keys', 'shop:a'],
    ['a path', '../shop'],
    ['a leading dash', '-shop'],
    ['a leading dot', '.shop'],
    ['65 characters', 'a'.repeat(65)],
    ['a glob', 'shop*'],
    ['a newline', 'shop\n'],
    ['non-ASCII letters', 'boutique-é'],
  ])('refuses %s as a merchant name', async (_name, merchantId) => {
    const { apiKeys, prefix } = freshStore('create-invalid')
    await expect(apiKeys.create(merchantId)).rejects.toThrow(/merchant names/)
    expect(await everythingUnder(prefix)).toEqual([])
  })

  it.each([['a'], ['shop-a'], ['shop_a.2'], ['A'.repeat(64)]])(
    'accepts %s as a merchant name',
    async (name) => {
      const { apiKeys } = freshStore('create-valid')
      const created = await apiKeys.create(name)
      expect(await apiKeys.verify(created.key)).toEqual({ keyId: created.keyId, merchantId: name })
    },
  )
})

describe('verify', () => {
  it('accepts the key it gave out and names its merchant', async () => {
    const { apiKeys } = freshStore('verify')
    const created = await apiKeys.create('shop-a')
    expect(await apiKeys.verify(created.key)).toEqual({ keyId: created.keyId, merchantId: 'shop-a' })
  })

  it('rejects a tampered secret', async () => {
    const { apiKeys } = freshStore('verify-tampered')
    const created = await apiKeys.create('shop-a')
    const { keyId, secret } = splitKey(created.key)
    const flip = (char: string) => (char === 'A' ? 'B' : 'A')
    const tamperedLast = `colis_${keyId}_${secret.slice(0, -1)}${flip(secret.slice(-1))}`
    const tamperedFirst = `colis_${keyId}_${flip(secret.slice(0, 1))}${secret.slice(1)}`
    expect(await apiKeys.verify(tamperedLast)).toBeUndefined()
    expect(await apiKeys.verify(tamperedFirst)).toBeUndefined()
  })

  it("rejects another key's secret under a key id", async () => {
    const { apiKeys } = freshStore('verify-swapped')
    const a = splitKey((await apiKeys.create('shop-a')).key)
    const b = splitKey((await apiKeys.create('shop-b')).key)
    expect(await apiKeys.verify(`colis_${a.keyId}_${b.secret}`)).toBeUndefined()
    expect(await apiKeys.verify(`colis_${b.keyId}_${a.secret}`)).toBeUndefined()
  })

  it('rejects an unknown key id', async () => {
    const { apiKeys } = freshStore('verify-unknown')
    const created = await apiKeys.create('shop-a')
    const { secret } = splitKey(created.key)
    expect(await apiKeys.verify(`colis_ZZZZZZZZZZZZ_${secret}`)).toBeUndefined()
  })

  it('rejects a key created under another prefix (another deployment)', async () => {
    const other = freshStore('verify-other-prefix')
    const created = await other.apiKeys.create('shop-a')
    const { apiKeys } = freshStore('verify-prefix')
    expect(await apiKeys.verify(created.key)).toBeUndefined()
  })

  it.each([
    ['an empty string', ''],
    ['a bare prefix', 'colis_'],
    ['a UUID', '6f1c7a1e-8d36-4f35-9f2a-0b1b5f5c9e11'],
    ['a short secret', 'colis_abcdefghijkm_short'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'],
  ])('rejects junk: %s', async (_name, presented) => {
    const { apiKeys } = freshStore('verify-junk')
    expect(await apiKeys.verify(presented)).toBeUndefined()
  })

  it('rejects a real key with something around it', async () => {
    const { apiKeys } = freshStore('verify-wrapped')
    const created = await apiKeys.create('shop-a')
    for (const presented of [
      `${created.key}x`,
      `x${created.key}`,
      ` ${created.key}`,
      `${created.key}\n`,
      created.key.toUpperCase(),
      created.key.replace('colis_', 'trk_live_'),
    ]) {
      expect(await apiKeys.verify(presented), JSON.stringify(presented)).toBeUndefined()
    }
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

describe('list', () => {
  it('lists every key, newest first, with its label and revocation, never a secret', async () => {
    const { apiKeys } = freshStore('list')
    const older = await apiKeys.create('shop-a', new Date('2026-03-01T10:00:00.000Z'))
    const newer = await apiKeys.create('shop-b', new Date('2026-03-02T10:00:00.000Z'), { label: 'erp' })
    await apiKeys.revoke(older.keyId, new Date('2026-03-03T10:00:00.000Z'))
    expect(await apiKeys.list()).toEqual([
      { keyId: newer.keyId, merchantId: 'shop-b', createdAt: '2026-03-02T10:00:00.000Z', label: 'erp' },
      {
        keyId: older.keyId,
        merchantId: 'shop-a',
        createdAt: '2026-03-01T10:00:00.000Z',
        revokedAt: '2026-03-03T10:00:00.000Z',
      },
    ])
    expect((await apiKeys.list({ merchantId: 'shop-b' })).map((key) => key.keyId)).toEqual([newer.keyId])
    expect(await apiKeys.list({ merchantId: 'shop-nobody' })).toEqual([])
  })
})

describe('revoke', () => {
  it('revokes once (the first time stays), and the key no longer verifies', async () => {
    const { apiKeys } = freshStore('revoke')
    const created = await apiKeys.create('shop-a')
    const first = await apiKeys.revoke(created.keyId, new Date('2026-03-03T10:00:00.000Z'))
    expect(first).toMatchObject({ keyId: created.keyId, revokedAt: '2026-03-03T10:00:00.000Z' })
    expect(await apiKeys.revoke(created.keyId, new Date('2026-03-04T10:00:00.000Z'))).toEqual(first)
    expect(await apiKeys.verify(created.key)).toBeUndefined()
  })

  it.each([
    ['an unknown id', 'ZZZZZZZZZZZZ'],
    ['something that is no key id', '*'],
  ])('answers undefined for %s and writes nothing', async (_name, keyId) => {
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
