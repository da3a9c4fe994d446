import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { BrandingFields, MerchantSettingsStore } from '../../src/store/merchant-settings-store.js'

export const T0 = new Date('2026-03-27T10:00:00.000Z')
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

export const BRANDING: BrandingFields = {
  displayName: 'Maison Lumière',
  accentColor: '#1a56db',
  supportUrl: 'https://maison-lumiere.example/aide',
  supportEmail: 'aide@maison-lumiere.example',
  showOrderId: true,
}

/** Every byte value, so that a store that keeps text instead of bytes shows it. */
export const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, index) => index)

export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/**
 * What every `MerchantSettingsStore` does, whatever keeps its documents: run against the memory store
 * and the Redis store alike. `createStore` gives an empty store each time.
 */
export function runMerchantSettingsStoreContract(name: string, createStore: () => MerchantSettingsStore) {
  describe(`${name}: branding and settings`, () => {
    it('knows nothing of a merchant that set nothing', async () => {
      const store = createStore()
      expect(await store.get('shop-a')).toBeUndefined()
      expect(await store.getLogo('shop-a', sha256Of(ALL_BYTES))).toBeUndefined()
    })

    it('keeps the branding as given, with when it changed', async () => {
      const store = createStore()
      const saved = await store.putBranding('shop-a', BRANDING, T0)
      expect(saved).toEqual({ branding: BRANDING, updatedAt: T0.toISOString() })
      expect(await store.get('shop-a')).toEqual(saved)
    })

    it('replaces every field of the branding, dropping the ones left out', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      await store.putBranding('shop-a', { displayName: 'Lumière', showOrderId: false }, later(1))
      expect(await store.get('shop-a')).toEqual({
        branding: { displayName: 'Lumière', showOrderId: false },
        updatedAt: later(1).toISOString(),
      })
    })

    it('keeps the withdrawal period and the branding apart: setting one leaves the other', async () => {
      const store = createStore()
      await store.putWithdrawalDays('shop-a', 30, T0)
      expect(await store.get('shop-a')).toEqual({ withdrawalDays: 30, updatedAt: T0.toISOString() })
      await store.putBranding('shop-a', BRANDING, later(1))
      expect(await store.get('shop-a')).toMatchObject({ withdrawalDays: 30, branding: BRANDING })
      await store.putWithdrawalDays('shop-a', 60, later(2))
      expect(await store.get('shop-a')).toEqual({
        branding: BRANDING,
        withdrawalDays: 60,
        updatedAt: later(2).toISOString(),
      })
    })

    it('goes back to the default withdrawal period when given none', async () => {
      const store = createStore()
      await store.putWithdrawalDays('shop-a', 30, T0)
      const cleared = await store.putWithdrawalDays('shop-a', undefined, later(1))
      expect(cleared).toEqual({ updatedAt: later(1).toISOString() })
      expect(await store.get('shop-a')).toEqual(cleared)
    })

    it('keeps each merchant to itself', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      await store.putWithdrawalDays('shop-b', 45, T0)
      expect((await store.get('shop-a'))?.withdrawalDays).toBeUndefined()
      expect((await store.get('shop-b'))?.branding).toBeUndefined()
    })

    it('gives copies: changing what it answered changes nothing stored', async () => {
      const store = createStore()
      const saved = await store.putBranding('shop-a', BRANDING, T0)
      if (saved.branding) saved.branding.displayName = 'changed'
      const read = await store.get('shop-a')
      if (read?.branding) read.branding.accentColor = '#000000'
      expect((await store.get('shop-a'))?.branding).toEqual(BRANDING)
    })

    it('does not lose a change when two are made at once', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      await Promise.all([
        store.putWithdrawalDays('shop-a', 30, later(1)),
        store.putBranding('shop-a', { ...BRANDING, displayName: 'Lumière' }, later(1)),
        store.putLogo('shop-a', ALL_BYTES, 'image/png', later(1)),
      ])
      expect(await store.get('shop-a')).toMatchObject({
        withdrawalDays: 30,
        branding: { displayName: 'Lumière', logo: { sha256: sha256Of(ALL_BYTES) } },
      })
    })
  })

  describe(`${name}: logo`, () => {
    it('stores no logo for a merchant without branding', async () => {
      const store = createStore()
      expect(await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)).toBeUndefined()
      expect(await store.get('shop-a')).toBeUndefined()
      expect(await store.getLogo('shop-a', sha256Of(ALL_BYTES))).toBeUndefined()
      await store.putWithdrawalDays('shop-a', 30, T0)
      expect(await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)).toBeUndefined()
      expect(await store.get('shop-a')).toEqual({ withdrawalDays: 30, updatedAt: T0.toISOString() })
    })

    it('keeps the bytes as they came, under their SHA-256, with their type and size', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      const saved = await store.putLogo('shop-a', ALL_BYTES, 'image/webp', later(1))
      const logo = { contentType: 'image/webp', sha256: sha256Of(ALL_BYTES), bytes: 256 }
      expect(saved).toEqual({ branding: { ...BRANDING, logo }, updatedAt: later(1).toISOString() })
      expect(await store.get('shop-a')).toEqual(saved)
      const file = await store.getLogo('shop-a', logo.sha256)
      expect(file?.contentType).toBe('image/webp')
      expect(Buffer.from(file?.bytes ?? []).equals(Buffer.from(ALL_BYTES))).toBe(true)
    })

    it('keeps the logo when the branding fields change', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)
      await store.putBranding('shop-a', { displayName: 'Lumière', showOrderId: false }, later(1))
      expect((await store.get('shop-a'))?.branding?.logo?.sha256).toBe(sha256Of(ALL_BYTES))
      expect(await store.getLogo('shop-a', sha256Of(ALL_BYTES))).toBeDefined()
    })

    it('serves only the current logo: a replaced one is gone', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      const first = Uint8Array.from([1, 2, 3])
      const second = Uint8Array.from([4, 5, 6])
      await store.putLogo('shop-a', first, 'image/png', T0)
      await store.putLogo('shop-a', second, 'image/svg+xml', later(1))
      expect(await store.getLogo('shop-a', sha256Of(first))).toBeUndefined()
      expect(await store.getLogo('shop-a', sha256Of(second))).toEqual({
        bytes: expect.anything(),
        contentType: 'image/svg+xml',
      })
    })

    it('keeps a logo uploaded again as it is', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)
      await store.putLogo('shop-a', ALL_BYTES, 'image/png', later(1))
      const file = await store.getLogo('shop-a', sha256Of(ALL_BYTES))
      expect(Buffer.from(file?.bytes ?? []).equals(Buffer.from(ALL_BYTES))).toBe(true)
    })

    it('removes the logo and its bytes, and nothing else', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)
      const removed = await store.deleteLogo('shop-a', later(1))
      expect(removed).toEqual({ branding: BRANDING, updatedAt: later(1).toISOString() })
      expect(await store.get('shop-a')).toEqual(removed)
      expect(await store.getLogo('shop-a', sha256Of(ALL_BYTES))).toBeUndefined()
      expect(await store.deleteLogo('shop-a', later(2))).toEqual(removed)
    })

    it('answers undefined to removing the logo of a merchant without branding', async () => {
      const store = createStore()
      expect(await store.deleteLogo('shop-a', T0)).toBeUndefined()
      await store.putWithdrawalDays('shop-a', 30, T0)
      expect(await store.deleteLogo('shop-a', T0)).toBeUndefined()
    })

    it("serves no merchant another's logo, even by its exact hash", async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      await store.putBranding('shop-b', BRANDING, T0)
      await store.putLogo('shop-a', ALL_BYTES, 'image/png', T0)
      expect(await store.getLogo('shop-b', sha256Of(ALL_BYTES))).toBeUndefined()
      expect(await store.getLogo('shop-a', sha256Of(ALL_BYTES))).toBeDefined()
    })

    it('ends with one logo, the last written, when two are uploaded at once', async () => {
      const store = createStore()
      await store.putBranding('shop-a', BRANDING, T0)
      const images = Array.from({ length: 5 }, (_, index) => Uint8Array.from([index, index + 1]))
      await Promise.all(images.map((image) => store.putLogo('shop-a', image, 'image/png', T0)))
      const current = (await store.get('shop-a'))?.branding?.logo?.sha256
      const served = await Promise.all(images.map((image) => store.getLogo('shop-a', sha256Of(image))))
      expect(served.filter(Boolean)).toHaveLength(1)
      expect(images.map(sha256Of)[served.findIndex(Boolean)]).toBe(current)
    })
  })
}
