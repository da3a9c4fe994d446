import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryRateLimits } from '../../src/api/middleware/rate-limit.js'
import { createMemoryStores } from '../../src/main/stores.js'
import { createMetrics } from '../../src/metrics.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { basic, bearer, expectProblem, TOKEN } from './admin-api.js'

/** Failed authentications an address may make; one more and it is refused, right credential or not. */
const LIMIT = 3
const METRICS_TOKEN = 'metrics-token-0123456789'
const WRONG_KEY = `colis_abcdefghijkm_${'a'.repeat(43)}`

describe('the failed-authentication limit counts presented, wrong credentials only', () => {
  let harness: MemoryHarness
  let key: string
  let lastAddress = 0
  /** Each test makes its requests from an address of its own, through a trusted proxy. */
  const newAddress = () => `203.0.113.${++lastAddress}`
  const get = (path: string, address: string, headers: Record<string, string> = {}) =>
    harness.app.request(path, { headers: { 'x-forwarded-for': address, ...headers } })

  beforeAll(async () => {
    const stores = createMemoryStores()
    harness = await createMemoryHarness(
      'auth-failures',
      {},
      {},
      {
        stores,
        metrics: createMetrics(),
        app: {
          rateLimits: createMemoryRateLimits({
            perKey: { max: 1_000, durationMs: 60_000 },
            authFailures: { max: LIMIT, durationMs: 60_000, blockMs: 600_000 },
          }),
          trustProxy: true,
          metricsToken: METRICS_TOKEN,
          admin: { token: TOKEN, apiKeys: stores.apiKeys, boardQueues: () => [] },
        },
      },
    )
    key = (await stores.apiKeys.create('shop-neighbour')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  it('lets any number of /v1 requests without a key through to 401, and the keys of that address keep working', async () => {
    const address = newAddress()
    for (let index = 0; index < 21; index++) {
      await expectProblem(await get('/v1/trackings', address), 401, 'unauthorized')
    }
    expect((await get('/v1/trackings', address, bearer(key))).status).toBe(200)
  })

  // A header no key can be read from cannot confirm a guess either: it is answered as a missing key.
  it.each([
    ['another scheme', 'Basic c2hvcC1hOnNlY3JldA=='],
    ['an empty bearer', 'Bearer '],
    ['a bearer of two words', 'Bearer two words'],
    ['a scheme alone', 'Bearer'],
  ])('does not count %s on /v1 as a failed authentication', async (_name, authorization) => {
    const address = newAddress()
    for (let index = 0; index <= LIMIT; index++) {
      await expectProblem(await get('/v1/trackings', address, { authorization }), 401, 'unauthorized')
    }
    expect((await get('/v1/trackings', address, bearer(key))).status).toBe(200)
  })

  it('counts wrong API keys: past the limit the address is refused, its right key included', async () => {
    const address = newAddress()
    for (let index = 0; index <= LIMIT; index++) {
      await expectProblem(await get('/v1/trackings', address, bearer(WRONG_KEY)), 401, 'unauthorized')
    }
    await expectProblem(await get('/v1/trackings', address, bearer(key)), 429, 'rate_limited')
  })

  it('lets a browser load the queue dashboard again and again: each request first unauthenticated, then with the token', async () => {
    const address = newAddress()
    const page = await get('/admin/queues', address, basic('ops', TOKEN))
    expect(page.status).toBe(200)
    const html = await page.text()
    const assets = [...html.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map(
      (match) => `/admin/queues/${match[1]}`,
    )
    expect(assets.length).toBeGreaterThanOrEqual(3)
    // What a browser does for each resource until it knows the page's protection space: ask without
    // credentials, get the Basic challenge, ask again with them.
    for (let load = 0; load < 5; load++) {
      for (const path of ['/admin/queues', ...assets, '/admin/queues/api/queues']) {
        const challenged = await get(path, address)
        await expectProblem(challenged, 401, 'admin_unauthorized')
        expect(challenged.headers.get('www-authenticate')).toMatch(/^Basic realm="colis admin"/)
        expect((await get(path, address, basic('ops', TOKEN))).status, path).toBe(200)
      }
    }
  })

  it('counts wrong admin tokens: past the limit the address is refused, the right token included', async () => {
    const address = newAddress()
    for (let index = 0; index <= LIMIT; index++) {
      await expectProblem(await get('/admin/keys', address, basic('ops', 'nope')), 401, 'admin_unauthorized')
    }
    await expectProblem(await get('/admin/keys', address, bearer(TOKEN)), 429, 'rate_limited')
  })

  it('counts wrong admin tokens on the operator route under /v1 too, a merchant API key among them', async () => {
    const address = newAddress()
    const path = '/v1/carriers/sandbox/unknown-codes'
    expect((await get(path, address, bearer(TOKEN))).status).toBe(200)
    for (let index = 0; index <= LIMIT; index++) {
      await expectProblem(await get(path, address, bearer(key)), 401, 'admin_unauthorized')
    }
    await expectProblem(await get(path, address, bearer(TOKEN)), 429, 'rate_limited')
  })

  it('does not count scrapes of /metrics without a token, and counts wrong tokens', async () => {
    const address = newAddress()
    for (let index = 0; index <= LIMIT; index++) {
      await expectProblem(await get('/metrics', address), 401, 'metrics_unauthorized')
    }
    expect((await get('/metrics', address, bearer(METRICS_TOKEN))).status).toBe(200)
    for (let index = 0; index <= LIMIT; index++) {
      await expectProblem(await get('/metrics', address, bearer('wrong')), 401, 'metrics_unauthorized')
    }
    await expectProblem(await get('/metrics', address, bearer(METRICS_TOKEN)), 429, 'rate_limited')
  })

  it.each([
    ['/admin/keys', 'admin_unauthorized', 'Missing or invalid admin token', /^Basic realm="colis admin"/],
    ['/metrics', 'metrics_unauthorized', 'Missing or invalid metrics token', /^Bearer realm="colis metrics"/],
    ['/v1/trackings', 'unauthorized', 'Missing or invalid API key', /^Bearer realm="colis"/],
  ])('titles the 401 of %s after the credential it wants', async (path, code, title, challenge) => {
    const response = await get(path, newAddress(), bearer('wrong-credential'))
    const problem = await expectProblem(response, 401, code)
    expect(problem).toMatchObject({ title, type: `urn:colis:problem:${code}` })
    expect(response.headers.get('www-authenticate')).toMatch(challenge)
  })
})
