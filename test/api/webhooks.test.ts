import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-events.js'
import { deliveryIdOf } from '../../src/store/record-ids.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'

/** A public IP literal: accepted without any DNS query, and never contacted (no workers run here). */
const PUBLIC_URL = 'https://93.184.215.14/colis-hooks'

/** What a merchant may see of an endpoint: never a secret, except `secret` once, at creation. */
const VIEW_FIELDS = [
  'id',
  'url',
  'events',
  'description',
  'trackingId',
  'createdAt',
  'disabledAt',
  'disabledReason',
]

interface Problem {
  status: number
  code: string
  type: string
  detail?: string
  errors?: Array<{ pointer: string; detail: string }>
}

interface Endpoint {
  id: string
  url: string
  events: string[]
  description?: string
  trackingId?: string
  createdAt: string
  secret?: string
  [field: string]: unknown
}

async function expectProblem(response: Response, status: number, code: string): Promise<Problem> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  const problem = JSON.parse(text) as Problem
  expect(problem).toMatchObject({ status, code, type: `urn:colis:problem:${code}` })
  return problem
}

function expectNoSecret(view: Endpoint) {
  expect(view.secret).toBeUndefined()
  expect(JSON.stringify(view)).not.toMatch(/whsec_/)
  for (const field of Object.keys(view)) expect(VIEW_FIELDS, field).toContain(field)
}

function client(harness: () => MemoryHarness) {
  return {
    create: (key: string, body: unknown) =>
      harness().request(key, '/v1/webhooks', {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async created(key: string, body: Record<string, unknown>): Promise<Endpoint> {
      const response = await harness().request(key, '/v1/webhooks', {
        method: 'POST',
        body: JSON.stringify(body),
      })
      const text = await response.text()
      expect(response.status, text).toBe(201)
      return JSON.parse(text) as Endpoint
    },
  }
}

describe('webhooks API (no egress allow-list)', () => {
  let harness: MemoryHarness
  let keyA: string
  let keyB: string
  const api = client(() => harness)

  beforeAll(async () => {
    harness = await createMemoryHarness('api-webhooks')
    keyA = (await harness.apiKeys.create('shop-a')).key
    keyB = (await harness.apiKeys.create('shop-b')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  it('answers 401 without an API key', async () => {
    const response = await harness.app.request('/v1/webhooks')
    await expectProblem(response, 401, 'unauthorized')
  })

  it('creates an endpoint: 201 with its secret, once; GET and the list never show a secret', async () => {
    const response = await harness.request(keyA, '/v1/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: PUBLIC_URL, description: 'back office' }),
    })
    expect(response.status).toBe(201)
    const created = (await response.json()) as Endpoint
    expect(created).toMatchObject({
      id: expect.stringMatching(/^whk_[A-Za-z0-9]+$/),
      url: PUBLIC_URL,
      events: [...WEBHOOK_EVENT_TYPES],
      description: 'back office',
    })
    expect(created.trackingId).toBeUndefined()
    expect(created.events).toEqual([
      'tracking.updated',
      'tracking.status_changed',
      'tracking.forecast_changed',
      'alert.opened',
      'alert.resolved',
    ])
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt)
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
    // Standard Webhooks: 24 to 64 bytes of key.
    const keyBytes = Buffer.from(created.secret?.slice('whsec_'.length) ?? '', 'base64').length
    expect(keyBytes).toBeGreaterThanOrEqual(24)
    expect(keyBytes).toBeLessThanOrEqual(64)
    expect(response.headers.get('location')).toBe(`/v1/webhooks/${created.id}`)

    const got = (await (await harness.request(keyA, `/v1/webhooks/${created.id}`)).json()) as Endpoint
    expectNoSecret(got)
    const { secret: _secret, ...view } = created
    expect(got).toEqual(view)

    const listed = (await (await harness.request(keyA, '/v1/webhooks')).json()) as { data: Endpoint[] }
    const mine = listed.data.find((endpoint) => endpoint.id === created.id)
    expect(mine).toEqual(view)
    for (const endpoint of listed.data) expectNoSecret(endpoint)

    // Each endpoint has a secret of its own.
    const other = await api.created(keyA, { url: PUBLIC_URL })
    expect(other.secret).toMatch(/^whsec_/)
    expect(other.secret).not.toBe(created.secret)
    expect(other.id).not.toBe(created.id)
  })

  it('keeps the events asked for', async () => {
    const created = await api.created(keyA, { url: PUBLIC_URL, events: ['alert.opened', 'tracking.updated'] })
    expect(created.events).toEqual(['alert.opened', 'tracking.updated'])
    const got = (await (await harness.request(keyA, `/v1/webhooks/${created.id}`)).json()) as Endpoint
    expect(got.events).toEqual(['alert.opened', 'tracking.updated'])
  })

  it.each([
    ['an unknown event type', { url: PUBLIC_URL, events: ['tracking.created'] }, '/events/0'],
    ['no event at all', { url: PUBLIC_URL, events: [] }, '/events'],
    ['an event twice', { url: PUBLIC_URL, events: ['alert.opened', 'alert.opened'] }, '/events'],
    ['events as a string', { url: PUBLIC_URL, events: 'tracking.updated' }, '/events'],
    ['no url', { events: ['tracking.updated'] }, '/url'],
    ['a url that is not a string', { url: 42 }, '/url'],
    ['an unknown field', { url: PUBLIC_URL, secret: 'whsec_mine' }, '/secret'],
    ['a description too long', { url: PUBLIC_URL, description: 'x'.repeat(257) }, '/description'],
  ])('answers 400 validation_failed for %s', async (_name, body, pointer) => {
    const problem = await expectProblem(await api.create(keyA, body), 400, 'validation_failed')
    expect(problem.errors?.map((error) => error.pointer)).toContain(pointer)
  })

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    await expectProblem(await api.create(keyA, '{"url":'), 400, 'invalid_json')
  })

  it.each([
    ['private (RFC 1918)', 'http://10.0.0.1/x'],
    ['private (RFC 1918), 192.168', 'http://192.168.1.10/hooks'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'http://[::1]:8080/'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped IPv6 private', 'http://[::ffff:10.0.0.1]/'],
    ['IPv6 link-local', 'http://[fe80::1]/'],
    ['IPv6 unique-local', 'http://[fd00::1]/'],
    ['IPv6 unspecified', 'http://[::]/'],
    ['IPv6 multicast', 'http://[ff02::1]/'],
    ['unspecified', 'http://0.0.0.0/'],
    ['carrier-grade NAT', 'http://100.64.0.1/'],
    ['multicast', 'http://224.0.0.1/'],
    ['broadcast', 'http://255.255.255.255/'],
    ['loopback', 'http://127.0.0.1:8080/hooks'],
    ['loopback written as one number', 'http://2130706433/'],
    ['loopback written short', 'http://127.1/'],
    ['loopback written in hex', 'http://0x7f.0.0.1/'],
    ['another scheme', 'ftp://example.com/'],
    ['a file URL', 'file:///etc/passwd'],
    ['credentials in the URL', 'http://user:pass@127.0.0.1/'],
    ['credentials in a public URL', 'https://user:pass@93.184.215.14/'],
    ['not a URL', 'not a url'],
  ])('answers 422 invalid_webhook_url for %s (%s)', async (_name, url) => {
    const problem = await expectProblem(await api.create(keyA, { url }), 422, 'invalid_webhook_url')
    expect(problem.detail).toEqual(expect.any(String))
  })

  it('refuses a name that resolves to loopback (localhost, through /etc/hosts)', async () => {
    const problem = await expectProblem(
      await api.create(keyA, { url: 'http://localhost:1/' }),
      422,
      'invalid_webhook_url',
    )
    expect(problem.detail).toMatch(/loopback/)
  })

  it('says why a URL is refused', async () => {
    const metadata = await expectProblem(
      await api.create(keyA, { url: 'http://169.254.169.254/latest/meta-data' }),
      422,
      'invalid_webhook_url',
    )
    expect(metadata.detail).toMatch(/link-local/)
    const scheme = await expectProblem(
      await api.create(keyA, { url: 'ftp://example.com/' }),
      422,
      'invalid_webhook_url',
    )
    expect(scheme.detail).toMatch(/ftp/)
  })

  it("answers 404 for another merchant's endpoint, on every route, and leaves it alone", async () => {
    const endpoint = await api.created(keyA, { url: PUBLIC_URL })
    const webhooks = harness.webhooks
    const deliveryId = deliveryIdOf('1764950400000-0', endpoint.id)
    await webhooks.createDeliveries([
      {
        id: deliveryId,
        endpointId: endpoint.id,
        messageId: 'msg_test',
        type: 'tracking.updated',
        trackingId: 'trk_none',
        createdAt: new Date().toISOString(),
        state: 'delivered',
        attempts: [{ at: new Date().toISOString(), statusCode: 200, durationMs: 12 }],
        body: '{}',
      },
    ])
    const base = `/v1/webhooks/${endpoint.id}`
    for (const [method, path] of [
      ['GET', base],
      ['DELETE', base],
      ['POST', `${base}/rotate-secret`],
      ['GET', `${base}/deliveries`],
      ['POST', `${base}/deliveries/${deliveryId}/redeliver`],
    ] as const) {
      const problem = await expectProblem(await harness.request(keyB, path, { method }), 404, 'not_found')
      expect(JSON.stringify(problem)).not.toMatch(/whsec_/)
    }
    const listB = (await (await harness.request(keyB, '/v1/webhooks')).json()) as { data: Endpoint[] }
    expect(listB.data.map((view) => view.id)).not.toContain(endpoint.id)

    // Still there for its owner, its secret unchanged, nothing redelivered.
    const stored = await webhooks.getEndpoint(endpoint.id)
    expect(stored?.secrets.map((secret) => secret.secret)).toEqual([endpoint.secret])
    expect((await harness.request(keyA, base)).status).toBe(200)
    expect(harness.webhooks.redeliveryRequests()).toEqual([])
  })

  it('lists deliveries without their bodies, and redelivers only a delivery of that endpoint', async () => {
    const endpoint = await api.created(keyA, { url: PUBLIC_URL })
    const sibling = await api.created(keyA, { url: PUBLIC_URL })
    const empty = (await (await harness.request(keyA, `/v1/webhooks/${endpoint.id}/deliveries`)).json()) as {
      data: unknown[]
    }
    expect(empty).toEqual({ data: [] })

    const webhooks = harness.webhooks
    const delivery = {
      id: deliveryIdOf('1764950400000-0', endpoint.id),
      endpointId: endpoint.id,
      messageId: 'msg_test',
      type: 'tracking.updated' as const,
      trackingId: 'trk_none',
      createdAt: new Date().toISOString(),
      state: 'failed' as const,
      attempts: [{ at: new Date().toISOString(), statusCode: 500, durationMs: 40, error: 'HTTP 500' }],
      body: '{"secret":"do not echo"}',
    }
    await webhooks.createDeliveries([delivery])
    const listed = (await (await harness.request(keyA, `/v1/webhooks/${endpoint.id}/deliveries`)).json()) as {
      data: Array<Record<string, unknown>>
    }
    const { body: _body, ...shown } = delivery
    expect(listed.data).toEqual([shown])

    await expectProblem(
      await harness.request(keyA, `/v1/webhooks/${sibling.id}/deliveries/${delivery.id}/redeliver`, {
        method: 'POST',
      }),
      404,
      'not_found',
    )
    await expectProblem(
      await harness.request(keyA, `/v1/webhooks/${endpoint.id}/deliveries/dlv_nope/redeliver`, {
        method: 'POST',
      }),
      404,
      'not_found',
    )
    const redeliver = await harness.request(
      keyA,
      `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`,
      {
        method: 'POST',
      },
    )
    expect(redeliver.status).toBe(202)
    expect(await redeliver.json()).toEqual({ id: delivery.id, redelivery: 'queued' })
    expect(harness.webhooks.redeliveryRequests()).toEqual([delivery.id])

    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'before=yesterday']) {
      await expectProblem(
        await harness.request(keyA, `/v1/webhooks/${endpoint.id}/deliveries?${query}`),
        400,
        'validation_failed',
      )
    }
  })

  it('rotates the secret: the new one is shown once, the old one keeps signing for 24 h', async () => {
    const endpoint = await api.created(keyA, { url: PUBLIC_URL })
    const before = Date.now()
    const response = await harness.request(keyA, `/v1/webhooks/${endpoint.id}/rotate-secret`, {
      method: 'POST',
    })
    expect(response.status).toBe(200)
    const rotated = (await response.json()) as { id: string; secret: string; previousSecretExpiresAt: string }
    expect(rotated.id).toBe(endpoint.id)
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
    expect(rotated.secret).not.toBe(endpoint.secret)
    const overlapMs = Date.parse(rotated.previousSecretExpiresAt) - before
    expect(overlapMs).toBeGreaterThanOrEqual(24 * 3600_000 - 60_000)
    expect(overlapMs).toBeLessThanOrEqual(24 * 3600_000 + 60_000)

    const got = (await (await harness.request(keyA, `/v1/webhooks/${endpoint.id}`)).json()) as Endpoint
    expectNoSecret(got)
    const listed = (await (await harness.request(keyA, '/v1/webhooks')).json()) as { data: Endpoint[] }
    for (const view of listed.data) expectNoSecret(view)

    const stored = await harness.webhooks.getEndpoint(endpoint.id)
    expect(stored?.secrets).toEqual([
      { secret: rotated.secret, createdAt: expect.any(String) },
      { secret: endpoint.secret, createdAt: endpoint.createdAt, expiresAt: rotated.previousSecretExpiresAt },
    ])
  })

  it('deletes: 204, then 404 everywhere, and gone from the list', async () => {
    const endpoint = await api.created(keyA, { url: PUBLIC_URL })
    const base = `/v1/webhooks/${endpoint.id}`
    const deleted = await harness.request(keyA, base, { method: 'DELETE' })
    expect(deleted.status).toBe(204)
    expect(await deleted.text()).toBe('')
    await expectProblem(await harness.request(keyA, base), 404, 'not_found')
    await expectProblem(await harness.request(keyA, base, { method: 'DELETE' }), 404, 'not_found')
    await expectProblem(
      await harness.request(keyA, `${base}/rotate-secret`, { method: 'POST' }),
      404,
      'not_found',
    )
    await expectProblem(await harness.request(keyA, `${base}/deliveries`), 404, 'not_found')
    const listed = (await (await harness.request(keyA, '/v1/webhooks')).json()) as { data: Endpoint[] }
    expect(listed.data.map((view) => view.id)).not.toContain(endpoint.id)
  })

  it('allows 20 endpoints per merchant, then answers 422 too_many_webhooks', async () => {
    const key = (await harness.apiKeys.create('shop-many')).key
    const ids: string[] = []
    for (let index = 0; index < 20; index++) ids.push((await api.created(key, { url: PUBLIC_URL })).id)
    await expectProblem(await api.create(key, { url: PUBLIC_URL }), 422, 'too_many_webhooks')
    const listed = (await (await harness.request(key, '/v1/webhooks')).json()) as { data: Endpoint[] }
    expect(listed.data).toHaveLength(20)
    // Another merchant is not affected.
    await api.created(keyB, { url: PUBLIC_URL })
    // A deleted endpoint frees its place.
    expect((await harness.request(key, `/v1/webhooks/${ids[0]}`, { method: 'DELETE' })).status).toBe(204)
    await api.created(key, { url: PUBLIC_URL })
    await expectProblem(await api.create(key, { url: PUBLIC_URL }), 422, 'too_many_webhooks')
  })

  describe('shopper subscriptions', () => {
    let trackingId: string

    beforeAll(async () => {
      const response = await harness.request(keyA, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify({ trackingNumber: 'SBXDELIVERED001', carrier: 'sandbox' }),
      })
      expect(response.status).toBe(201)
      trackingId = ((await response.json()) as { id: string }).id
    })

    const subscribe = (key: string, id: string, body: unknown) =>
      harness.request(key, `/v1/trackings/${id}/subscriptions`, {
        method: 'POST',
        body: JSON.stringify(body),
      })

    it('creates one: 201 with its secret once, listed under the tracking only', async () => {
      const response = await subscribe(keyA, trackingId, {
        url: PUBLIC_URL,
        events: ['tracking.status_changed'],
      })
      expect(response.status).toBe(201)
      const created = (await response.json()) as Endpoint
      expect(created).toMatchObject({
        id: expect.stringMatching(/^whk_/),
        url: PUBLIC_URL,
        events: ['tracking.status_changed'],
        trackingId,
        secret: expect.stringMatching(/^whsec_/),
      })
      const listed = (await (
        await harness.request(keyA, `/v1/trackings/${trackingId}/subscriptions`)
      ).json()) as {
        data: Endpoint[]
      }
      const { secret: _secret, ...view } = created
      expect(listed.data).toEqual([view])
      for (const entry of listed.data) expectNoSecret(entry)

      // Not a merchant endpoint: not listed, not reachable under /v1/webhooks.
      const merchant = (await (await harness.request(keyA, '/v1/webhooks')).json()) as { data: Endpoint[] }
      expect(merchant.data.map((endpoint) => endpoint.id)).not.toContain(created.id)
      await expectProblem(await harness.request(keyA, `/v1/webhooks/${created.id}`), 404, 'not_found')
      await expectProblem(
        await harness.request(keyA, `/v1/webhooks/${created.id}`, { method: 'DELETE' }),
        404,
        'not_found',
      )
      await expectProblem(
        await harness.request(keyA, `/v1/webhooks/${created.id}/rotate-secret`, { method: 'POST' }),
        404,
        'not_found',
      )

      const deleted = await harness.request(keyA, `/v1/trackings/${trackingId}/subscriptions/${created.id}`, {
        method: 'DELETE',
      })
      expect(deleted.status).toBe(204)
      await expectProblem(
        await harness.request(keyA, `/v1/trackings/${trackingId}/subscriptions/${created.id}`, {
          method: 'DELETE',
        }),
        404,
        'not_found',
      )
    })

    it('refuses what a merchant endpoint refuses, and unknown or foreign trackings', async () => {
      await expectProblem(
        await subscribe(keyA, trackingId, { url: 'http://169.254.169.254/latest/meta-data' }),
        422,
        'invalid_webhook_url',
      )
      await expectProblem(
        await subscribe(keyA, trackingId, { url: PUBLIC_URL, events: ['nope'] }),
        400,
        'validation_failed',
      )
      await expectProblem(await subscribe(keyA, 'trk_doesnotexist', { url: PUBLIC_URL }), 404, 'not_found')
      await expectProblem(await subscribe(keyB, trackingId, { url: PUBLIC_URL }), 404, 'not_found')
      await expectProblem(
        await harness.request(keyB, `/v1/trackings/${trackingId}/subscriptions`),
        404,
        'not_found',
      )
      // A merchant endpoint is not a subscription of the tracking.
      const endpoint = await api.created(keyA, { url: PUBLIC_URL })
      await expectProblem(
        await harness.request(keyA, `/v1/trackings/${trackingId}/subscriptions/${endpoint.id}`, {
          method: 'DELETE',
        }),
        404,
        'not_found',
      )
      expect((await harness.request(keyA, `/v1/webhooks/${endpoint.id}`)).status).toBe(200)
    })

    it('allows 5 per tracking, and they go away with the tracking', async () => {
      const ids: string[] = []
      for (let index = 0; index < 5; index++) {
        const response = await subscribe(keyA, trackingId, { url: PUBLIC_URL })
        expect(response.status).toBe(201)
        ids.push(((await response.json()) as Endpoint).id)
      }
      await expectProblem(await subscribe(keyA, trackingId, { url: PUBLIC_URL }), 422, 'too_many_webhooks')

      expect((await harness.request(keyA, `/v1/trackings/${trackingId}`, { method: 'DELETE' })).status).toBe(
        204,
      )
      await expectProblem(
        await harness.request(keyA, `/v1/trackings/${trackingId}/subscriptions`),
        404,
        'not_found',
      )
      const webhooks = harness.webhooks
      for (const id of ids) expect(await webhooks.getEndpoint(id)).toBeUndefined()
      expect(await webhooks.listEndpoints({ trackingId })).toEqual([])
      // And none can be added to a tracking that is gone.
      await expectProblem(await subscribe(keyA, trackingId, { url: PUBLIC_URL }), 404, 'not_found')
    })
  })
})

describe('webhooks API with WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32', () => {
  let harness: MemoryHarness
  let key: string
  const api = client(() => harness)

  beforeAll(async () => {
    harness = await createMemoryHarness('api-webhooks-allowed', { WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' })
    key = (await harness.apiKeys.create('shop-local')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  it('accepts 127.0.0.1, and only that', async () => {
    const created = await api.created(key, { url: 'http://127.0.0.1:8080/hooks' })
    expect(created.url).toBe('http://127.0.0.1:8080/hooks')
    for (const url of [
      'http://127.0.0.2/',
      'http://127.0.0.2:8080/hooks',
      'http://10.0.0.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:8080/',
      'http://0.0.0.0/',
      'http://user:pass@127.0.0.1/',
    ]) {
      const problem = await expectProblem(await api.create(key, { url }), 422, 'invalid_webhook_url')
      expect(problem.detail, url).toEqual(expect.any(String))
    }
  })
})
