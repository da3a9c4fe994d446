import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app.js'
import { withEventId } from '../../src/domain/tracking-event.js'
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhook-events.js'
import { createSilentLogger } from '../../src/logger.js'
import { createMemoryStores } from '../../src/main/stores.js'
import { createMetrics } from '../../src/metrics.js'
import type { AnalyticsStore } from '../../src/store/analytics-store.js'
import type { EmailSubscriptionStore } from '../../src/store/email-subscription-store.js'
import { createMemoryTrackingStore } from '../../src/store/memory/memory-tracking-store.js'
import type { MerchantSettingsStore } from '../../src/store/merchant-settings-store.js'
import type { WebhookStore } from '../../src/store/webhook-store.js'
import { markFinished } from '../support/finished-tracking.js'
import { validateJsonSchema } from '../support/json-schema.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { fetchSpec, isDescribed, type Spec, specOperations, templateOf } from './openapi-spec.js'

const METRICS_TOKEN = 'metrics-token-0123456789'

describe('OpenAPI document', () => {
  let harness: MemoryHarness
  let spec: Spec
  let key: string

  beforeAll(async () => {
    // Every optional part on: the admin API and dashboard, /metrics behind its token.
    const stores = createMemoryStores()
    harness = await createMemoryHarness(
      'api-openapi',
      {},
      {},
      {
        stores,
        metrics: createMetrics(),
        app: {
          admin: {
            token: 'admin-token-0123456789abcdef0123456789',
            apiKeys: stores.apiKeys,
            boardQueues: () => [],
          },
          metricsToken: METRICS_TOKEN,
        },
      },
    )
    key = (await harness.apiKeys.create('shop-openapi')).key
    spec = await fetchSpec(harness.app)
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('is OpenAPI 3.1, served without an API key, for the deployment that serves it', () => {
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/)
    expect(spec.components.schemas).toHaveProperty('Tracking')
    expect(spec.components.schemas).toHaveProperty('Problem')
    expect(spec.servers).toEqual([expect.objectContaining({ url: '/' })])
  })

  it('describes every route of the app with its method and path, and nothing else', () => {
    const routes = new Set(
      harness.app.routes
        .filter((route) => route.method !== 'ALL' && isDescribed(route.path))
        .map((route) => `${route.method} ${route.path.replace(/:([^/]+)/g, '{$1}')}`),
    )
    expect(routes.size).toBeGreaterThan(25)
    expect([...routes].sort()).toEqual(specOperations(spec, { all: true }).sort())
    expect(routes).toContain('GET /metrics')
    expect(routes).toContain('DELETE /admin/keys/{keyId}')
  })

  it('names every operation, webhooks included, with a unique operationId', () => {
    const operations = [...Object.values(spec.paths), ...Object.values(spec.webhooks ?? {})].flatMap((item) =>
      Object.values(item),
    )
    const ids = operations.map((operation) => operation.operationId)
    expect(ids.length).toBeGreaterThan(30)
    expect(ids.filter((id) => !id?.match(/^[a-z][A-Za-z]+$/))).toEqual([])
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('describes the POST colis makes for each webhook event type, with its signature headers', () => {
    expect(Object.keys(spec.webhooks ?? {}).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort())
    for (const type of WEBHOOK_EVENT_TYPES) {
      const operation = spec.webhooks?.[type]?.post
      const headers = (operation?.parameters ?? []).filter((parameter) => parameter.in === 'header')
      expect(
        headers.map((header) => [header.name, header.required]),
        type,
      ).toEqual([
        ['webhook-id', true],
        ['webhook-timestamp', true],
        ['webhook-signature', true],
      ])
      const schema = operation?.requestBody?.content['application/json']?.schema
      expect(schema, type).toEqual({ $ref: expect.stringMatching(/^#\/components\/schemas\/\w+Webhook$/) })
    }
  })

  it('leaves /admin and /metrics out where they are off', async () => {
    const plain = await createMemoryHarness('api-openapi-plain')
    try {
      const paths = Object.keys((await fetchSpec(plain.app)).paths)
      expect(paths.filter((path) => /^\/(admin|metrics)/.test(path))).toEqual([])
      expect(paths).toContain('/docs')
    } finally {
      await plain.close()
    }
  })

  it('declares a problem+json answer with its codes for the errors of each operation', () => {
    for (const operation of specOperations(spec)) {
      const [method = '', path = ''] = operation.split(' ')
      const responses = spec.paths[path]?.[method.toLowerCase()]?.responses ?? {}
      expect(responses['500']?.content, operation).toHaveProperty(['application/problem+json'])
      if (path.startsWith('/v1/')) {
        expect(responses['401']?.content, operation).toHaveProperty(['application/problem+json'])
      }
    }
  })

  it('describes a tracking with a day as its estimate, a booked window and a scan that only resumes', async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trackingNumber: 'SBXDELIVERED001' }),
    })
    const { id } = (await created.json()) as { id: string }
    const [view] = await harness.store.loadForPoll([id])
    if (!view) throw new Error('not stored')
    const dropOff = withEventId('sandbox', 'SBXDELIVERED001', {
      occurredAt: '2026-06-27T09:08:00Z',
      status: 'in_transit',
      code: 'RB',
      description: 'Colis en cours de livraison au point de retrait',
      resumesOnly: true,
    })
    const window = { from: '2026-06-27T10:00:00+02:00', to: '2026-06-27T12:00:00+02:00' }
    const record = { ...view.record, estimatedDelivery: '2026-06-27', estimatedDeliveryWindow: window }
    expect(
      await harness.store.save([{ before: view, record, events: [dropOff], nextPoll: undefined }]),
    ).toEqual(['saved'])
    const response = await harness.request(key, `/v1/trackings/${id}`)
    const tracking = (await response.json()) as Record<string, unknown>
    expect(tracking).toMatchObject({ estimatedDelivery: '2026-06-27', estimatedDeliveryWindow: window })
    expect(tracking.events).toEqual([dropOff])
    const schema = { $ref: '#/components/schemas/Tracking' }
    expect(validateJsonSchema(schema, tracking, { root: spec, closed: true })).toEqual([])
  })

  it("describes a delivered tracking with the consumer's deadlines, and an undelivered one without", async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trackingNumber: 'SBXDELIVERED002', destinationPostalCode: '57000' }),
    })
    const { id } = (await created.json()) as { id: string }
    const schema = { $ref: '#/components/schemas/Tracking' }
    const before = (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as Record<
      string,
      unknown
    >
    expect(before).not.toHaveProperty('consumerDeadlines')
    await markFinished(harness.store, id, 'delivered', [
      { occurredAt: '2025-12-23T11:00:00+01:00', status: 'delivered' },
    ])
    const tracking = (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as Record<
      string,
      unknown
    >
    const deadlines = {
      withdrawalUntil: '2026-01-06',
      carrierProtestUntil: '2025-12-28',
      conformityGuaranteeUntil: '2027-12-23',
    }
    expect(tracking.consumerDeadlines).toEqual(deadlines)
    expect(validateJsonSchema(schema, tracking, { root: spec, closed: true })).toEqual([])
    const page = (await (await harness.request(key, '/v1/trackings?status=delivered')).json()) as {
      data: Array<Record<string, unknown>>
    }
    expect(page.data.find((item) => item.id === id)?.consumerDeadlines).toEqual(deadlines)
  })

  it('describes the problem of an unknown route too', async () => {
    const response = await harness.request(key, '/v1/nope')
    expect(response.status).toBe(404)
    const problem = await response.json()
    const schema = { $ref: '#/components/schemas/Problem' }
    expect(validateJsonSchema(schema, problem, { root: spec, closed: true })).toEqual([])
  })
})

describe('OpenAPI document, when Redis or the code fails', () => {
  const appWith = (read: () => Promise<never>, pingRedis: () => Promise<void>) =>
    createApp({
      store: { ...createMemoryTrackingStore(), read },
      apiKeys: { verify: async () => ({ keyId: 'k', merchantId: 'shop-a' }) },
      carriers: {
        list: () => [],
        get: () => undefined,
        detect: (n) => ({ trackingNumber: n, candidates: [], problems: [] }),
      },
      carrierFailures: async () => new Map(),
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
      pingRedis,
      publicBaseUrl: 'https://track.example.com',
      logger: createSilentLogger(),
    })

  it.each([
    ['/v1/trackings/trk_AAAAAAAAAAAAAAAAAAAA', 503, new Error('Connection is closed.')],
    ['/v1/trackings/trk_AAAAAAAAAAAAAAAAAAAA', 500, new Error('a bug')],
    ['/readyz', 503, new Error('connect ECONNREFUSED')],
  ] as const)('documents GET %s answering %i', async (path, status, error) => {
    const app = appWith(
      () => Promise.reject(error),
      () => Promise.reject(error),
    )
    const spec = (await (await app.request('/openapi.json')).json()) as Spec
    const response = await app.request(path, { headers: { authorization: 'Bearer k' } })
    expect(response.status).toBe(status)
    const template = templateOf(spec, 'GET', path) as string
    const schema =
      spec.paths[template]?.get?.responses[String(status)]?.content?.['application/problem+json']?.schema
    expect(schema, `${template} declares ${status}`).toBeDefined()
    expect(validateJsonSchema(schema ?? false, await response.json(), { root: spec, closed: true })).toEqual(
      [],
    )
  })
})

describe('API docs at /docs', () => {
  let harness: MemoryHarness

  beforeAll(async () => {
    harness = await createMemoryHarness('api-docs')
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('serves Swagger UI from this origin only, under a strict CSP', async () => {
    const response = await harness.app.request('/docs')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    const html = await response.text()
    expect(html).not.toMatch(/https?:/i)
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i)
    expect(html).not.toMatch(/<style|\sstyle=/i)

    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/)

    const assets = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string)
    expect(assets).toEqual(
      expect.arrayContaining([
        '/docs/assets/swagger-ui.css',
        '/docs/assets/swagger-ui-bundle.js',
        '/docs/assets/init.js',
      ]),
    )
    const expectedType: Record<string, RegExp> = {
      '.css': /^text\/css/,
      '.js': /^text\/javascript/,
      '.png': /^image\/png$/,
    }
    for (const asset of assets) {
      expect(asset).toMatch(/^\/docs\/assets\/[\w.-]+$/)
      const served = await harness.app.request(asset)
      expect(served.status, asset).toBe(200)
      const extension = asset.slice(asset.lastIndexOf('.'))
      expect(served.headers.get('content-type'), asset).toMatch(expectedType[extension] ?? /^$/)
      const body = await served.text()
      expect(body.length, asset).toBeGreaterThan(0)
      if (extension === '.css') {
        // Every url(...) of the stylesheet is inline data, nothing to fetch elsewhere.
        for (const [, target] of body.matchAll(/url\(\s*["']?([^"')]+)/g)) expect(target).toMatch(/^data:/)
      }
    }
  })

  it('points Swagger UI at /openapi.json, with no call to the online validator', async () => {
    const script = await (await harness.app.request('/docs/assets/init.js')).text()
    expect(script).toContain('"/openapi.json"')
    expect(script).toContain('validatorUrl: null')
    expect(script).not.toMatch(/https?:/)
  })

  it('answers 404 problem for any other asset', async () => {
    for (const path of ['/docs/assets/index.html', '/docs/assets/..%2Fpackage.json', '/docs/assets/']) {
      const response = await harness.app.request(path)
      expect(response.status, path).toBe(404)
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    }
  })
})
