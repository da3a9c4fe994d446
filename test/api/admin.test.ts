import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.js'
import { createSilentLogger } from '../../src/logger.js'
import { createApiKeyStore, watchApiKeyRevocations } from '../../src/store/api-key-store.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createQueueMonitor, type QueueMonitor } from '../../workers/queue-monitor.js'
import { secretOf } from '../support/api-key.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

const TOKEN = 'admin-token-0123456789abcdef0123456789'
const KEY_FORMAT = /^colis_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
})

async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as { code: string; status: number; requestId: string }
  expect(body).toMatchObject({ code, status })
  return body
}

describe('without COLIS_ADMIN_TOKEN', () => {
  let harness: Harness

  beforeAll(async () => {
    harness = await createHarness('admin-off')
  })

  afterAll(async () => {
    await harness.close()
  })

  it.each([
    ['GET', '/admin/keys'],
    ['POST', '/admin/keys'],
    ['DELETE', '/admin/keys/abcdefghijkm'],
    ['GET', '/admin/queues'],
    ['GET', '/admin/queues/api/queues'],
  ])('%s %s is 404, whatever token is sent', async (method, path) => {
    const response = await harness.app.request(path, { method, headers: bearer(TOKEN) })
    await expectProblem(response, 404, 'route_not_found')
  })
})

describe('with COLIS_ADMIN_TOKEN', () => {
  const prefix = uniquePrefix('admin')
  let redis: Redis
  let monitor: QueueMonitor
  let harness: Harness

  const admin = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TOKEN}`)
    if (init.body) headers.set('content-type', 'application/json')
    return Promise.resolve(harness.app.request(path, { ...init, headers }))
  }
  const createKey = async (merchantId: string, label?: string) => {
    const response = await admin('/admin/keys', {
      method: 'POST',
      body: JSON.stringify({ merchantId, label }),
    })
    expect(response.status).toBe(201)
    return (await response.json()) as { keyId: string; merchantId: string; key: string; createdAt: string }
  }

  beforeAll(async () => {
    redis = connectTestRedis()
    monitor = createQueueMonitor({ connection: redis, redisPrefix: prefix, carriers: () => ['sandbox'] })
    harness = await createHarness(
      'admin',
      { COLIS_REDIS_PREFIX: prefix },
      {},
      {
        app: {
          admin: {
            token: TOKEN,
            apiKeys: createApiKeyStore(redis, prefix),
            boardQueues: () => monitor.boardQueues(),
          },
        },
      },
    )
  })

  afterAll(async () => {
    await monitor.close()
    await harness.close()
    await redis.quit()
  })

  describe('authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['a wrong bearer token', bearer('admin-token-0123456789abcdef012345678X')],
      ['the token with a suffix', bearer(`${TOKEN}x`)],
      ['a merchant API key', bearer(`colis_abcdefghijkm_${'a'.repeat(43)}`)],
      ['Basic with a wrong password', basic('admin', 'nope')],
    ])('refuses %s with 401 and a Basic challenge (the browser prompt)', async (_name, headers) => {
      for (const path of ['/admin/keys', '/admin/queues', '/admin/queues/api/queues']) {
        const response = await harness.app.request(path, { headers })
        await expectProblem(response, 401, 'unauthorized')
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="colis admin"/)
      }
    })

    it('takes the token as a bearer token or as a Basic password (any user name)', async () => {
      expect((await harness.app.request('/admin/keys', { headers: bearer(TOKEN) })).status).toBe(200)
      expect((await harness.app.request('/admin/keys', { headers: basic('ops', TOKEN) })).status).toBe(200)
    })
  })

  describe('API keys', () => {
    it('creates a key shown once, which then works on /v1', async () => {
      const created = await createKey('shop-admin', 'back office')
      expect(created.key).toMatch(KEY_FORMAT)
      expect(created).toMatchObject({ merchantId: 'shop-admin', keyId: created.key.match(KEY_FORMAT)?.[1] })
      expect((await harness.request(created.key, '/v1/trackings')).status).toBe(200)
    })

    it('lists keys newest first without any secret, all or one merchant’s', async () => {
      const first = await createKey('shop-list-a')
      const second = await createKey('shop-list-b', 'erp')
      const listed = await admin('/admin/keys')
      expect(listed.status).toBe(200)
      const text = await listed.text()
      expect(text).not.toContain(secretOf(first.key))
      expect(text).not.toContain(secretOf(second.key))
      expect(text).not.toMatch(/secret|sha256/i)
      const { data } = JSON.parse(text) as { data: Array<Record<string, unknown>> }
      const ids = data.map((entry) => entry.keyId)
      expect(ids).toEqual(expect.arrayContaining([first.keyId, second.keyId]))
      expect(data.find((entry) => entry.keyId === second.keyId)).toEqual({
        keyId: second.keyId,
        merchantId: 'shop-list-b',
        createdAt: second.createdAt,
        label: 'erp',
      })
      const one = (await (await admin('/admin/keys?merchantId=shop-list-a')).json()) as {
        data: Array<{ keyId: string }>
      }
      expect(one.data.map((entry) => entry.keyId)).toEqual([first.keyId])
    })

    it.each([
      ['no merchant', {}],
      ['a merchant name with a colon', { merchantId: 'shop:a' }],
      ['an unknown field', { merchantId: 'shop-a', scopes: ['all'] }],
      ['a label of 101 characters', { merchantId: 'shop-a', label: 'x'.repeat(101) }],
    ])('refuses %s with 400 validation_failed', async (_name, body) => {
      const response = await admin('/admin/keys', { method: 'POST', body: JSON.stringify(body) })
      const problem = await expectProblem(response, 400, 'validation_failed')
      expect(problem).toHaveProperty('errors')
    })

    it('refuses a body that is not JSON', async () => {
      const response = await admin('/admin/keys', {
        method: 'POST',
        body: '{',
        headers: { 'content-type': 'application/json' },
      })
      await expectProblem(response, 400, 'invalid_json')
    })

    it('revokes a key: it fails at once, even though this process had just verified it', async () => {
      const created = await createKey('shop-revoke')
      expect((await harness.request(created.key, '/v1/trackings')).status).toBe(200)
      const revoked = await admin(`/admin/keys/${created.keyId}`, { method: 'DELETE' })
      expect(revoked.status).toBe(200)
      const body = (await revoked.json()) as { keyId: string; revokedAt: string }
      expect(body).toMatchObject({ keyId: created.keyId, merchantId: 'shop-revoke' })
      expect(Date.parse(body.revokedAt)).not.toBeNaN()
      await expectProblem(await harness.request(created.key, '/v1/trackings'), 401, 'unauthorized')

      const again = await admin(`/admin/keys/${created.keyId}`, { method: 'DELETE' })
      expect(again.status).toBe(200)
      expect(((await again.json()) as { revokedAt: string }).revokedAt).toBe(body.revokedAt)
      const { data } = (await (await admin('/admin/keys?merchantId=shop-revoke')).json()) as {
        data: Array<{ revokedAt?: string }>
      }
      expect(data[0]?.revokedAt).toBe(body.revokedAt)
    })

    it('answers 404 for a key id it does not know', async () => {
      await expectProblem(await admin('/admin/keys/ZZZZZZZZZZZZ', { method: 'DELETE' }), 404, 'not_found')
      await expectProblem(await admin('/admin/keys/not-an-id', { method: 'DELETE' }), 404, 'not_found')
    })
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
        alertPolicy: () => ({ stalledBusinessDays: 3, pickupExpiringDays: 10, dayKind: 'ouvrables' }),
        webhooks: createWebhookStore(other, prefix),
        checkWebhookUrl: async () => ({ ok: true }),
        pingRedis: async () => undefined,
        logger: createSilentLogger(),
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
