import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryStores } from '../../src/main/stores.js'
import { validateJsonSchema } from '../support/json-schema.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { basic, bearer, expectProblem, TOKEN } from './admin-api.js'
import { fetchSpec, type Spec } from './openapi-spec.js'

const PATH = '/v1/carriers/sandbox/unknown-codes'
const T0 = Date.now()
const dir = mkdtempSync(join(tmpdir(), 'colis-unknown-codes-api-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('GET /v1/carriers/{id}/unknown-codes', () => {
  let harness: MemoryHarness
  let spec: Spec
  let key: string
  const stores = createMemoryStores()

  beforeAll(async () => {
    const overrides = join(dir, 'overrides.json')
    writeFileSync(overrides, JSON.stringify({ sandbox: { '/inter-sites/': 'in_transit' } }))
    harness = await createMemoryHarness(
      'unknown-codes-api',
      { COLIS_CODE_OVERRIDES: overrides },
      {},
      { stores, app: { admin: { token: TOKEN, apiKeys: stores.apiKeys } } },
    )
    key = (await harness.apiKeys.create('shop-a')).key
    spec = await fetchSpec(harness.app)
    await stores.unknownCodes.record([
      {
        carrier: 'sandbox',
        code: 'SBX_XFER',
        count: 3,
        firstSeenMs: T0 - 60_000,
        lastSeenMs: T0,
        wordings: ['Transfert inter-sites'],
      },
      {
        carrier: 'sandbox',
        code: 'SBX_HOLD',
        count: 1,
        firstSeenMs: T0 - 1000,
        lastSeenMs: T0 - 1000,
        wordings: [],
      },
      { carrier: 'laposte', code: 'ZZ9', count: 1, firstSeenMs: T0, lastSeenMs: T0, wordings: ['Autre'] },
    ])
  })

  afterAll(async () => {
    await harness?.close()
  })

  it("lists the carrier's codes, last seen first, with the status an override gives them now", async () => {
    const response = await harness.app.request(PATH, { headers: bearer(TOKEN) })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const body = await response.json()
    expect(body).toEqual({
      data: [
        {
          code: 'SBX_XFER',
          wordings: ['Transfert inter-sites'],
          count: 3,
          firstSeen: new Date(T0 - 60_000).toISOString(),
          lastSeen: new Date(T0).toISOString(),
          override: 'in_transit',
        },
        {
          code: 'SBX_HOLD',
          wordings: [],
          count: 1,
          firstSeen: new Date(T0 - 1000).toISOString(),
          lastSeen: new Date(T0 - 1000).toISOString(),
        },
      ],
    })
    const operation = spec.paths['/v1/carriers/{id}/unknown-codes']?.get as
      | (Spec['paths'][string][string] & { operationId?: string })
      | undefined
    expect(operation?.operationId).toBe('listUnknownCarrierCodes')
    const schema = operation?.responses['200']?.content?.['application/json']?.schema ?? false
    expect(validateJsonSchema(schema, body, { root: spec, closed: true })).toEqual([])
  })

  it('takes the admin token (Bearer or the browser prompt), not an API key', async () => {
    expect((await harness.app.request(PATH, { headers: basic('ops', TOKEN) })).status).toBe(200)
    for (const headers of [{}, bearer(key), bearer(`${TOKEN}x`)]) {
      await expectProblem(await harness.app.request(PATH, { headers }), 401, 'admin_unauthorized')
    }
    // The API key stays a merchant's key on the other routes.
    expect((await harness.request(key, '/v1/carriers')).status).toBe(200)
  })

  it('answers 404 for a carrier this deployment does not have, or an id of no carrier shape', async () => {
    for (const id of ['acme', 'SANDBOX', 'x'.repeat(40), '%00']) {
      const response = await harness.app.request(`/v1/carriers/${id}/unknown-codes`, {
        headers: bearer(TOKEN),
      })
      await expectProblem(response, 404, 'not_found')
    }
  })

  it('is not there without COLIS_ADMIN_TOKEN', async () => {
    const without = await createMemoryHarness('unknown-codes-no-admin')
    try {
      const response = await without.app.request(PATH, { headers: bearer(TOKEN) })
      await expectProblem(response, 404, 'route_not_found')
    } finally {
      await without.close()
    }
  })
})
