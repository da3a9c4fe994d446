import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryStores } from '../../src/main/stores.js'
import { createMetrics } from '../../src/metrics.js'
import { checkWebhookUrl } from '../../src/webhooks/egress-guard.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { answerFaults, type FuzzContext, type FuzzSpec, fuzzedRequests } from '../support/openapi-fuzz.js'
import { propertyRuns } from '../support/property-runs.js'

const ADMIN_TOKEN = 'admin-token-for-the-fuzz-test-0123456789'
const METRICS_TOKEN = 'metrics-token-for-the-fuzz-test'
/** Kept small for the suite; `scripts/fuzz-api.ts` sends 100,000 and more to a real server. */
const RUNS = propertyRuns(300)
/** Fixed, so that the suite draws the same requests on every run; the script draws new ones each time. */
const SEED = 15

/** Webhook URLs are checked by the real guard, without DNS: a host name does not resolve here. */
const noDns = async () => {
  throw Object.assign(new Error('no DNS in this test'), { code: 'ENOTFOUND' })
}

describe('requests drawn from /openapi.json, valid and hostile', () => {
  let harness: MemoryHarness
  let spec: FuzzSpec
  let context: FuzzContext

  beforeAll(async () => {
    const stores = createMemoryStores()
    harness = await createMemoryHarness(
      'fuzz',
      {},
      {},
      {
        stores,
        metrics: createMetrics(),
        app: {
          admin: { token: ADMIN_TOKEN, apiKeys: stores.apiKeys },
          metricsToken: METRICS_TOKEN,
          checkWebhookUrl: (url) => checkWebhookUrl(url, { allowed: [], production: false, lookup: noDns }),
        },
      },
    )
    const { key } = await harness.apiKeys.create('shop-fuzz')
    // One the fuzzed admin requests may revoke: not the key the requests are made with.
    const spare = await harness.apiKeys.create('shop-spare')
    const created = async (path: string, body: unknown) => {
      const response = await harness.request(key, path, { method: 'POST', body: JSON.stringify(body) })
      expect(response.status).toBe(201)
      return ((await response.json()) as { id: string }).id
    }
    const trackingId = await created('/v1/trackings', {
      trackingNumber: 'SBXDELIVERED001',
      carrier: 'sandbox',
    })
    const webhookId = await created('/v1/webhooks', { url: 'https://93.184.216.34/hooks/colis' })
    const subscriptionId = await created(`/v1/trackings/${trackingId}/subscriptions`, {
      url: 'https://93.184.216.34/hooks/shopper',
    })
    spec = (await (await harness.app.request('/openapi.json')).json()) as FuzzSpec
    context = {
      credentials: { apiKey: key, adminToken: ADMIN_TOKEN, metricsToken: METRICS_TOKEN },
      knownIds: {
        'trackings.id': [trackingId],
        'webhooks.id': [webhookId],
        subscriptionId: [subscriptionId],
        keyId: [spare.keyId],
      },
    }
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('never answers 5xx, and every error is problem+json with type, title, status, code and request id', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzedRequests(spec, context), async (request) => {
        const response = await harness.app.request(request.path, {
          method: request.method,
          headers: request.headers,
          body: request.body,
        })
        const answer = {
          status: response.status,
          contentType: response.headers.get('content-type'),
          requestId: response.headers.get('x-request-id'),
          body: await response.text(),
        }
        expect(
          answerFaults(answer),
          `${request.method} ${request.path.slice(0, 300)} → ${answer.body.slice(0, 300)}`,
        ).toEqual([])
      }),
      { numRuns: RUNS, seed: SEED },
    )
  })
})
