import type { Context, MiddlewareHandler } from 'hono'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible'
import type { Metrics } from '../../metrics.js'
import type { RedisClient } from '../../redis/redis-client.js'
import { ApiError, problemResponse } from '../problem.js'
import { presentedToken } from './bearer-token.js'
import { clientAddress } from './client-address.js'
import { createLeasedLimiter } from './leased-limiter.js'

export interface RateLimitSettings {
  /** Requests per API key and window. */
  perKey: { max: number; durationMs: number }
  /** Failed authentications per client address and window, then refused for `blockMs`. */
  authFailures: { max: number; durationMs: number; blockMs: number }
}

/** rate-limiter-flexible counts in whole seconds. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))

function limiterOptions(settings: RateLimitSettings) {
  return {
    perKey: { points: settings.perKey.max, duration: seconds(settings.perKey.durationMs) },
    authFailures: {
      points: settings.authFailures.max,
      duration: seconds(settings.authFailures.durationMs),
      blockDuration: seconds(settings.authFailures.blockMs),
    },
  }
}

/** The limiters the API counts with: in Redis (`createRateLimits`) or in memory (`createMemoryRateLimits`). */
export interface RateLimits {
  settings: ReturnType<typeof limiterOptions>
  /** Resolves, or rejects with a `RateLimiterRes` once the key is over its limit. */
  perKey: { consume(key: string): Promise<RateLimiterRes> }
  authFailures: {
    get(address: string): Promise<RateLimiterRes | null>
    consume(address: string): Promise<RateLimiterRes>
  }
}

/**
 * The limiters, counted in Redis so every API process shares them. While Redis is down each process
 * falls back to an in-memory limiter of the same size: the limits still hold, per process, instead of
 * failing open, and at once (`rejectIfRedisNotReady`). Failed authentications are counted per
 * request (they are rare); the per-key limit leases points (see createLeasedLimiter).
 */
export function createRateLimits(
  redis: RedisClient,
  redisPrefix: string,
  settings: RateLimitSettings,
): RateLimits {
  const options = limiterOptions(settings)
  return {
    settings: options,
    perKey: createLeasedLimiter(redis, { keyPrefix: `${redisPrefix}:rl:key`, ...options.perKey }),
    authFailures: new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${redisPrefix}:rl:authfail`,
      rejectIfRedisNotReady: true,
      ...options.authFailures,
      insuranceLimiter: new RateLimiterMemory(options.authFailures),
    }),
  }
}

/** The same limits counted in this process's memory: the twin the memory stores run with. */
export function createMemoryRateLimits(settings: RateLimitSettings): RateLimits {
  const options = limiterOptions(settings)
  return {
    settings: options,
    perKey: new RateLimiterMemory(options.perKey),
    authFailures: new RateLimiterMemory(options.authFailures),
  }
}

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
 * The failed-authentication limit of client addresses. `refusal` answers 429 for an address over it
 * (a right key included, so a guess cannot be confirmed); `fail` counts one more failure. An address
 * this process saw cross the limit is refused without asking Redis until its block ends. The
 * `…BlockMs` twins say how long the refusal lasts instead, for answers that are not problem+json.
 */
export function createAuthFailureGuard(
  limits: RateLimits,
  options: { metrics?: Pick<Metrics, 'rateLimited'> },
) {
  const blockedUntil = new Map<string, number>()
  const counted = (left: number | undefined) => {
    if (left !== undefined) options.metrics?.rateLimited.inc({ limit: 'failed_auth' })
    return left
  }
  const refuse = (c: Context, left: number | undefined) =>
    left === undefined
      ? undefined
      : tooManyRequests(c, left, 'too many failed authentications from this address')
  /** How long this address stays blocked (ms), if this process knows it is, without asking Redis. */
  const knownBlock = (address: string): number | undefined => {
    const until = blockedUntil.get(address)
    if (until === undefined) return undefined
    const left = until - Date.now()
    if (left > 0) return left
    blockedUntil.delete(address)
    return undefined
  }
  const block = async (address: string): Promise<number | undefined> => {
    const known = knownBlock(address)
    if (known !== undefined) return known
    const state = await limits.authFailures.get(address)
    if (!state || state.consumedPoints <= limits.settings.authFailures.points) return undefined
    blockedUntil.set(address, Date.now() + state.msBeforeNext)
    return state.msBeforeNext
  }
  return {
    /** The 429 this address gets without asking Redis, if this process knows it is blocked. */
    knownRefusal: (c: Context, address: string): Response | undefined =>
      refuse(c, counted(knownBlock(address))),
    async refusal(c: Context, address: string): Promise<Response | undefined> {
      return refuse(c, counted(await block(address)))
    },
    knownBlockMs: (address: string): number | undefined => counted(knownBlock(address)),
    async blockMs(address: string): Promise<number | undefined> {
      return counted(await block(address))
    },
    async fail(address: string): Promise<void> {
      // The rejection of the failure that crosses the limit blocks the address; this answer stays 401.
      await limits.authFailures.consume(address).catch((error: unknown) => {
        if (!(error instanceof RateLimiterRes)) throw error
        if (blockedUntil.size >= MAX_KNOWN_BLOCKS) blockedUntil.clear()
        blockedUntil.set(address, Date.now() + error.msBeforeNext)
      })
    },
  }
}

export type AuthFailureGuard = ReturnType<typeof createAuthFailureGuard>

/** Addresses remembered as blocked; past it the memory starts over (Redis still has them all). */
const MAX_KNOWN_BLOCKS = 10_000

/**
 * In front of a token check (admin, metrics): counts a 401 as a failure only when a token was
 * presented. A request without one (or with a header no token can be read from) cannot confirm a
 * guess: it is left to the route's 401, without asking the limiter, so a browser's first,
 * credential-less requests for the dashboard and its assets never lock its address out.
 */
export function throttleFailedAuth(
  guard: AuthFailureGuard,
  options: { trustProxy: boolean },
): MiddlewareHandler {
  return async (c, next) => {
    if (presentedToken(c.req.header('authorization')) === undefined) return next()
    const address = clientAddress(c, options.trustProxy)
    const refused = await guard.refusal(c, address)
    if (refused) return refused
    await next()
    if (c.res.status === 401) await guard.fail(address)
  }
}

/**
 * After authentication: counts the request against its API key (by key id, never the secret) and
 * says where the key stands in `RateLimit-*` headers (IETF draft `ratelimit-headers`).
 */
export function limitPerApiKey(
  limits: Pick<RateLimits, 'settings' | 'perKey'>,
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
