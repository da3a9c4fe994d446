import type { Redis } from 'ioredis'
import { RateLimiterRes } from 'rate-limiter-flexible'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createLeasedLimiter } from '../../src/api/middleware/leased-limiter.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

/** Resolves to true when the point was granted, false when refused; other errors are failures. */
async function allowed(limiter: ReturnType<typeof createLeasedLimiter>, key: string): Promise<boolean> {
  try {
    await limiter.consume(key)
    return true
  } catch (error) {
    if (error instanceof RateLimiterRes) return false
    throw error
  }
}

/** Counts the lease scripts a client sends (each is one Redis round trip). */
function countLeases(redis: Redis): () => number {
  const spy = vi.spyOn(
    redis as unknown as { colisRateLease: (...args: unknown[]) => unknown },
    'colisRateLease',
  )
  return () => spy.mock.calls.length
}

describe('leased per-key limiter', () => {
  const connections: Redis[] = []
  /** A ready connection: before it is ready, the limiter answers from memory (tested in rate-limit.test.ts). */
  const connect = async () => {
    const redis = connectTestRedis()
    connections.push(redis)
    await redis.ping()
    return redis
  }

  afterAll(async () => {
    vi.restoreAllMocks()
    await Promise.all(connections.map((redis) => redis.quit()))
  })

  it('never allows more than the window holds across two busy processes, and allows all of it', async () => {
    const keyPrefix = uniquePrefix('lease-two')
    const first = createLeasedLimiter(await connect(), { keyPrefix, points: 500, duration: 60 })
    const second = createLeasedLimiter(await connect(), { keyPrefix, points: 500, duration: 60 })
    const results = await Promise.all(
      // Each process alone asks for more than the window holds, so neither is left with unspent points.
      Array.from({ length: 1200 }, (_, index) => allowed(index % 2 ? first : second, 'key-a')),
    )
    expect(results.filter(Boolean)).toHaveLength(500)
    expect(Number(await connections[0]?.get(`${keyPrefix}:key-a`))).toBe(500)
  })

  it('leases a busy key in batches: far fewer Redis round trips than requests', async () => {
    const redis = await connect()
    const limiter = createLeasedLimiter(redis, {
      keyPrefix: uniquePrefix('lease-busy'),
      points: 100_000,
      duration: 60,
    })
    await redis.ping()
    const leases = countLeases(redis)
    for (let burst = 0; burst < 20; burst++) {
      const results = await Promise.all(Array.from({ length: 100 }, () => allowed(limiter, 'key-b')))
      expect(results.every(Boolean)).toBe(true)
    }
    // One call per request would be 2000.
    expect(leases()).toBeLessThan(100)
  })

  it('takes one point per call for a key spending slowly, so the Redis count is exact', async () => {
    const redis = await connect()
    const keyPrefix = uniquePrefix('lease-slow')
    const limiter = createLeasedLimiter(redis, { keyPrefix, points: 600, duration: 60 })
    const remaining: number[] = []
    for (let index = 0; index < 5; index++) {
      remaining.push((await limiter.consume('key-c')).remainingPoints)
      expect(Number(await redis.get(`${keyPrefix}:key-c`))).toBe(index + 1)
      // Slower than one call per lease horizon (100 ms).
      await new Promise((resolve) => setTimeout(resolve, 120))
    }
    expect(remaining).toEqual([599, 598, 597, 596, 595])
  })

  it('remembers a refusal until the window ends instead of asking Redis again', async () => {
    const redis = await connect()
    const limiter = createLeasedLimiter(redis, {
      keyPrefix: uniquePrefix('lease-refused'),
      points: 3,
      duration: 60,
    })
    for (let index = 0; index < 3; index++) expect(await allowed(limiter, 'key-d')).toBe(true)
    const leases = countLeases(redis)
    const refusal = await limiter.consume('key-d').catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(RateLimiterRes)
    expect((refusal as RateLimiterRes).remainingPoints).toBe(0)
    expect((refusal as RateLimiterRes).msBeforeNext).toBeGreaterThan(55_000)
    for (let index = 0; index < 10; index++) expect(await allowed(limiter, 'key-d')).toBe(false)
    expect(leases()).toBe(1)
  })

  it('starts a new window once the old one ends', async () => {
    const redis = await connect()
    const limiter = createLeasedLimiter(redis, {
      keyPrefix: uniquePrefix('lease-window'),
      points: 2,
      duration: 1,
    })
    expect(await allowed(limiter, 'key-e')).toBe(true)
    expect(await allowed(limiter, 'key-e')).toBe(true)
    expect(await allowed(limiter, 'key-e')).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect(await allowed(limiter, 'key-e')).toBe(true)
  })
})
