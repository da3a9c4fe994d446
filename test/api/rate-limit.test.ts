import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createRateLimits, type RateLimitSettings } from '../../src/api/middleware/rate-limit.js'
import { createMetrics } from '../../src/metrics.js'
import { secretOf } from '../support/api-key.js'
import { createHarness, type Harness } from '../support/harness.js'
import { untilReady } from '../support/idle.js'
import { parseExposition, sampleValue } from '../support/prometheus.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

const SETTINGS: RateLimitSettings = {
  perKey: { max: 5, durationMs: 60_000 },
  authFailures: { max: 3, durationMs: 60_000, blockMs: 600_000 },
}

async function expectTooMany(response: Response) {
  expect(response.status).toBe(429)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const retryAfter = Number(response.headers.get('retry-after'))
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true)
  expect(await response.json()).toMatchObject({ status: 429, code: 'rate_limited' })
  return retryAfter
}

/** Two API processes: two apps, each with its own limiter objects and connection, on one Redis. */
describe('rate limits shared by every API process through Redis', () => {
  const prefix = uniquePrefix('rate-limit')
  const connections: Redis[] = []
  const metrics = createMetrics()
  let first: Harness
  let second: Harness

  const apiProcess = async (name: string, trustProxy: boolean) => {
    const redis = connectTestRedis()
    connections.push(redis)
    // Until its connection is ready a limiter counts in memory, per process (its Redis-down fallback):
    // the counts shared through Redis are what these tests check.
    await untilReady(redis)
    return createHarness(
      name,
      { COLIS_REDIS_PREFIX: prefix },
      {},
      { metrics, app: { rateLimits: createRateLimits(redis, prefix, SETTINGS), trustProxy } },
    )
  }

  beforeAll(async () => {
    first = await apiProcess('rate-limit-a', true)
    second = await apiProcess('rate-limit-b', true)
  })

  afterAll(async () => {
    await Promise.all([first.close(), second.close()])
    await Promise.all(connections.map((redis) => redis.quit()))
  })

  const from = (address: string, key?: string) => ({
    'x-forwarded-for': `198.51.100.1, ${address}`,
    ...(key ? { authorization: `Bearer ${key}` } : {}),
  })

  it('allows RATE_LIMIT requests per key across both processes, then 429 with Retry-After', async () => {
    const key = (await first.apiKeys.create('shop-busy')).key
    const remaining: string[] = []
    for (const harness of [first, second, first, second, first]) {
      const response = await harness.request(key, '/v1/trackings')
      expect(response.status).toBe(200)
      expect(response.headers.get('ratelimit-limit')).toBe('5')
      expect(response.headers.get('ratelimit-policy')).toBe('5;w=60')
      remaining.push(response.headers.get('ratelimit-remaining') ?? '')
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0'])
    for (const harness of [second, first]) {
      const refused = await harness.request(key, '/v1/trackings')
      expect(await expectTooMany(refused)).toBeLessThanOrEqual(60)
      expect(refused.headers.get('ratelimit-remaining')).toBe('0')
    }
  })

  it('counts each key on its own: another key of the same merchant is not slowed down', async () => {
    const busy = (await first.apiKeys.create('shop-two-keys')).key
    const calm = (await first.apiKeys.create('shop-two-keys')).key
    for (let index = 0; index < 5; index++)
      expect((await first.request(busy, '/v1/trackings')).status).toBe(200)
    await expectTooMany(await first.request(busy, '/v1/trackings'))
    expect((await second.request(calm, '/v1/trackings')).status).toBe(200)
  })

  it('keys its counters by key id, never by the secret', async () => {
    const created = await first.apiKeys.create('shop-counter')
    expect((await first.request(created.key, '/v1/trackings')).status).toBe(200)
    const names = await connections[0]?.keys(`${prefix}:rl:*`)
    expect(names).toContain(`${prefix}:rl:key:${created.keyId}`)
    const secret = secretOf(created.key)
    expect(names?.some((name) => name.includes(secret))).toBe(false)
  })

  it('refuses an address after AUTH_FAILURE_LIMIT failed authentications, even with a right key, on both processes', async () => {
    const key = (await first.apiKeys.create('shop-victim')).key
    const attacker = '203.0.113.7'
    for (const [index, harness] of [first, second, first, second].entries()) {
      const response = await harness.app.request('/v1/trackings', {
        headers: from(attacker, `colis_abcdefghijkm_${String(index).repeat(43)}`),
      })
      expect(response.status).toBe(401)
    }
    for (const harness of [first, second]) {
      const retryAfter = await expectTooMany(
        await harness.app.request('/v1/trackings', { headers: from(attacker, key) }),
      )
      expect(retryAfter).toBeGreaterThan(60)
      expect(retryAfter).toBeLessThanOrEqual(600)
    }
    // Someone else, with the same key, is not affected.
    expect((await first.app.request('/v1/trackings', { headers: from('203.0.113.8', key) })).status).toBe(200)
  })

  it('refuses an address that crossed the limit on this process even with a key it had just used', async () => {
    const key = (await first.apiKeys.create('shop-turned')).key
    const address = '203.0.113.30'
    expect((await first.app.request('/v1/trackings', { headers: from(address, key) })).status).toBe(200)
    for (let index = 0; index < 4; index++) {
      const response = await first.app.request('/v1/trackings', {
        headers: from(address, `colis_abcdefghijkm_${String(index).repeat(43)}`),
      })
      expect(response.status).toBe(401)
    }
    await expectTooMany(await first.app.request('/v1/trackings', { headers: from(address, key) }))
  })

  it('does not count successful authentications as failures', async () => {
    const key = (await first.apiKeys.create('shop-honest')).key
    for (let index = 0; index < 5; index++) {
      expect((await first.app.request('/v1/trackings', { headers: from('203.0.113.20', key) })).status).toBe(
        200,
      )
    }
  })

  it('counts refusals in colis_rate_limited_total', async () => {
    const samples = parseExposition((await metrics.render()).body)
    expect(sampleValue(samples, 'colis_rate_limited_total', { limit: 'api_key' })).toBeGreaterThanOrEqual(3)
    expect(sampleValue(samples, 'colis_rate_limited_total', { limit: 'failed_auth' })).toBeGreaterThanOrEqual(
      2,
    )
  })
})

describe('authentication of a known key and address', () => {
  it('asks Redis nothing for the key or the address once they were verified together', async () => {
    const redis = connectTestRedis()
    await untilReady(redis)
    const prefix = uniquePrefix('rate-limit-cached')
    const limits = createRateLimits(redis, prefix, SETTINGS)
    const failureChecks = vi.spyOn(limits.authFailures, 'get')
    const harness = await createHarness(
      'rate-limit-cached',
      { COLIS_REDIS_PREFIX: prefix },
      {},
      { app: { rateLimits: limits, trustProxy: true } },
    )
    const verifications = vi.spyOn(harness.apiKeys, 'verify')
    try {
      const key = (await harness.apiKeys.create('shop-cached')).key
      const headers = (address: string) => ({ 'x-forwarded-for': address, authorization: `Bearer ${key}` })
      for (let index = 0; index < 3; index++) {
        expect(
          (await harness.app.request('/v1/trackings', { headers: headers('198.51.100.9') })).status,
        ).toBe(200)
      }
      expect(verifications).toHaveBeenCalledTimes(1)
      expect(failureChecks).toHaveBeenCalledTimes(1)
      // The same key from another address is checked again, address first.
      expect((await harness.app.request('/v1/trackings', { headers: headers('198.51.100.10') })).status).toBe(
        200,
      )
      expect(failureChecks).toHaveBeenCalledTimes(2)
      expect(verifications).toHaveBeenCalledTimes(2)
    } finally {
      await harness.close()
      await redis.quit()
    }
  })
})

describe('failed authentications without TRUST_PROXY', () => {
  const prefix = uniquePrefix('rate-limit-noproxy')
  let redis: Redis
  let harness: Harness

  beforeAll(async () => {
    redis = connectTestRedis()
    await untilReady(redis)
    harness = await createHarness(
      'rate-limit-noproxy',
      { COLIS_REDIS_PREFIX: prefix },
      {},
      { app: { rateLimits: createRateLimits(redis, prefix, SETTINGS), trustProxy: false } },
    )
  })

  afterAll(async () => {
    await harness.close()
    await redis.quit()
  })

  it('keys failures on the TCP peer: a forged X-Forwarded-For does not escape the limit', async () => {
    const peer = { incoming: { socket: { remoteAddress: '::ffff:192.0.2.44' } } }
    for (let index = 0; index < 4; index++) {
      const response = await harness.app.request(
        '/v1/trackings',
        { headers: { 'x-forwarded-for': `10.0.0.${index}`, authorization: 'Bearer nope' } },
        peer,
      )
      expect(response.status).toBe(401)
    }
    const key = (await harness.apiKeys.create('shop-peer')).key
    await expectTooMany(
      await harness.app.request(
        '/v1/trackings',
        { headers: { 'x-forwarded-for': '10.9.9.9', authorization: `Bearer ${key}` } },
        peer,
      ),
    )
    // Another peer is not affected.
    const other = { incoming: { socket: { remoteAddress: '192.0.2.45' } } }
    expect(
      (await harness.app.request('/v1/trackings', { headers: { authorization: `Bearer ${key}` } }, other))
        .status,
    ).toBe(200)
  })
})

describe('while Redis is unreachable', () => {
  it('limits in memory (insurance limiter) instead of failing open or waiting', async () => {
    // A client that never connects: port 1 refuses, and no command is queued.
    const down = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    })
    down.on('error', () => undefined)
    const limits = createRateLimits(down, 'unreachable', SETTINGS)
    for (let index = 0; index < 5; index++) await limits.perKey.consume('key-a')
    await expect(limits.perKey.consume('key-a')).rejects.toMatchObject({ remainingPoints: 0 })
    await expect(limits.perKey.consume('key-b')).resolves.toMatchObject({ remainingPoints: 4 })
    down.disconnect()
  })
})
