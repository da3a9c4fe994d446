import { describe, expect, it } from 'vitest'
import type { ApiKeyStore } from '../../src/store/api-key-store.js'

export const KEY_FORMAT = /^colis_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/

export function splitKey(key: string): { keyId: string; secret: string } {
  const match = key.match(KEY_FORMAT)
  if (!match?.[1] || !match[2]) throw new Error(`not a colis key: ${key}`)
  return { keyId: match[1], secret: match[2] }
}

export const INVALID_MERCHANTS = [
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
  ['`all`, which analytics read as every merchant', 'all'],
] as const

export const UNKNOWN_KEY_IDS = [
  ['an unknown id', 'ZZZZZZZZZZZZ'],
  ['something that is no key id', '*'],
] as const

/**
 * What every `ApiKeyStore` does, whatever keeps its keys: run against the memory store and the Redis
 * store alike. `createStore` gives an empty store each time.
 */
export function runApiKeyStoreContract(name: string, createStore: () => ApiKeyStore) {
  describe(`${name}: create`, () => {
    it('returns a key shown once, in the colis_<12>_<43> format', async () => {
      const apiKeys = createStore()
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
      const apiKeys = createStore()
      const created = await Promise.all(Array.from({ length: 20 }, () => apiKeys.create('shop-a')))
      expect(new Set(created.map((key) => key.key)).size).toBe(20)
      expect(new Set(created.map((key) => key.keyId)).size).toBe(20)
    })

    it('keeps every key of a merchant valid, so one can be rotated without downtime', async () => {
      const apiKeys = createStore()
      const first = await apiKeys.create('shop-a')
      const second = await apiKeys.create('shop-a')
      expect((await apiKeys.list({ merchantId: 'shop-a' })).map((key) => key.keyId).sort()).toEqual(
        [first.keyId, second.keyId].sort(),
      )
      expect(await apiKeys.verify(first.key)).toEqual({ keyId: first.keyId, merchantId: 'shop-a' })
      expect(await apiKeys.verify(second.key)).toEqual({ keyId: second.keyId, merchantId: 'shop-a' })
    })

    it.each(INVALID_MERCHANTS)(
      'refuses %s as a merchant name, and keeps no key',
      async (_name, merchantId) => {
        const apiKeys = createStore()
        await expect(apiKeys.create(merchantId)).rejects.toThrow(/merchant names/)
        expect(await apiKeys.list()).toEqual([])
      },
    )

    it.each([['a'], ['shop-a'], ['shop_a.2'], ['A'.repeat(64)]])(
      'accepts %s as a merchant name',
      async (name) => {
        const apiKeys = createStore()
        const created = await apiKeys.create(name)
        expect(await apiKeys.verify(created.key)).toEqual({ keyId: created.keyId, merchantId: name })
      },
    )
  })

  describe(`${name}: verify`, () => {
    it('accepts the key it gave out and names its merchant', async () => {
      const apiKeys = createStore()
      const created = await apiKeys.create('shop-a')
      expect(await apiKeys.verify(created.key)).toEqual({ keyId: created.keyId, merchantId: 'shop-a' })
    })

    it('rejects a tampered secret', async () => {
      const apiKeys = createStore()
      const created = await apiKeys.create('shop-a')
      const { keyId, secret } = splitKey(created.key)
      const flip = (char: string) => (char === 'A' ? 'B' : 'A')
      const tamperedLast = `colis_${keyId}_${secret.slice(0, -1)}${flip(secret.slice(-1))}`
      const tamperedFirst = `colis_${keyId}_${flip(secret.slice(0, 1))}${secret.slice(1)}`
      expect(await apiKeys.verify(tamperedLast)).toBeUndefined()
      expect(await apiKeys.verify(tamperedFirst)).toBeUndefined()
    })

    it("rejects another key's secret under a key id", async () => {
      const apiKeys = createStore()
      const a = splitKey((await apiKeys.create('shop-a')).key)
      const b = splitKey((await apiKeys.create('shop-b')).key)
      expect(await apiKeys.verify(`colis_${a.keyId}_${b.secret}`)).toBeUndefined()
      expect(await apiKeys.verify(`colis_${b.keyId}_${a.secret}`)).toBeUndefined()
    })

    it('rejects an unknown key id', async () => {
      const apiKeys = createStore()
      const created = await apiKeys.create('shop-a')
      const { secret } = splitKey(created.key)
      expect(await apiKeys.verify(`colis_ZZZZZZZZZZZZ_${secret}`)).toBeUndefined()
    })

    it.each([
      ['an empty string', ''],
      ['a bare prefix', 'colis_'],
      ['a UUID', '6f1c7a1e-8d36-4f35-9f2a-0b1b5f5c9e11'],
      ['a short secret', 'colis_abcdefghijkm_short'],
      ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig'],
    ])('rejects junk: %s', async (_name, presented) => {
      const apiKeys = createStore()
      expect(await apiKeys.verify(presented)).toBeUndefined()
    })

    it('rejects a real key with something around it', async () => {
      const apiKeys = createStore()
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
  })

  describe(`${name}: list`, () => {
    it('lists every key, newest first, with its label and revocation, never a secret', async () => {
      const apiKeys = createStore()
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

  describe(`${name}: revoke`, () => {
    it('revokes once (the first time stays), and the key no longer verifies', async () => {
      const apiKeys = createStore()
      const created = await apiKeys.create('shop-a')
      const first = await apiKeys.revoke(created.keyId, new Date('2026-03-03T10:00:00.000Z'))
      expect(first).toMatchObject({ keyId: created.keyId, revokedAt: '2026-03-03T10:00:00.000Z' })
      expect(await apiKeys.revoke(created.keyId, new Date('2026-03-04T10:00:00.000Z'))).toEqual(first)
      expect(await apiKeys.verify(created.key)).toBeUndefined()
    })

    it.each(UNKNOWN_KEY_IDS)('answers undefined for %s', async (_name, keyId) => {
      const apiKeys = createStore()
      expect(await apiKeys.revoke(keyId)).toBeUndefined()
      expect(await apiKeys.list()).toEqual([])
    })
  })

  describe(`${name}: isActive`, () => {
    it('holds for a key given out, and no longer once it is revoked', async () => {
      const apiKeys = createStore()
      const created = await apiKeys.create('shop-a')
      const other = await apiKeys.create('shop-a')
      expect(await apiKeys.isActive(created.keyId)).toBe(true)
      await apiKeys.revoke(created.keyId)
      expect(await apiKeys.isActive(created.keyId)).toBe(false)
      expect(await apiKeys.isActive(other.keyId)).toBe(true)
    })

    it.each(UNKNOWN_KEY_IDS)('does not hold for %s', async (_name, keyId) => {
      const apiKeys = createStore()
      await apiKeys.create('shop-a')
      expect(await apiKeys.isActive(keyId)).toBe(false)
    })
  })
}
