import { createHash } from 'node:crypto'
import type { RedisClient } from '../../redis/redis-client.js'
import {
  type BrandingFields,
  type LogoContentType,
  type LogoFile,
  type MerchantSettings,
  type MerchantSettingsStore,
  settingsChanges,
} from '../merchant-settings-store.js'
import { defineScripts } from './lua-scripts.js'
import { createRedisKeys } from './redis-keys.js'
import { decodeCompareAndSetAnswer, decodeLogoAnswer } from './script-answers.js'

const MAX_ATTEMPTS = 10

/**
 * One JSON document per merchant, changed by compare-and-set (a merchant's two back-office tabs may
 * write at once), and each logo's bytes as a string under their SHA-256.
 */
export function createRedisMerchantSettingsStore(
  client: RedisClient,
  prefix: string,
  shards = 1,
): MerchantSettingsStore {
  const redis = defineScripts(client)
  const keys = createRedisKeys(prefix, shards)
  const parse = (doc: string | null): MerchantSettings | undefined =>
    doc ? (JSON.parse(doc) as MerchantSettings) : undefined

  /**
   * Reads the document and hands it to `write` until `write` finds it unchanged. `write` answers
   * 'changed' to read again, or its result.
   */
  async function retryOnConflict<T>(
    merchantId: string,
    write: (doc: string | null, current: MerchantSettings | undefined) => Promise<T | 'changed'>,
  ): Promise<T> {
    const key = keys.merchantSettings(merchantId)
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const doc = await redis.get(key)
      const result = await write(doc, parse(doc))
      if (result !== 'changed') return result
    }
    throw new Error(`${key} kept changing: update given up`)
  }

  /** Writes `next` in place of `doc` (created when there was none); 'changed' when someone was faster. */
  async function replaceDocument(merchantId: string, doc: string | null, next: MerchantSettings) {
    const key = keys.merchantSettings(merchantId)
    const text = JSON.stringify(next)
    if (doc === null) return (await redis.set(key, text, 'NX')) === 'OK' ? next : 'changed'
    return decodeCompareAndSetAnswer(await redis.compareAndSet(key, doc, text)) === 'replaced'
      ? next
      : 'changed'
  }

  return {
    async get(merchantId) {
      return parse(await redis.get(keys.merchantSettings(merchantId)))
    },

    putBranding(merchantId, branding: BrandingFields, now = new Date()) {
      return retryOnConflict(merchantId, (doc, current) =>
        replaceDocument(merchantId, doc, settingsChanges.branding(current, branding, now)),
      )
    },

    putWithdrawalDays(merchantId, days, now = new Date()) {
      return retryOnConflict(merchantId, (doc, current) =>
        replaceDocument(merchantId, doc, settingsChanges.withdrawalDays(current, days, now)),
      )
    },

    putLogo(merchantId, bytes, contentType: LogoContentType, now = new Date()) {
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      const logo = { contentType, sha256, bytes: bytes.byteLength }
      return retryOnConflict(merchantId, async (doc, current) => {
        const next = settingsChanges.logo(current, logo, now)
        if (!doc || !next) return undefined
        const replaced = current?.branding?.logo?.sha256 ?? sha256
        const answer = await redis.replaceLogo(
          keys.merchantSettings(merchantId),
          keys.merchantLogo(merchantId, sha256),
          keys.merchantLogo(merchantId, replaced),
          doc,
          JSON.stringify(next),
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        )
        return decodeLogoAnswer('replaceLogo', answer) === 'replaced' ? next : 'changed'
      })
    },

    deleteLogo(merchantId, now = new Date()) {
      return retryOnConflict(merchantId, async (doc, current) => {
        const next = settingsChanges.logo(current, undefined, now)
        if (!doc || !next) return undefined
        const removed = current?.branding?.logo?.sha256
        if (!removed) return current
        const answer = await redis.removeLogo(
          keys.merchantSettings(merchantId),
          keys.merchantLogo(merchantId, removed),
          doc,
          JSON.stringify(next),
        )
        return decodeLogoAnswer('removeLogo', answer) === 'replaced' ? next : 'changed'
      })
    },

    /** The document and the bytes in one round trip: bytes a replaced document no longer names are not served. */
    async getLogo(merchantId, sha256): Promise<LogoFile | undefined> {
      const [doc, bytes] = await redis.mgetBuffer(
        keys.merchantSettings(merchantId),
        keys.merchantLogo(merchantId, sha256),
      )
      const logo = parse(doc?.toString('utf8') ?? null)?.branding?.logo
      if (!bytes || logo?.sha256 !== sha256) return undefined
      return { bytes, contentType: logo.contentType }
    },
  }
}
