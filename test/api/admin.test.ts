import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUEUE_BOARD_CSP } from '../../src/api/admin/queue-board.js'
import { createMemoryStores } from '../../src/main/stores.js'
import { secretOf } from '../support/api-key.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { adminClient, basic, bearer, expectProblem, KEY_FORMAT, TOKEN } from './admin-api.js'

describe('without COLIS_ADMIN_TOKEN', () => {
  let harness: MemoryHarness

  beforeAll(async () => {
    harness = await createMemoryHarness('admin-off')
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
  let harness: MemoryHarness
  const { admin, createKey } = adminClient(() => harness.app)

  beforeAll(async () => {
    const stores = createMemoryStores()
    harness = await createMemoryHarness(
      'admin',
      {},
      {},
      // A board without queues needs no Redis: its page and assets are what these tests read.
      { stores, app: { admin: { token: TOKEN, apiKeys: stores.apiKeys, boardQueues: () => [] } } },
    )
  })

  afterAll(async () => {
    await harness.close()
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
        const problem = await expectProblem(response, 401, 'admin_unauthorized')
        expect(problem).toMatchObject({ title: 'Missing or invalid admin token' })
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

  describe('queue dashboard page', () => {
    it('links nothing outside this origin, and forbids it by CSP', async () => {
      const page = await admin('/admin/queues')
      expect(page.status).toBe(200)
      expect(page.headers.get('content-security-policy')).toBe(QUEUE_BOARD_CSP)
      const html = await page.text()
      expect(html).toContain('static/css/main.')
      // bull-board's own page links Google Fonts.
      expect(html).not.toMatch(/(?:src|href)="(?:[a-z]+:)?\/\//i)
      expect(QUEUE_BOARD_CSP).toMatch(/default-src 'none'/)
      for (const directive of QUEUE_BOARD_CSP.split('; ')) {
        expect(directive, 'same origin only').not.toMatch(/https?:|\*|\/\//)
      }
    })
  })
})
