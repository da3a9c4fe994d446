import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisMerchantSettingsStore } from '../../../src/store/redis/redis-merchant-settings-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import {
  ALL_BYTES,
  BRANDING,
  runMerchantSettingsStoreContract,
  sha256Of,
  T0,
} from '../merchant-settings-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

for (const shards of [1, 8]) {
  runMerchantSettingsStoreContract(`redis merchant-settings store, ${shards} shard(s)`, () =>
    createRedisMerchantSettingsStore(redis, uniquePrefix('merchant-settings-contract'), shards),
  )
}

function freshStore(name: string) {
  const prefix = uniquePrefix(`merchant-settings-${name}`)
  return { store: createRedisMerchantSettingsStore(redis, prefix), keys: createRedisKeys(prefix), prefix }
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await redis.keys(`${prefix}:*`)).sort()
}

describe('redis merchant-settings store: keys', () => {
  it('keeps the settings as one document and the logo as its bytes under their hash', async () => {
    const { store, keys, prefix } = freshStore('layout')
    await store.putBranding('shop-a', BRANDING, T0)
    await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)
    const sha256 = sha256Of(ALL_BYTES)
    expect(await keysUnder(prefix)).toEqual(
      [keys.merchantSettings('shop-a'), keys.merchantLogo('shop-a', sha256)].sort(),
    )
    expect((await redis.getBuffer(keys.merchantLogo('shop-a', sha256)))?.equals(Buffer.from(ALL_BYTES))).toBe(
      true,
    )
  })

  it('deletes the bytes of a replaced or removed logo, leaving none behind', async () => {
    const { store, keys, prefix } = freshStore('replaced')
    await store.putBranding('shop-a', BRANDING, T0)
    await store.putLogo('shop-a', Uint8Array.from([1]), 'image/png', T0)
    await store.putLogo('shop-a', Uint8Array.from([2]), 'image/png', T0)
    expect(await keysUnder(prefix)).toEqual(
      [keys.merchantSettings('shop-a'), keys.merchantLogo('shop-a', sha256Of(Uint8Array.from([2])))].sort(),
    )
    await store.deleteLogo('shop-a', T0)
    expect(await keysUnder(prefix)).toEqual([keys.merchantSettings('shop-a')])
  })

  it('leaves no bytes behind when many logos race', async () => {
    const { store, prefix } = freshStore('race')
    await store.putBranding('shop-a', BRANDING, T0)
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.putLogo('shop-a', Uint8Array.from([index]), 'image/png', T0),
      ),
    )
    expect(await keysUnder(prefix)).toHaveLength(2)
  })

  it("keeps a merchant's settings and logos under a hash tag of its own when sharded", async () => {
    const prefix = uniquePrefix('merchant-settings-sharded')
    const keys = createRedisKeys(prefix, 8)
    const store = createRedisMerchantSettingsStore(redis, prefix, 8)
    await store.putBranding('shop-a', BRANDING, T0)
    await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)
    await store.putBranding('shop-b', BRANDING, T0)
    expect((await redis.keys(`{${prefix}:m:*`)).sort()).toEqual(
      [
        keys.merchantSettings('shop-a'),
        keys.merchantLogo('shop-a', sha256Of(ALL_BYTES)),
        keys.merchantSettings('shop-b'),
      ].sort(),
    )
    expect(keys.merchantSettings('shop-a')).toBe(`{${prefix}:m:shop-a}:settings`)
    expect(keys.merchantLogo('shop-a', 'f00')).toBe(`{${prefix}:m:shop-a}:logo:f00`)
  })

  it('does not serve bytes the settings no longer name, should any be left', async () => {
    const { store, keys } = freshStore('stray')
    await store.putBranding('shop-a', BRANDING, T0)
    const stray = sha256Of(Uint8Array.from([9]))
    await redis.set(keys.merchantLogo('shop-a', stray), Buffer.from([9]))
    expect(await store.getLogo('shop-a', stray)).toBeUndefined()
  })
})
