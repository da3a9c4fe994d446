import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.js'
import { createSilentLogger } from '../../src/logger.js'
import { createApiKeyStore, watchApiKeyRevocations } from '../../src/store/api-key-store.js'
import { createEmailSubscriptionStore } from '../../src/store/email-subscription-store.js'
import { createRedisAnalyticsStore } from '../../src/store/redis/redis-analytics-store.js'
import { createRedisMerchantSettingsStore } from '../../src/store/redis/redis-merchant-settings-store.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { eventually, type Harness } from '../support/harness.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'
import { adminClient, bearer } from './admin-api.js'
import { createAdminHarness } from './admin-harness.js'

describe('with COLIS_ADMIN_TOKEN, on Redis', () => {
  const prefix = uniquePrefix('admin')
  let redis: Redis
  let harness: Harness

  const { admin, createKey } = adminClient(() => harness.app)

  beforeAll(async () => {
    redis = connectTestRedis()
    harness = await createAdminHarness('admin', { redis, prefix })
  })

  afterAll(async () => {
    await harness.close()
    await redis.quit()
  })

  describe('revocation across API processes', () => {
    it('makes another process, which trusts the key from its cache, refuse it too', async () => {
      // Another API process: its own app, key cache and revocation subscription, on the same Redis.
      const subscriber = connectTestRedis()
      const other = connectTestRedis()
      const listeners = new Set<(keyId: string | undefined) => void>()
      const watch = await watchApiKeyRevocations(subscriber, prefix, (keyId) => {
        for (const listener of listeners) listener(keyId)
      })
      const otherApp = createApp({
        store: createRedisTrackingStore(other, prefix),
        apiKeys: createApiKeyStore(other, prefix),
        carriers: {
          list: () => [],
          get: () => undefined,
          detect: () => ({ trackingNumber: '', candidates: [], problems: [] }),
        },
        carrierFailures: async () => new Map(),
        alertPolicy: () => ({
          stalledBusinessDays: 3,
          pickupHoldDays: 10,
          pickupNoticeDays: 2,
          dayKind: 'ouvrables',
        }),
        webhooks: createWebhookStore(other, prefix),
        merchantSettings: createRedisMerchantSettingsStore(other, prefix),
        analytics: createRedisAnalyticsStore(other, prefix),
        emails: createEmailSubscriptionStore(other, prefix),
        checkWebhookUrl: async () => ({ ok: true }),
        pingRedis: async () => undefined,
        logger: createSilentLogger(),
        publicBaseUrl: 'https://track.example.com',
        apiKeyCacheMs: 60_000,
        onApiKeyRevoked: (listener) => listeners.add(listener),
      })
      try {
        const created = await createKey('shop-cross')
        const onOther = () =>
          Promise.resolve(otherApp.request('/v1/trackings', { headers: bearer(created.key) })).then(
            (response) => response.status,
          )
        expect(await onOther()).toBe(200)
        // With a 60 s cache and no revocation feed, the other process would go on answering 200.
        expect((await admin(`/admin/keys/${created.keyId}`, { method: 'DELETE' })).status).toBe(200)
        // Pub/sub delivery takes a Redis round trip: a short bound, far below the cache lifetime.
        await eventually(onOther, (status) => status === 401, 2_000)
      } finally {
        await watch.stop()
        await Promise.all([subscriber.quit(), other.quit()])
      }
    })
  })

  describe('queue dashboard', () => {
    it('serves the bull-board page, its assets from the npm package, and the queues API', async () => {
      const page = await admin('/admin/queues')
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      const html = await page.text()
      // Asset paths are relative to the page's <base href>.
      const base = html.match(/<base href="([^"]+)"/)?.[1]
      const script = html.match(/src="(static\/js\/main\.[^"]+\.js)"/)?.[1]
      expect(base).toMatch(/^\/admin\/queues\/?$/)
      expect(script, 'the main script, from the npm package').toBeDefined()
      const asset = await admin(
        new URL(script ?? '', `http://colis.test${base?.replace(/\/?$/, '/')}`).pathname,
      )
      expect(asset.status).toBe(200)
      expect((await asset.text()).length).toBeGreaterThan(1000)

      const api = await admin('/admin/queues/api/queues')
      expect(api.status).toBe(200)
      const { queues } = (await api.json()) as { queues: Array<{ name: string }> }
      expect(queues.map((queue) => queue.name).sort()).toEqual([
        'maintenance',
        'poll-sandbox',
        'webhook-deliveries',
      ])
    })
  })
})
