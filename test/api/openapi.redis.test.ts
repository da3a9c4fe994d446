import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCalendarDays, parisDateOf } from '../../src/domain/business-calendar.js'
import { createMemoryApiKeyStore } from '../../src/store/memory/memory-api-key-store.js'
import { markFinished } from '../support/finished-tracking.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { validateJsonSchema } from '../support/json-schema.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'
import { TOKEN } from './admin-api.js'
import { fetchSpec, type Operation, type Spec, specOperations, templateOf } from './openapi-spec.js'
import { laPosteNumber } from './tracking-api.js'

describe('OpenAPI document, against the answers of real polls and deliveries', () => {
  let harness: Harness
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let spec: Spec
  let key: string
  const exercised = new Set<string>()

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    harness = await createHarness(
      'api-openapi',
      { WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', ALERT_SWEEP_INTERVAL: '200ms' },
      {},
      { app: { admin: { token: TOKEN, apiKeys: createMemoryApiKeyStore() } } },
    )
    key = (await harness.apiKeys.create('shop-openapi')).key
    spec = await fetchSpec(harness.app)
  })

  afterAll(async () => {
    await harness?.close()
    await receiver?.close()
  })

  /**
   * A real request whose answer must be one the spec declares for that operation and status, with a
   * body that validates against its schema (and carries no undocumented field).
   */
  async function call(
    method: string,
    path: string,
    { body, auth = true, headers }: { body?: unknown; auth?: boolean; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown; response: Response }> {
    const init: RequestInit = {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    }
    const response = auth ? await harness.request(key, path, init) : await harness.app.request(path, init)
    const template = templateOf(spec, method, new URL(path, 'http://colis.test').pathname)
    expect(template, `${method} ${path} is in the spec`).toBeDefined()
    const operation = spec.paths[template as string]?.[method.toLowerCase()] as Operation
    const declared = operation.responses[String(response.status)]
    expect(declared, `${method} ${template} declares ${response.status}`).toBeDefined()
    exercised.add(`${method} ${template}`)
    for (const [name, header] of Object.entries(declared?.headers ?? {})) {
      if (header.required)
        expect(response.headers.get(name), `${method} ${template} header ${name}`).not.toBeNull()
    }
    const text = await response.text()
    if (!declared?.content) {
      expect(text).toBe('')
      return { status: response.status, body: undefined, response }
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? ''
    const media = declared.content[mediaType]
    expect(media, `${method} ${template} ${response.status} declares ${mediaType}`).toBeDefined()
    if (!mediaType.endsWith('json')) return { status: response.status, body: text, response }
    const parsed: unknown = JSON.parse(text)
    const errors = validateJsonSchema(media?.schema ?? false, parsed, { root: spec, closed: true })
    expect(errors, `${method} ${path} → ${response.status}: ${text.slice(0, 400)}`).toEqual([])
    return { status: response.status, body: parsed, response }
  }

  const LOGO =
    '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32"><rect width="96" height="32" fill="#1a56db"/></svg>'

  it('matches the real answers of every operation, successes and errors', async () => {
    // Health.
    await call('GET', '/healthz', { auth: false })
    await call('GET', '/readyz', { auth: false })

    // Carriers.
    await call('GET', '/v1/carriers')
    const detection = await call('GET', '/v1/carriers/detect?number=XY746876977FR')
    expect((detection.body as { candidates: unknown[] }).candidates.length).toBeGreaterThan(0)
    expect((await call('GET', '/v1/carriers/detect')).status).toBe(400)
    const operator = { auth: false, headers: { authorization: `Bearer ${TOKEN}` } }
    expect((await call('GET', '/v1/carriers/sandbox/unknown-codes', operator)).body).toEqual({ data: [] })
    expect((await call('GET', '/v1/carriers/sandbox/unknown-codes')).status).toBe(401)
    expect((await call('GET', '/v1/carriers/nope/unknown-codes', operator)).status).toBe(404)

    // A merchant webhook endpoint, before any parcel, so it gets every notification.
    const endpoint = await call('POST', '/v1/webhooks', {
      body: { url: receiver.url, description: 'back office' },
    })
    expect(endpoint.status).toBe(201)
    const endpointId = (endpoint.body as { id: string }).id
    await call('GET', '/v1/webhooks')
    await call('GET', `/v1/webhooks/${endpointId}`)
    expect((await call('POST', `/v1/webhooks/${endpointId}/rotate-secret`)).status).toBe(200)
    expect((await call('POST', '/v1/webhooks', { body: { url: 'http://169.254.169.254/' } })).status).toBe(
      422,
    )

    // Registration: a parcel already late (alerts), one whose carrier answers garbage (lastError).
    const yesterday = addCalendarDays(parisDateOf(Date.now()), -1)
    const late = await call('POST', '/v1/trackings', {
      body: {
        trackingNumber: 'SBXSTALLED001',
        carrier: 'sandbox',
        promisedDeliveryDate: yesterday,
        destinationPostalCode: '75011',
        orderId: 'A-1',
        metadata: { customer: 42, tags: ['gift'] },
      },
    })
    expect(late.status).toBe(201)
    const lateId = (late.body as { id: string }).id
    expect((await call('POST', '/v1/trackings', { body: { trackingNumber: 'SBXSTALLED001' } })).status).toBe(
      200,
    )
    const missing = await call('POST', '/v1/trackings', {
      body: { trackingNumber: 'SBXGARBAGE002', carrier: 'sandbox' },
    })
    const missingId = (missing.body as { id: string }).id

    // Batch: each item answers for itself, a tracking or a problem.
    const batch = await call('POST', '/v1/trackings/batch', {
      body: {
        trackings: [
          { trackingNumber: 'SBXDELIVERED003', carrier: 'sandbox' },
          { trackingNumber: 'SBXDELIVERED003' },
          { trackingNumber: '' },
          { trackingNumber: 'SBXDELIVERED004', carrier: 'nope' },
          { trackingNumber: 'HELLO-WORLD' },
        ],
      },
    })
    expect(
      (batch.body as { results: Array<{ status: number }> }).results.map((result) => result.status),
    ).toEqual([201, 200, 400, 422, 422])

    // Polls, notifications and alerts come from the real workers.
    await harness.startWorkers()
    await eventually(
      async () =>
        (await call('GET', `/v1/trackings/${lateId}`)).body as { events: unknown[]; alerts: unknown[] },
      (tracking) => tracking.events.length > 0 && tracking.alerts.length > 0,
    )
    await eventually(
      async () => (await call('GET', `/v1/trackings/${missingId}`)).body as { lastError?: unknown },
      (tracking) => tracking.lastError !== undefined,
    )
    const alerts = await eventually(
      async () => (await call('GET', '/v1/alerts?limit=1')).body as { data: unknown[] },
      (page) => page.data.length > 0,
    )
    expect(alerts.data).toHaveLength(1)
    await call('GET', '/v1/alerts?state=resolved')
    expect((await call('GET', '/v1/alerts?cursor=junk')).status).toBe(400)

    // Analytics: a parcel counts once finished (written here, with a promise, rather than waiting for
    // a simulated journey to end; a poll of it in flight makes the save conflict, hence the retry).
    const finished = await call('POST', '/v1/trackings', {
      body: { trackingNumber: 'SBXDELIVERED006', carrier: 'sandbox', destinationPostalCode: '75001' },
    })
    const finishedId = (finished.body as { id: string }).id
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString()
    await eventually(
      () =>
        markFinished(harness.store, finishedId, 'delivered', [
          { occurredAt: hoursAgo(50), status: 'in_transit' },
          { occurredAt: hoursAgo(20), status: 'failed_attempt' },
          { occurredAt: hoursAgo(2), status: 'delivered' },
        ]).then(
          () => true,
          () => false,
        ),
      (done) => done,
    )
    const scorecard = (await call('GET', '/v1/analytics/carriers?groupBy=service')).body as {
      totals: { delivered: number }
    }
    expect(scorecard.totals.delivered).toBe(1)
    const csv = await call('GET', '/v1/analytics/carriers?groupBy=service', {
      headers: { accept: 'text/csv' },
    })
    expect(csv.response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="carriers-.+\.csv"$/,
    )
    expect((await call('GET', '/v1/analytics/carriers?from=2026-W54')).status).toBe(400)
    const everyMerchant = await call('GET', '/v1/admin/analytics/carriers?groupBy=destination', operator)
    expect((everyMerchant.body as { totals: { delivered: number } }).totals.delivered).toBeGreaterThan(0)
    expect(
      (
        await call('GET', '/v1/admin/analytics/carriers', {
          ...operator,
          headers: { ...operator.headers, accept: 'text/csv' },
        })
      ).status,
    ).toBe(200)
    expect((await call('GET', '/v1/admin/analytics/carriers')).status).toBe(401)
    expect((await call('GET', '/v1/admin/analytics/carriers?to=junk', operator)).status).toBe(400)

    // Listing, with a cursor.
    const first = await call('GET', '/v1/trackings?limit=1')
    const nextCursor = (first.body as { nextCursor: string | null }).nextCursor
    expect(nextCursor).toEqual(expect.any(String))
    await call('GET', `/v1/trackings?limit=2&cursor=${encodeURIComponent(nextCursor as string)}`)
    await call('GET', '/v1/trackings?status=pending&alert=late&carrier=sandbox')
    expect((await call('GET', '/v1/trackings?limit=0')).status).toBe(400)
    expect((await call('GET', '/v1/trackings?cursor=junk')).status).toBe(400)

    expect((await call('POST', `/v1/trackings/${lateId}/refresh`)).status).toBe(202)
    expect((await call('POST', `/v1/trackings/${lateId}/page-token`)).status).toBe(200)

    // Deliveries of the notifications about these parcels, and a redelivery.
    const deliveries = await eventually(
      async () =>
        (await call('GET', `/v1/webhooks/${endpointId}/deliveries`)).body as { data: Array<{ id: string }> },
      (page) => page.data.length > 0,
    )
    const deliveryId = deliveries.data[0]?.id as string
    expect((await call('POST', `/v1/webhooks/${endpointId}/deliveries/${deliveryId}/redeliver`)).status).toBe(
      202,
    )
    expect((await call('POST', `/v1/webhooks/${endpointId}/deliveries/dlv_nope/redeliver`)).status).toBe(404)
    expect((await call('GET', `/v1/webhooks/${endpointId}/deliveries?before=yesterday`)).status).toBe(400)

    // The merchant's branding, its logo (served without a key) and its settings.
    expect((await call('GET', '/v1/merchant/branding')).status).toBe(404)
    expect(
      (
        await call('PUT', '/v1/merchant/branding/logo', {
          body: LOGO,
          headers: { 'content-type': 'image/svg+xml' },
        })
      ).status,
    ).toBe(404)
    const dim = { displayName: 'Boutique', accentColor: '#ffff00', showOrderId: false }
    expect((await call('PUT', '/v1/merchant/branding', { body: dim })).status).toBe(422)
    const brand = { displayName: 'Boutique', accentColor: '#1a56db', showOrderId: true }
    expect((await call('PUT', '/v1/merchant/branding', { body: brand })).status).toBe(200)
    const logo = await call('PUT', '/v1/merchant/branding/logo', {
      body: LOGO,
      headers: { 'content-type': 'image/svg+xml' },
    })
    expect(logo.status).toBe(200)
    const { logoUrl } = (await call('GET', '/v1/merchant/branding')).body as { logoUrl: string }
    expect((await call('GET', logoUrl, { auth: false })).body).toContain('<svg')
    expect(
      (await call('GET', logoUrl.replace(/[0-9a-f]{64}$/, '0'.repeat(64)), { auth: false })).status,
    ).toBe(404)
    const gif = { body: 'GIF89a', headers: { 'content-type': 'image/gif' } }
    expect((await call('PUT', '/v1/merchant/branding/logo', gif)).status).toBe(415)
    const broken = { body: '<svg', headers: { 'content-type': 'image/svg+xml' } }
    expect((await call('PUT', '/v1/merchant/branding/logo', broken)).status).toBe(422)
    expect((await call('DELETE', '/v1/merchant/branding/logo')).status).toBe(204)
    expect((await call('GET', '/v1/merchant/settings')).body).toMatchObject({ withdrawalDays: 14 })
    expect((await call('PATCH', '/v1/merchant/settings', { body: { withdrawalDays: 30 } })).status).toBe(200)
    expect((await call('PATCH', '/v1/merchant/settings', { body: { withdrawalDays: 7 } })).status).toBe(400)

    // Shoppers' e-mails: this deployment has no SMTP server, so it takes no e-mail subscription.
    const noSmtp = await call('POST', `/v1/trackings/${lateId}/notifications`, {
      body: { channel: 'email', to: 'shopper@example.com' },
    })
    expect((noSmtp.body as { code: string }).code).toBe('email_not_configured')
    expect((await call('GET', `/v1/trackings/${lateId}/notifications`)).body).toMatchObject({ data: [] })
    const unknownNotification = `/v1/trackings/${lateId}/notifications/ntf_${'a'.repeat(20)}`
    expect((await call('DELETE', unknownNotification)).status).toBe(404)
    const deadLink = `/unsubscribe/${lateId}.ntf_${'a'.repeat(20)}.${'b'.repeat(32)}`
    expect((await call('GET', deadLink, { auth: false })).status).toBe(404)
    expect((await call('POST', deadLink, { auth: false })).status).toBe(404)

    // Shopper subscriptions.
    const subscription = await call('POST', `/v1/trackings/${lateId}/subscriptions`, {
      body: { url: receiver.url, events: ['tracking.status_changed'] },
    })
    expect(subscription.status).toBe(201)
    await call('GET', `/v1/trackings/${lateId}/subscriptions`)
    const subscriptionId = (subscription.body as { id: string }).id
    expect((await call('DELETE', `/v1/trackings/${lateId}/subscriptions/${subscriptionId}`, {})).status).toBe(
      204,
    )
    expect((await call('GET', '/v1/trackings/trk_nope/subscriptions')).status).toBe(404)
    expect((await call('DELETE', `/v1/trackings/${lateId}/subscriptions/whk_nope`)).status).toBe(404)
    expect(
      (await call('POST', `/v1/trackings/trk_nope/subscriptions`, { body: { url: receiver.url } })).status,
    ).toBe(404)

    // Client errors, each with its documented code.
    expect((await call('GET', '/v1/trackings', { auth: false })).status).toBe(401)
    expect((await call('GET', '/v1/trackings/trk_nope')).status).toBe(404)
    expect((await call('POST', '/v1/trackings/trk_nope/refresh')).status).toBe(404)
    expect((await call('POST', '/v1/trackings/trk_nope/page-token')).status).toBe(404)
    expect((await call('POST', '/v1/trackings', { body: { trackingNumber: '', extra: 1 } })).status).toBe(400)
    expect((await call('POST', '/v1/trackings', { body: '{"trackingNumber": ' })).status).toBe(400)
    expect(
      (await call('POST', '/v1/trackings', { body: '{}', headers: { 'content-type': 'text/plain' } })).status,
    ).toBe(415)
    expect(
      (await call('POST', '/v1/trackings', { body: { trackingNumber: 'x', orderId: 'x'.repeat(70 * 1024) } }))
        .status,
    ).toBe(413)
    const unknownCarrier = await call('POST', '/v1/trackings', {
      body: { trackingNumber: 'SBXDELIVERED005', carrier: 'nope' },
    })
    expect((unknownCarrier.body as { carriers: string[] }).carriers).toContain('sandbox')
    const badNumber = await call('POST', '/v1/trackings', {
      body: {
        trackingNumber: laPosteNumber(7).replace(/.$/, (digit) => String((Number(digit) + 1) % 10)),
        carrier: 'laposte',
      },
    })
    expect((badNumber.body as { code: string }).code).toBe('invalid_tracking_number')
    const unknownFormat = await call('POST', '/v1/trackings', { body: { trackingNumber: 'HELLO-WORLD' } })
    expect((unknownFormat.body as { code: string }).code).toBe('unknown_tracking_number_format')
    expect((await call('GET', '/v1/webhooks/whk_nope')).status).toBe(404)
    expect((await call('POST', '/v1/webhooks/whk_nope/rotate-secret')).status).toBe(404)

    // Deletions last.
    expect((await call('DELETE', `/v1/trackings/${missingId}`)).status).toBe(204)
    expect((await call('DELETE', `/v1/trackings/${missingId}`)).status).toBe(404)
    expect((await call('DELETE', `/v1/webhooks/${endpointId}`)).status).toBe(204)
    expect((await call('DELETE', `/v1/webhooks/${endpointId}`)).status).toBe(404)

    expect([...exercised].sort()).toEqual(specOperations(spec).sort())

    // Every notification the receiver got is what the spec's `webhooks` section describes.
    const typesOf = async () =>
      receiver.received.map((webhook) => (JSON.parse(webhook.body) as { type: string }).type)
    await eventually(typesOf, (seen) =>
      ['alert.opened', 'tracking.status_changed', 'tracking.updated'].every((type) => seen.includes(type)),
    )
    const types = new Set<string>()
    for (const webhook of receiver.received) {
      const body = JSON.parse(webhook.body) as { type: string }
      const operation = spec.webhooks?.[body.type]?.post
      expect(operation, `webhook ${body.type} is described`).toBeDefined()
      for (const header of operation?.parameters ?? []) expect(webhook.headers).toHaveProperty(header.name)
      const schema = operation?.requestBody?.content['application/json']?.schema ?? false
      expect(validateJsonSchema(schema, body, { root: spec, closed: true }), webhook.body).toEqual([])
      types.add(body.type)
    }
    expect([...types].sort()).toEqual(['alert.opened', 'tracking.status_changed', 'tracking.updated'])
  })
})
