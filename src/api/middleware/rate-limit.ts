import type { Context, MiddlewareHandler } from 'hono'
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { Metrics } from '../../metrics.js'
import { ApiError, problemResponse } from '../problem.js'
import { clientAddress } from './client-address.js'

export interface RateLimitSettings {
  /** Requests per API key and window. */
  perKey: { max: number; durationMs: number }
  /** Failed authentications per client address and window, then refused for `blockMs`. */
  authFailures: { max: number; durationMs: number; blockMs: number }
}

/** rate-limiter-flexible counts in whole seconds. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

/**
 * The limiters, counted in Redis so every API process shares them. While Redis is down each process
 * falls back to an in-memory limiter of the same size (`insuranceLimiter`): the limits still hold,
 * per process, instead of failing open. `rejectIfRedisNotReady` makes that fallback immediate.
 */
export function createRateLimits(redis: Redis, redisPrefix: string, settings: RateLimitSettings) {
  const perKeyOptions = { points: settings.perKey.max, duration: seconds(settings.perKey.durationMs) }
  const authOptions = {
    points: settings.authFailures.max,
    duration: seconds(settings.authFailures.durationMs),
    blockDuration: seconds(settings.authFailures.blockMs),
  }
  return {
    settings: { perKey: perKeyOptions, authFailures: authOptions },
    perKey: new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${redisPrefix}:rl:key`,
      rejectIfRedisNotReady: true,
      ...perKeyOptions,
      insuranceLimiter: new RateLimiterMemory(perKeyOptions),
    }),
    authFailures: new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${redisPrefix}:rl:authfail`,
      rejectIfRedisNotReady: true,
      ...authOptions,
      insuranceLimiter: new RateLimiterMemory(authOptions),
    }),
  }
}

export type RateLimits = ReturnType<typeof createRateLimits>

function tooManyRequests(
  c: Context,
  msBeforeNext: number,
  detail: string,
  headers: Record<string, string> = {},
) {
  const response = problemResponse(c, new ApiError('rate_limited', detail))
  response.headers.set('retry-after', String(Math.max(1, Math.ceil(msBeforeNext / 1000))))
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
  return response
}

/**
 * In front of authentication: an address that failed too often gets 429 at once (a right key
 * included, so a guess cannot be confirmed); after it, a 401 counts as one more failure.
 */
export function throttleFailedAuth(
  limits: RateLimits,
  options: { trustProxy: boolean; metrics?: Pick<Metrics, 'rateLimited'> },
): MiddlewareHandler {
  return async (c, next) => {
    const address = clientAddress(c, options.trustProxy)
    const state = await limits.authFailures.get(address)
    if (state && state.consumedPoints > limits.settings.authFailures.points) {
      options.metrics?.rateLimited.inc({ limit: 'failed_auth' })
      return tooManyRequests(c, state.msBeforeNext, 'too many failed authentications from this address')
    }
    await next()
    if (c.res.status === 401) {
      // The rejection of the failure that crosses the limit blocks the address; this answer stays 401.
      await limits.authFailures.consume(address).catch((error: unknown) => {
        if (!(error instanceof RateLimiterRes)) throw error
      })
    }
  }
}

/**
 * After authentication: counts the request against its API key (by key id, never the secret) and
 * says where the key stands in `RateLimit-*` headers (IETF draft `ratelimit-headers`).
 */
export function limitPerApiKey(
  limits: RateLimits,
  keyIdOf: (c: Context) => string,
  options: { metrics?: Pick<Metrics, 'rateLimited'> } = {},
): MiddlewareHandler {
  const { points, duration } = limits.settings.perKey
  const policy = `${points};w=${duration}`
  return async (c, next) => {
    let state: RateLimiterRes
    try {
      state = await limits.perKey.consume(keyIdOf(c))
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error
      options.metrics?.rateLimited.inc({ limit: 'api_key' })
      return tooManyRequests(
        c,
        error.msBeforeNext,
        `this API key may make ${points} requests per ${duration} s`,
        {
          'ratelimit-policy': policy,
          'ratelimit-limit': String(points),
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.ceil(error.msBeforeNext / 1000)),
        },
      )
    }
    c.header('ratelimit-policy', policy)
    c.header('ratelimit-limit', String(points))
    c.header('ratelimit-remaining', String(state.remainingPoints))
    c.header('ratelimit-reset', String(Math.ceil(state.msBeforeNext / 1000)))
    await next()
  }
}
