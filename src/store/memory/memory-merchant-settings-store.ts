import { createHash } from 'node:crypto'
import {
  type MerchantSettings,
  type MerchantSettingsStore,
  settingsChanges,
} from '../merchant-settings-store.js'

/** The memory twin of the Redis merchant-settings store: documents kept as JSON text, bytes copied. */
export function createMemoryMerchantSettingsStore(): MerchantSettingsStore {
  const documents = new Map<string, string>()
  const logos = new Map<string, Uint8Array>()
  const logoKey = (merchantId: string, sha256: string) => `${merchantId}/${sha256}`
  const read = (merchantId: string): MerchantSettings | undefined => {
    const doc = documents.get(merchantId)
    return doc ? (JSON.parse(doc) as MerchantSettings) : undefined
  }
  const write = (merchantId: string, settings: MerchantSettings): MerchantSettings => {
    documents.set(merchantId, JSON.stringify(settings))
    return settings
  }

  return {
    async get(merchantId) {
      return read(merchantId)
    },

    async putBranding(merchantId, branding, now = new Date()) {
      return write(merchantId, settingsChanges.branding(read(merchantId), branding, now))
    },

    async putWithdrawalDays(merchantId, days, now = new Date()) {
      return write(merchantId, settingsChanges.withdrawalDays(read(merchantId), days, now))
    },

    async putLogo(merchantId, bytes, contentType, now = new Date()) {
      const current = read(merchantId)
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      const next = settingsChanges.logo(current, { contentType, sha256, bytes: bytes.byteLength }, now)
      if (!next) return undefined
      const replaced = current?.branding?.logo?.sha256
      if (replaced) logos.delete(logoKey(merchantId, replaced))
      logos.set(logoKey(merchantId, sha256), Uint8Array.from(bytes))
      return write(merchantId, next)
    },

    async deleteLogo(merchantId, now = new Date()) {
      const current = read(merchantId)
      const removed = current?.branding?.logo?.sha256
      if (!removed) return current?.branding ? current : undefined
      logos.delete(logoKey(merchantId, removed))
      return write(merchantId, settingsChanges.logo(current, undefined, now) ?? current)
    },

    async getLogo(merchantId, sha256) {
      const logo = read(merchantId)?.branding?.logo
      const bytes = logos.get(logoKey(merchantId, sha256))
      if (!bytes || logo?.sha256 !== sha256) return undefined
      return { bytes: Uint8Array.from(bytes), contentType: logo.contentType }
    },
  }
}
