import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createHarness, type Harness } from '../support/harness.js'
import { pngOf } from '../support/logo-images.js'
import { expectProblem } from './tracking-api.js'

/** The logo's way through the Redis store: bytes in, the same bytes out, no bytes left behind. */
describe('merchant logo on Redis', () => {
  let harness: Harness
  let key: string

  beforeAll(async () => {
    harness = await createHarness('api-merchant-logo-redis')
    key = (await harness.apiKeys.create('shop-a')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  async function uploadPng(png: Buffer): Promise<string> {
    const response = await harness.request(key, '/v1/merchant/branding/logo', {
      method: 'PUT',
      body: new Uint8Array(png),
      headers: { 'content-type': 'image/png' },
    })
    expect(response.status).toBe(200)
    return ((await response.json()) as { logoUrl: string }).logoUrl
  }

  it('serves the bytes uploaded, and keeps only the current logo in Redis', async () => {
    const branded = await harness.request(key, '/v1/merchant/branding', {
      method: 'PUT',
      body: JSON.stringify({ displayName: 'Maison Lumière', accentColor: '#1a56db' }),
    })
    expect(branded.status).toBe(200)
    const first = pngOf(20, 20, 3000)
    const firstUrl = await uploadPng(first)
    const served = await harness.app.request(firstUrl)
    expect(Buffer.from(await served.arrayBuffer()).equals(first)).toBe(true)

    const secondUrl = await uploadPng(pngOf(21, 21))
    await expectProblem(await harness.app.request(firstUrl), 404, 'not_found')
    expect((await harness.app.request(secondUrl)).status).toBe(200)

    const keys = createRedisKeys(harness.config.COLIS_REDIS_PREFIX)
    const logos = await harness.redis.keys(keys.merchantLogo('shop-a', '*'))
    expect(logos).toEqual([keys.merchantLogo('shop-a', secondUrl.split('/').at(-1) ?? '')])
  })
})
