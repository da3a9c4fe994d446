import type { MerchantSettings, MerchantSettingsStore } from '../store/merchant-settings-store.js'

/** Merchants remembered at most; past it the memory starts over. */
const MAX_MERCHANTS = 10_000

/**
 * `store` with each merchant's settings kept for `ttlMs` once read: every tracking page, and every read
 * of a delivered tracking, needs them, and they change rarely. A change made through this process is
 * seen at once; one made through another process within `ttlMs`. 0 keeps nothing.
 */
export function keepRecentMerchantSettings(
  store: MerchantSettingsStore,
  ttlMs: number,
  nowMs: () => number = Date.now,
): MerchantSettingsStore {
  if (ttlMs <= 0) return store
  const recent = new Map<string, { settings: MerchantSettings | undefined; untilMs: number }>()
  // A read that began before a write may end after it: what it read is then not kept.
  let writes = 0
  const forget = (merchantId: string) => {
    writes++
    recent.delete(merchantId)
  }
  async function writing<T>(merchantId: string, write: Promise<T>): Promise<T> {
    forget(merchantId)
    try {
      return await write
    } finally {
      forget(merchantId)
    }
  }

  return {
    async get(merchantId) {
      const kept = recent.get(merchantId)
      // Copies, as from any store: a caller that changes what it got changes nothing kept.
      if (kept && kept.untilMs > nowMs()) return structuredClone(kept.settings)
      const writesBefore = writes
      const settings = await store.get(merchantId)
      if (writes !== writesBefore) return settings
      if (recent.size >= MAX_MERCHANTS) recent.clear()
      recent.set(merchantId, { settings, untilMs: nowMs() + ttlMs })
      return structuredClone(settings)
    },
    putBranding: (merchantId, branding, now) =>
      writing(merchantId, store.putBranding(merchantId, branding, now)),
    putWithdrawalDays: (merchantId, days, now) =>
      writing(merchantId, store.putWithdrawalDays(merchantId, days, now)),
    putLogo: (merchantId, bytes, contentType, now) =>
      writing(merchantId, store.putLogo(merchantId, bytes, contentType, now)),
    deleteLogo: (merchantId, now) => writing(merchantId, store.deleteLogo(merchantId, now)),
    getLogo: (merchantId, sha256) => store.getLogo(merchantId, sha256),
  }
}
