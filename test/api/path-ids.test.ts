import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryStores, type MemoryStores } from '../../src/main/stores.js'
import { deliveryIdOf } from '../../src/store/record-ids.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { TOKEN } from './admin-api.js'
import { expectProblem, laPosteNumber, type TrackingBody } from './tracking-api.js'

/** A public IP literal: accepted without any DNS query, and never contacted (no workers run here). */
const PUBLIC_URL = 'https://93.184.215.14/colis-hooks'

/** Every string argument a store was called with, so that a test can tell what reached the stores. */
function recordingStores(stores: MemoryStores, seen: string[]): MemoryStores {
  const record = <T extends object>(store: T): T =>
    Object.fromEntries(
      Object.entries(store).map(([name, value]) => [
        name,
        typeof value === 'function'
          ? (...args: unknown[]) => {
              for (const arg of args) if (typeof arg === 'string') seen.push(arg)
              return value(...args)
            }
          : value,
      ]),
    ) as T
  return {
    trackings: record(stores.trackings),
    apiKeys: record(stores.apiKeys),
    webhooks: record(stores.webhooks),
    emails: record(stores.emails),
    carrierHealth: record(stores.carrierHealth),
    unknownCodes: record(stores.unknownCodes),
    merchantSettings: record(stores.merchantSettings),
    analytics: record(stores.analytics),
    dashboardSessions: record(stores.dashboardSessions),
  }
}

describe('path ids of the wrong shape', () => {
  let harness: MemoryHarness
  let key: string
  let trackingId: string
  let endpointId: string
  let subscriptionId: string
  const seen: string[] = []

  beforeAll(async () => {
    const stores = recordingStores(createMemoryStores(), seen)
    harness = await createMemoryHarness(
      'api-path-ids',
      {},
      {},
      { stores, app: { admin: { token: TOKEN, apiKeys: stores.apiKeys } } },
    )
    key = (await harness.apiKeys.create('shop-a')).key
    const registered = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: laPosteNumber(1), carrier: 'laposte' }),
    })
    trackingId = ((await registered.json()) as TrackingBody).id
    const endpoint = await harness.request(key, '/v1/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: PUBLIC_URL }),
    })
    endpointId = ((await endpoint.json()) as { id: string }).id
    const subscription = await harness.request(key, `/v1/trackings/${trackingId}/subscriptions`, {
      method: 'POST',
      body: JSON.stringify({ url: PUBLIC_URL }),
    })
    subscriptionId = ((await subscription.json()) as { id: string }).id
  })

  afterAll(async () => {
    await harness.close()
  })

  /** Well-formed ids with something after them (another key of the record), or no id at all. */
  const malformed = (id: string) => [
    `${id}:subs`,
    `${id}:deliveries`,
    `${id}x`,
    id.slice(0, -1),
    `${id.slice(0, 4)}${'A'.repeat(200)}`,
    encodeURIComponent(`${id}/../x`),
    '%00',
  ]

  it('gives ids of the shapes the routes accept', () => {
    expect(trackingId).toMatch(/^trk_[A-Za-z0-9]{20}$/)
    expect(endpointId).toMatch(/^whk_[A-Za-z0-9]{20}$/)
    expect(subscriptionId).toMatch(/^whk_[A-Za-z0-9]{20}$/)
  })

  it.each([
    ['GET', '/v1/trackings/{id}'],
    ['DELETE', '/v1/trackings/{id}'],
    ['POST', '/v1/trackings/{id}/refresh'],
    ['GET', '/v1/trackings/{id}/subscriptions'],
    ['POST', '/v1/trackings/{id}/subscriptions'],
  ] as const)(
    '%s %s answers 404 not_found for a malformed tracking id, without asking a store',
    async (method, path) => {
      for (const id of malformed(trackingId)) {
        seen.length = 0
        const body = method === 'POST' ? JSON.stringify({ url: PUBLIC_URL }) : undefined
        const response = await harness.request(key, path.replace('{id}', id), { method, body })
        const problem = await expectProblem(response, 404, 'not_found')
        expect(problem.detail).toBe('no such tracking')
        expect(seen).not.toContain(decodeURIComponent(id))
      }
    },
  )

  it.each([
    ['GET', '/v1/webhooks/{id}'],
    ['DELETE', '/v1/webhooks/{id}'],
    ['POST', '/v1/webhooks/{id}/rotate-secret'],
    ['GET', '/v1/webhooks/{id}/deliveries'],
    ['POST', '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver'],
  ] as const)(
    '%s %s answers 404 not_found for a malformed endpoint id, without asking a store',
    async (method, path) => {
      for (const id of malformed(endpointId)) {
        seen.length = 0
        const problem = await expectProblem(
          await harness.request(
            key,
            path.replace('{id}', id).replace('{deliveryId}', deliveryIdOf('1764950400000-0', endpointId)),
            { method },
          ),
          404,
          'not_found',
        )
        expect(problem.detail).toBe('no such webhook endpoint')
        expect(seen).not.toContain(decodeURIComponent(id))
      }
    },
  )

  it('answers 404 for a malformed delivery or subscription id, without asking a store about it', async () => {
    for (const id of malformed(deliveryIdOf('1764950400000-0', endpointId))) {
      seen.length = 0
      const path = `/v1/webhooks/${endpointId}/deliveries/${id}/redeliver`
      const problem = await expectProblem(
        await harness.request(key, path, { method: 'POST' }),
        404,
        'not_found',
      )
      expect(problem.detail).toBe('no such delivery')
      expect(seen).not.toContain(decodeURIComponent(id))
    }
    for (const id of malformed(subscriptionId)) {
      seen.length = 0
      const path = `/v1/trackings/${trackingId}/subscriptions/${id}`
      const problem = await expectProblem(
        await harness.request(key, path, { method: 'DELETE' }),
        404,
        'not_found',
      )
      expect(problem.detail).toBe('no such subscription')
      expect(seen).not.toContain(decodeURIComponent(id))
    }
  })

  it('answers 404 for a malformed API key id on DELETE /admin/keys/{keyId}, without asking the store', async () => {
    for (const keyId of ['abcdefghijkm:x', 'abcdefghijk', 'abcdefghijkmn', '%00']) {
      seen.length = 0
      const response = await harness.app.request(`/admin/keys/${keyId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      expect(response.status).toBe(404)
      expect(((await response.json()) as { code: string }).code).toBe('not_found')
      expect(seen).toEqual([])
    }
  })

  it('answers 404 for a carrier id of no carrier on GET /v1/carriers/{id}/unknown-codes, without asking a store', async () => {
    for (const id of ['sandbox:x', 'sandbox:x:wordings', 'acme', 'SANDBOX', `s${'a'.repeat(40)}`, '%00']) {
      seen.length = 0
      const response = await harness.app.request(`/v1/carriers/${id}/unknown-codes`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      await expectProblem(response, 404, 'not_found')
      expect(seen).toEqual([])
    }
    expect(
      (
        await harness.app.request('/v1/carriers/sandbox/unknown-codes', {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).status,
    ).toBe(200)
    expect(seen).toEqual(['sandbox'])
  })

  it('still finds the well-formed ids', async () => {
    expect((await harness.request(key, `/v1/trackings/${trackingId}`)).status).toBe(200)
    expect((await harness.request(key, `/v1/trackings/${trackingId}/subscriptions`)).status).toBe(200)
    expect((await harness.request(key, `/v1/webhooks/${endpointId}`)).status).toBe(200)
    expect((await harness.request(key, `/v1/webhooks/${endpointId}/deliveries`)).status).toBe(200)
  })
})
