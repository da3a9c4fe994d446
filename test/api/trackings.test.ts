import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.js'
import type { CarrierCatalog } from '../../src/api/app-deps.js'
import { addCalendarDays, parisDateOf } from '../../src/domain/business-calendar.js'
import { createSilentLogger } from '../../src/logger.js'
import type { AnalyticsStore } from '../../src/store/analytics-store.js'
import type { EmailSubscriptionStore } from '../../src/store/email-subscription-store.js'
import { createMemoryTrackingStore } from '../../src/store/memory/memory-tracking-store.js'
import type { MerchantSettingsStore } from '../../src/store/merchant-settings-store.js'
import type { WebhookStore } from '../../src/store/webhook-store.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { DOCUMENTED_TRACKING_FIELDS } from '../support/tracking-fields.js'
import { expectProblem, laPosteNumber, NUMBER, type TrackingBody } from './tracking-api.js'

const DOCUMENTED_FIELDS = DOCUMENTED_TRACKING_FIELDS
/** Registration takes promised dates near today only. */
const PROMISED = addCalendarDays(parisDateOf(Date.now()), 10)

describe('trackings API', () => {
  let harness: MemoryHarness
  let keyA: string
  let keyB: string

  beforeAll(async () => {
    harness = await createMemoryHarness('api-trackings')
    keyA = (await harness.apiKeys.create('shop-a')).key
    keyB = (await harness.apiKeys.create('shop-b')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  const post = (key: string, body: unknown, init: RequestInit = {}) =>
    harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    })

  async function register(key: string, trackingNumber: string, extra: Record<string, unknown> = {}) {
    const response = await post(key, { trackingNumber, carrier: 'laposte', ...extra })
    expect([200, 201]).toContain(response.status)
    return (await response.json()) as TrackingBody
  }

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined],
      ['an unknown key', 'Bearer colis_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['junk', 'Bearer nope'],
      ['another scheme', 'Basic c2hvcC1hOnNlY3JldA=='],
      ['an empty bearer', 'Bearer '],
    ])('answers 401 problem+json with %s', async (_name, authorization) => {
      const headers = new Headers()
      if (authorization !== undefined) headers.set('authorization', authorization)
      const response = await harness.app.request('/v1/trackings', { headers })
      const problem = await expectProblem(response, 401, 'unauthorized')
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /)
      expect(problem.instance).toBe('/v1/trackings')
    })

    it('answers 401 for a tampered key, and 200 for the real one', async () => {
      const tampered = `${keyA.slice(0, -1)}${keyA.endsWith('A') ? 'B' : 'A'}`
      await expectProblem(await harness.request(tampered, '/v1/trackings'), 401, 'unauthorized')
      expect((await harness.request(keyA, '/v1/trackings')).status).toBe(200)
    })

    it('answers 401 before anything else on a write', async () => {
      const response = await harness.app.request('/v1/trackings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ trackingNumber: NUMBER, carrier: 'laposte' }),
      })
      await expectProblem(response, 401, 'unauthorized')
    })

    it('echoes a well-formed X-Request-Id the client sent, in the header and the problem', async () => {
      const response = await harness.app.request('/v1/trackings', {
        headers: { 'x-request-id': 'req-abc-123' },
      })
      const problem = await expectProblem(response, 401, 'unauthorized')
      expect(problem.requestId).toBe('req-abc-123')
    })

    it('puts a request id on successful answers too', async () => {
      const response = await harness.request(keyA, '/v1/trackings')
      expect(response.status).toBe(200)
      expect(response.headers.get('x-request-id')).toMatch(/\S+/)
    })
  })

  describe('POST /v1/trackings', () => {
    it('answers 201 with the tracking, then 200 with the same one on re-registration', async () => {
      const number = laPosteNumber(1)
      const created = await post(keyA, { trackingNumber: number, carrier: 'laposte', orderId: 'A-1' })
      expect(created.status).toBe(201)
      const body = (await created.json()) as TrackingBody
      expect(body).toMatchObject({
        trackingNumber: number,
        carrier: 'laposte',
        status: 'pending',
        orderId: 'A-1',
        events: [],
      })
      expect(body.id).toMatch(/^trk_[A-Za-z0-9]{20}$/)
      expect(created.headers.get('location')).toBe(`/v1/trackings/${body.id}`)

      const again = await post(keyA, { trackingNumber: number, carrier: 'laposte' })
      expect(again.status).toBe(200)
      expect(((await again.json()) as TrackingBody).id).toBe(body.id)
    })

    it('normalizes the number before checking and storing it', async () => {
      const created = await post(keyA, { trackingNumber: '8k 0000-9775 862', carrier: 'laposte' })
      expect(created.status).toBe(201)
      const body = (await created.json()) as TrackingBody
      expect(body.trackingNumber).toBe(NUMBER)
      const again = await post(keyA, { trackingNumber: NUMBER, carrier: 'laposte' })
      expect(again.status).toBe(200)
      expect(((await again.json()) as TrackingBody).id).toBe(body.id)
    })

    it('answers 422 invalid_tracking_number with the check-digit reason', async () => {
      const problem = await expectProblem(
        await post(keyA, { trackingNumber: '8K00009775863', carrier: 'laposte' }),
        422,
        'invalid_tracking_number',
      )
      expect(problem.detail).toMatch(/check digit is 3, expected 2/)
    })

    it('answers 422 invalid_tracking_number for a number in no known format', async () => {
      const problem = await expectProblem(
        await post(keyA, { trackingNumber: 'HELLO', carrier: 'laposte' }),
        422,
        'invalid_tracking_number',
      )
      expect(problem.detail).toMatch(/not a La Poste tracking number format/)
    })

    it('answers 422 unknown_carrier and names the carriers there are', async () => {
      const problem = await expectProblem(
        await post(keyA, { trackingNumber: NUMBER, carrier: 'hermes' }),
        422,
        'unknown_carrier',
      )
      expect(problem.carriers).toEqual(expect.arrayContaining(['laposte', 'sandbox']))
    })

    it('does not take inherited object keys for carriers', async () => {
      for (const carrier of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const response = await post(keyA, { trackingNumber: NUMBER, carrier })
        await expectProblem(response, 422, 'unknown_carrier')
      }
    })

    it('answers 400 validation_failed listing every bad field with its pointer', async () => {
      const problem = await expectProblem(
        await post(keyA, { carrier: 'laposte', promisedDeliveryDate: '2026-13-45', merchantId: 'shop-b' }),
        400,
        'validation_failed',
      )
      const pointers = (problem.errors ?? []).map((error) => error.pointer)
      expect(pointers).toEqual(
        expect.arrayContaining(['/trackingNumber', '/promisedDeliveryDate', '/merchantId']),
      )
      expect(problem.errors).toHaveLength(3)
      for (const error of problem.errors ?? []) expect(error.detail).toEqual(expect.any(String))
    })

    it('names each unknown field on its own', async () => {
      const problem = await expectProblem(
        await post(keyA, { trackingNumber: NUMBER, carrier: 'laposte', status: 'delivered', id: 'trk_x' }),
        400,
        'validation_failed',
      )
      expect((problem.errors ?? []).map((error) => error.pointer).sort()).toEqual(['/id', '/status'])
    })

    it('escapes pointers as RFC 6901 says', async () => {
      const problem = await expectProblem(
        await post(keyA, { trackingNumber: NUMBER, carrier: 'laposte', 'a/b~c': 1 }),
        400,
        'validation_failed',
      )
      expect(problem.errors?.map((error) => error.pointer)).toEqual(['/a~1b~0c'])
    })

    it('answers 400 when the body is not an object', async () => {
      for (const body of ['[]', '"text"', '42', 'null']) {
        const problem = await expectProblem(await post(keyA, body), 400, 'validation_failed')
        // RFC 6901: the empty pointer is the whole document.
        expect(problem.errors?.map((error) => error.pointer)).toEqual([''])
      }
    })

    it('refuses metadata over 2 KiB with a pointer to it', async () => {
      const problem = await expectProblem(
        await post(keyA, {
          trackingNumber: NUMBER,
          carrier: 'laposte',
          metadata: { note: 'x'.repeat(2100) },
        }),
        400,
        'validation_failed',
      )
      expect(problem.errors?.map((error) => error.pointer)).toEqual(['/metadata'])
    })

    it('keeps metadata up to 2 KiB', async () => {
      const metadata = { note: 'x'.repeat(1900), shop: 'paris' }
      const body = await register(keyA, laPosteNumber(2), { metadata })
      expect(body.metadata).toEqual(metadata)
    })

    it('answers 413 problem for a body over 64 KiB', async () => {
      const huge = JSON.stringify({
        trackingNumber: NUMBER,
        carrier: 'laposte',
        orderId: 'x'.repeat(70 * 1024),
      })
      const problem = await expectProblem(await post(keyA, huge), 413, 'payload_too_large')
      expect(problem.detail).toMatch(/65536/)
    })

    it('answers 413 for a chunked body over 64 KiB, without a content-length', async () => {
      const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
      let sent = 0
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk)
          else controller.close()
        },
      })
      const response = await harness.request(keyA, '/v1/trackings', {
        method: 'POST',
        body: stream,
        headers: { 'content-type': 'application/json' },
        duplex: 'half',
      } as RequestInit)
      await expectProblem(response, 413, 'payload_too_large')
    })

    it('answers 413 when the content-length announces too much', async () => {
      const response = await harness.request(keyA, '/v1/trackings', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
      })
      await expectProblem(response, 413, 'payload_too_large')
    })

    it('answers 400 invalid_json for a body that is not JSON', async () => {
      await expectProblem(await post(keyA, '{"trackingNumber": '), 400, 'invalid_json')
      const empty = await post(keyA, '', { headers: { 'content-type': 'application/json' } })
      await expectProblem(empty, 400, 'invalid_json')
    })

    it('answers 415 for another content-type', async () => {
      const body = JSON.stringify({ trackingNumber: NUMBER, carrier: 'laposte' })
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
        const response = await post(keyA, body, { headers: { 'content-type': type } })
        await expectProblem(response, 415, 'unsupported_media_type')
      }
    })

    it('accepts application/json with a charset', async () => {
      const response = await post(
        keyA,
        JSON.stringify({ trackingNumber: laPosteNumber(3), carrier: 'laposte' }),
        {
          headers: { 'content-type': 'application/json; charset=utf-8' },
        },
      )
      expect(response.status).toBe(201)
    })
  })

  describe('a carrier without credentials', () => {
    it('answers 422 carrier_not_configured for a valid number, invalid_tracking_number for a bad one', async () => {
      const bare = await createMemoryHarness('api-unconfigured', { LAPOSTE_API_KEY: '' })
      try {
        const key = (await bare.apiKeys.create('shop-a')).key
        const register = (body: unknown) =>
          bare.request(key, '/v1/trackings', { method: 'POST', body: JSON.stringify(body) })
        await expectProblem(
          await register({ trackingNumber: NUMBER, carrier: 'laposte' }),
          422,
          'carrier_not_configured',
        )
        await expectProblem(await register({ trackingNumber: NUMBER }), 422, 'carrier_not_configured')
        // What is wrong with the number does not depend on credentials: the client can fix it at once.
        const badDigit = await expectProblem(
          await register({ trackingNumber: '8K00009775863', carrier: 'laposte' }),
          422,
          'invalid_tracking_number',
        )
        expect(badDigit.detail).toMatch(/check digit is 3, expected 2/)
        await expectProblem(
          await register({ trackingNumber: 'HELLO', carrier: 'laposte' }),
          422,
          'invalid_tracking_number',
        )
      } finally {
        await bare.close()
      }
    })
  })

  describe('GET /v1/trackings/{id}', () => {
    it('shows the documented fields, and never the merchant or internal counters', async () => {
      const created = await register(keyA, laPosteNumber(10), {
        orderId: 'A-10',
        promisedDeliveryDate: PROMISED,
        destinationPostalCode: '75011',
        metadata: { customer: 42 },
      })
      const response = await harness.request(keyA, `/v1/trackings/${created.id}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      const body = (await response.json()) as TrackingBody
      expect(body).toMatchObject({
        id: created.id,
        carrier: 'laposte',
        trackingNumber: laPosteNumber(10),
        status: 'pending',
        events: [],
        orderId: 'A-10',
        promisedDeliveryDate: PROMISED,
        destinationPostalCode: '75011',
        metadata: { customer: 42 },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        nextCheckAt: expect.any(String),
      })
      for (const field of Object.keys(body)) expect(DOCUMENTED_FIELDS).toContain(field)
      for (const hidden of [
        'merchantId',
        'notFoundCount',
        'failureCount',
        'lastNewEventAt',
        'final',
        'stopped',
        'pageToken',
      ]) {
        expect(body).not.toHaveProperty(hidden)
      }
      const raw = JSON.stringify(body)
      expect(raw).not.toContain('shop-a')
    })

    it('answers 404 not_found for an unknown id', async () => {
      await expectProblem(
        await harness.request(keyA, '/v1/trackings/trk_AAAAAAAAAAAAAAAAAAAA'),
        404,
        'not_found',
      )
    })
  })

  describe("another merchant's tracking", () => {
    it('answers 404, never 403, on GET, DELETE and refresh, and is never in its list', async () => {
      const mine = await register(keyA, laPosteNumber(20))
      const path = `/v1/trackings/${mine.id}`
      const unknown = await expectProblem(
        await harness.request(keyB, '/v1/trackings/trk_BBBBBBBBBBBBBBBBBBBB'),
        404,
        'not_found',
      )

      const get = await expectProblem(await harness.request(keyB, path), 404, 'not_found')
      const del = await expectProblem(
        await harness.request(keyB, path, { method: 'DELETE' }),
        404,
        'not_found',
      )
      const refresh = await expectProblem(
        await harness.request(keyB, `${path}/refresh`, { method: 'POST' }),
        404,
        'not_found',
      )
      // Same answer as for an id that does not exist at all: nothing tells that it exists elsewhere.
      for (const problem of [get, del, refresh]) {
        expect(problem.detail).toBe(unknown.detail)
        expect(problem.title).toBe(unknown.title)
      }

      const list = (await (await harness.request(keyB, '/v1/trackings?limit=100')).json()) as {
        data: TrackingBody[]
      }
      expect(list.data.map((item) => item.id)).not.toContain(mine.id)

      // Still there for its owner, untouched.
      const still = await harness.request(keyA, path)
      expect(still.status).toBe(200)
    })

    it('registers the same number for another merchant as its own tracking', async () => {
      const mine = await register(keyA, laPosteNumber(21))
      const response = await post(keyB, { trackingNumber: laPosteNumber(21), carrier: 'laposte' })
      expect(response.status).toBe(201)
      expect(((await response.json()) as TrackingBody).id).not.toBe(mine.id)
    })

    it('cannot take a tracking by sending a merchantId', async () => {
      const response = await post(keyB, {
        trackingNumber: laPosteNumber(22),
        carrier: 'laposte',
        merchantId: 'shop-a',
      })
      await expectProblem(response, 400, 'validation_failed')
    })
  })

  describe('GET /v1/trackings', () => {
    it('walks every tracking once with nextCursor, newest first', async () => {
      const harnessList = await createMemoryHarness('api-list')
      try {
        const key = (await harnessList.apiKeys.create('shop-list')).key
        const ids: string[] = []
        for (let serial = 0; serial < 7; serial++) {
          const response = await harnessList.request(key, '/v1/trackings', {
            method: 'POST',
            body: JSON.stringify({ trackingNumber: laPosteNumber(100 + serial), carrier: 'laposte' }),
          })
          expect(response.status).toBe(201)
          ids.push(((await response.json()) as TrackingBody).id)
          // The list orders by registration millisecond: two in one millisecond would tie (broken by id).
          await new Promise((resolve) => setTimeout(resolve, 2))
        }
        const seen: string[] = []
        let cursor: string | null = null
        let pages = 0
        do {
          const query: string = cursor ? `limit=3&cursor=${encodeURIComponent(cursor)}` : 'limit=3'
          const response = await harnessList.request(key, `/v1/trackings?${query}`)
          expect(response.status).toBe(200)
          const page = (await response.json()) as { data: TrackingBody[]; nextCursor: string | null }
          expect(page.data.length).toBeLessThanOrEqual(3)
          for (const item of page.data) {
            expect(item).not.toHaveProperty('events')
            expect(item).not.toHaveProperty('merchantId')
          }
          seen.push(...page.data.map((item) => item.id))
          cursor = page.nextCursor
          pages++
        } while (cursor && pages < 10)
        expect(pages).toBe(3)
        expect(seen).toHaveLength(7)
        expect([...seen].sort()).toEqual([...ids].sort())
        // Registered one after the other: the newest comes first.
        expect(seen[0]).toBe(ids.at(-1))
      } finally {
        await harnessList.close()
      }
    })

    it('filters by status and carrier', async () => {
      const mine = await register(keyA, laPosteNumber(30))
      const pending = (await (
        await harness.request(keyA, '/v1/trackings?status=pending&carrier=laposte&limit=100')
      ).json()) as { data: TrackingBody[] }
      expect(pending.data.map((item) => item.id)).toContain(mine.id)
      for (const item of pending.data) expect(item).toMatchObject({ status: 'pending', carrier: 'laposte' })
      const delivered = (await (await harness.request(keyA, '/v1/trackings?status=delivered')).json()) as {
        data: TrackingBody[]
        nextCursor: string | null
      }
      expect(delivered).toEqual({ data: [], nextCursor: null })
    })

    it.each([
      ['limit over 100', 'limit=101', '/limit'],
      ['limit 0', 'limit=0', '/limit'],
      ['a limit that is not a number', 'limit=ten', '/limit'],
      ['a fractional limit', 'limit=2.5', '/limit'],
      ['an unknown status', 'status=lost', '/status'],
    ])('answers 400 validation_failed for %s', async (_name, query, pointer) => {
      const problem = await expectProblem(
        await harness.request(keyA, `/v1/trackings?${query}`),
        400,
        'validation_failed',
      )
      expect(problem.errors?.map((error) => error.pointer)).toEqual([pointer])
    })

    it('accepts limit 100', async () => {
      expect((await harness.request(keyA, '/v1/trackings?limit=100')).status).toBe(200)
    })

    it('answers 400 invalid_cursor for a cursor it did not give out', async () => {
      for (const cursor of ['junk', Buffer.from('hello').toString('base64url')]) {
        await expectProblem(
          await harness.request(keyA, `/v1/trackings?cursor=${cursor}`),
          400,
          'invalid_cursor',
        )
      }
    })
  })

  describe('routes and health', () => {
    it('answers 404 route_not_found problem for an unknown route', async () => {
      const problem = await expectProblem(await harness.app.request('/nope'), 404, 'route_not_found')
      expect(problem.detail).toBe('GET /nope')
      await expectProblem(await harness.request(keyA, '/v1/parcels'), 404, 'route_not_found')
    })

    it('answers /healthz 200', async () => {
      const response = await harness.app.request('/healthz')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ status: 'ok' })
    })
  })
})

/** Dependencies these tests never reach. */
const UNUSED_DEPS = {
  publicBaseUrl: 'https://track.example.com',
  alertPolicy: () => ({
    stalledBusinessDays: 3,
    pickupHoldDays: 10,
    pickupNoticeDays: 2,
    dayKind: 'ouvrables' as const,
  }),
  webhooks: {} as WebhookStore,
  merchantSettings: {} as MerchantSettingsStore,
  analytics: {} as AnalyticsStore,
  emails: {} as EmailSubscriptionStore,
  checkWebhookUrl: async () => ({ ok: true as const }),
}

const NO_CARRIERS: CarrierCatalog = {
  list: () => [],
  get: () => undefined,
  detect: (trackingNumber) => ({ trackingNumber, candidates: [], problems: [] }),
}

describe('when Redis or the code fails', () => {
  const appWith = (pingRedis: () => Promise<void>) =>
    createApp({
      store: createMemoryTrackingStore(),
      apiKeys: { verify: async () => undefined },
      carriers: NO_CARRIERS,
      carrierFailures: async () => new Map(),
      ...UNUSED_DEPS,
      pingRedis,
      logger: createSilentLogger(),
    })

  it('answers /readyz 503 problem when the ping fails', async () => {
    const app = appWith(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')))
    const problem = await expectProblem(await app.request('/readyz'), 503, 'redis_unavailable')
    expect(JSON.stringify(problem)).not.toContain('ECONNREFUSED')
  })

  it('answers /readyz 503 within about a second when the ping never resolves', async () => {
    const app = appWith(() => new Promise<void>(() => {}))
    const started = performance.now()
    const response = await app.request('/readyz')
    const elapsedMs = performance.now() - started
    await expectProblem(response, 503, 'redis_unavailable')
    // A bound on "does not hang", loose enough for a loaded machine; the readiness timeout is 1 s.
    expect(elapsedMs).toBeLessThan(3000)
  })

  it.each([
    'Connection is closed.',
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
    'NOREPLICAS Not enough good replicas to write.',
    "READONLY You can't write against a read only replica.",
  ])('answers 503 redis_unavailable when the store meets "%s"', async (message) => {
    const store = {
      ...createMemoryTrackingStore(),
      read: () => Promise.reject(new Error(message)),
    }
    const app = createApp({
      store,
      apiKeys: { verify: async () => ({ keyId: 'k', merchantId: 'shop-a' }) },
      carriers: NO_CARRIERS,
      carrierFailures: async () => new Map(),
      ...UNUSED_DEPS,
      pingRedis: async () => {},
      logger: createSilentLogger(),
    })
    const response = await app.request('/v1/trackings/trk_AAAAAAAAAAAAAAAAAAAA', {
      headers: { authorization: 'Bearer k' },
    })
    await expectProblem(response, 503, 'redis_unavailable')
  })

  it('answers 500 internal for a bug, without leaking its message', async () => {
    const store = {
      ...createMemoryTrackingStore(),
      read: () => Promise.reject(new Error('secret internals at line 42')),
    }
    const app = createApp({
      store,
      apiKeys: { verify: async () => ({ keyId: 'k', merchantId: 'shop-a' }) },
      carriers: NO_CARRIERS,
      carrierFailures: async () => new Map(),
      ...UNUSED_DEPS,
      pingRedis: async () => {},
      logger: createSilentLogger(),
    })
    const response = await app.request('/v1/trackings/trk_AAAAAAAAAAAAAAAAAAAA', {
      headers: { authorization: 'Bearer k' },
    })
    const problem = await expectProblem(response, 500, 'internal')
    expect(JSON.stringify(problem)).not.toContain('secret internals')
  })

  it('keeps /healthz at 200 while Redis is down', async () => {
    const app = appWith(() => Promise.reject(new Error('down')))
    expect((await app.request('/healthz')).status).toBe(200)
  })
})
