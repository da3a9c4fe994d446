import {
  type ApiKeyInfo,
  type ApiKeyStore,
  KEY_ID_PATTERN,
  mintApiKey,
  parseApiKey,
  secretMatches,
} from '../api-key-store.js'

interface StoredKey extends ApiKeyInfo {
  secretSha256: string
}

const infoOf = ({ secretSha256: _secret, ...info }: StoredKey): ApiKeyInfo => ({ ...info })

/** The memory twin of the Redis API-key store: same keys, same digests, same answers. */
export function createMemoryApiKeyStore(): ApiKeyStore {
  const stored = new Map<string, StoredKey>()
  return {
    async create(merchantId, now = new Date(), options = {}) {
      const { created, secretSha256 } = mintApiKey(merchantId, now, options)
      const { key: _key, ...info } = created
      stored.set(created.keyId, { ...info, secretSha256 })
      return created
    },

    async list(filter = {}) {
      return [...stored.values()]
        .filter((key) => filter.merchantId === undefined || key.merchantId === filter.merchantId)
        .map(infoOf)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.keyId.localeCompare(b.keyId))
    },

    async revoke(keyId, now = new Date()) {
      if (!KEY_ID_PATTERN.test(keyId)) return undefined
      const key = stored.get(keyId)
      if (!key) return undefined
      key.revokedAt ??= now.toISOString()
      return infoOf(key)
    },

    async verify(presented) {
      const parsed = parseApiKey(presented)
      if (!parsed) return undefined
      const key = stored.get(parsed.keyId)
      if (!secretMatches(key?.secretSha256, parsed.secret) || !key || key.revokedAt) return undefined
      return { keyId: parsed.keyId, merchantId: key.merchantId }
    },

    async isActive(keyId) {
      const key = stored.get(keyId)
      return key !== undefined && key.revokedAt === undefined
    },
  }
}
