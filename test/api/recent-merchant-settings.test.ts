import { describe, expect, it } from 'vitest'
import { keepRecentMerchantSettings } from '../../src/api/recent-merchant-settings.js'
import { createMemoryMerchantSettingsStore } from '../../src/store/memory/memory-merchant-settings-store.js'
import type { MerchantSettingsStore } from '../../src/store/merchant-settings-store.js'
import { runMerchantSettingsStoreContract } from '../store/merchant-settings-store-contract.js'

const TTL_MS = 5_000
const BRANDING = { displayName: 'Maison Lumière', showOrderId: false }

/** A store that counts its reads, and whose reads can be held until released. */
function countingStore() {
  const store = createMemoryMerchantSettingsStore()
  let reads = 0
  let held: Promise<void> | undefined
  const counted: MerchantSettingsStore = {
    ...store,
    async get(merchantId) {
      reads++
      const settings = await store.get(merchantId)
      await held
      return settings
    },
  }
  return {
    store,
    counted,
    reads: () => reads,
    hold() {
      let release = () => {}
      held = new Promise((resolve) => {
        release = resolve
      })
      return () => {
        held = undefined
        release()
      }
    },
  }
}

function clock() {
  let nowMs = 0
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) }
}

// Whatever it keeps, the wrapped store answers as any merchant-settings store.
runMerchantSettingsStoreContract('merchant settings kept recent', () =>
  keepRecentMerchantSettings(createMemoryMerchantSettingsStore(), TTL_MS),
)

describe('merchant settings kept recent', () => {
  it('asks the store once per merchant while a read is recent, then again', async () => {
    const { counted, reads } = countingStore()
    const time = clock()
    const recent = keepRecentMerchantSettings(counted, TTL_MS, time.now)
    await recent.get('shop-a')
    await recent.get('shop-a')
    await recent.get('shop-b')
    expect(reads()).toBe(2)
    time.advance(TTL_MS)
    await recent.get('shop-a')
    expect(reads()).toBe(3)
  })

  it('shows a change made through it at once, one made elsewhere once its read is no longer recent', async () => {
    const { store, counted } = countingStore()
    const time = clock()
    const recent = keepRecentMerchantSettings(counted, TTL_MS, time.now)
    expect(await recent.get('shop-a')).toBeUndefined()
    await recent.putBranding('shop-a', BRANDING)
    expect((await recent.get('shop-a'))?.branding?.displayName).toBe('Maison Lumière')
    await store.putBranding('shop-a', { ...BRANDING, displayName: 'Lumière & Fils' })
    expect((await recent.get('shop-a'))?.branding?.displayName).toBe('Maison Lumière')
    time.advance(TTL_MS)
    expect((await recent.get('shop-a'))?.branding?.displayName).toBe('Lumière & Fils')
  })

  it('does not keep what a read found when a change went through while it ran', async () => {
    const { counted, hold } = countingStore()
    const recent = keepRecentMerchantSettings(counted, TTL_MS, clock().now)
    const release = hold()
    const reading = recent.get('shop-a')
    await recent.putWithdrawalDays('shop-a', 30)
    release()
    expect(await reading).toBeUndefined()
    expect((await recent.get('shop-a'))?.withdrawalDays).toBe(30)
  })

  it('keeps nothing with a time of 0', async () => {
    const { counted, reads } = countingStore()
    const recent = keepRecentMerchantSettings(counted, 0)
    await recent.get('shop-a')
    await recent.get('shop-a')
    expect(reads()).toBe(2)
  })
})
