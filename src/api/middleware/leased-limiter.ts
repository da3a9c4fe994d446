import { readFileSync } from 'node:fs'
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { RedisClient } from '../../redis/redis-client.js'

/** Read once at startup; see the file's header. */
const LEASE = readFileSync(new URL('./rateLease-1.lua', import.meta.url), 'utf8')

/** How far ahead a busy key's lease reaches, at the rate it has been spending (ms). */
const LEASE_HORIZON_MS = 100
/** Keys whose window ended are dropped from memory once this many are known. */
const MAX_KEYS = 10_000
/** The most of a window one lease may take: what a process holds unspent is lost to the others. */
const LEASE_SHARE = 0.1

interface KeyState {
  /** Points leased to this process and not spent yet. */
  tokens: number
  /** The window's count in Redis after this process's last lease. */
  used: number
  windowEndsAt: number
  /** Points spent since the last lease started, and when it started: the key's recent rate. */
  spent: number
  leaseStartedAt: number
  refusedUntil: number
  pending?: Promise<void>
}

type LeasingRedis = RedisClient & {
  colisRateLease(key: string, want: number, max: number, windowMs: number): Promise<[number, number, number]>
}

export interface LeasedLimiterOptions {
  /** Points per window. */
  points: number
  /** Window length, seconds. */
  duration: number
  keyPrefix: string
}

/**
 * A fixed-window limit counted in Redis, shared by every process, that does not cost a Redis round
 * trip per request. A key spending slowly takes one point per call, exactly as a plain Redis counter
 * would; a busy key leases a batch sized to what it spends in `LEASE_HORIZON_MS` (at most
 * `LEASE_SHARE` of the window) and spends it locally. The sum of what every process allows never
 * exceeds `points` per window; a process may hold a few unspent points another one could have used.
 * A refusal is remembered until the window ends (nothing frees points earlier). Same interface as
 * rate-limiter-flexible: resolves or rejects with a `RateLimiterRes`; while Redis is not ready, an
 * in-memory limiter of the same size answers instead (never fails open).
 */
export function createLeasedLimiter(redis: RedisClient, options: LeasedLimiterOptions) {
  const leasing = redis as LeasingRedis
  if (typeof leasing.colisRateLease !== 'function') {
    redis.defineCommand('colisRateLease', { numberOfKeys: 1, lua: LEASE })
  }
  const { points } = options
  const windowMs = options.duration * 1000
  const maxLease = Math.max(1, Math.floor(points * LEASE_SHARE))
  const insurance = new RateLimiterMemory({ points, duration: options.duration })
  const states = new Map<string, KeyState>()

  const forget = (now: number) => {
    for (const [key, state] of states) if (state.windowEndsAt <= now && !state.pending) states.delete(key)
  }

  const lease = async (key: string, state: KeyState, now: number) => {
    const elapsed = Math.max(1, now - state.leaseStartedAt)
    const want = Math.min(maxLease, Math.max(1, Math.ceil((state.spent / elapsed) * LEASE_HORIZON_MS)))
    state.spent = 0
    state.leaseStartedAt = now
    const [granted, used, ttl] = await leasing.colisRateLease(
      `${options.keyPrefix}:${key}`,
      want,
      points,
      windowMs,
    )
    const at = Date.now()
    if (state.windowEndsAt <= at) state.tokens = 0
    state.windowEndsAt = at + ttl
    state.used = used
    if (granted > 0) state.tokens += granted
    else state.refusedUntil = at + ttl
  }

  const take = async (key: string): Promise<RateLimiterRes> => {
    for (;;) {
      const now = Date.now()
      let state = states.get(key)
      if (!state || (state.windowEndsAt <= now && !state.pending)) {
        if (!state && states.size >= MAX_KEYS) forget(now)
        // A new window: leftover points are gone, the key's rate is kept.
        state = {
          tokens: 0,
          used: 0,
          windowEndsAt: 0,
          spent: state?.spent ?? 0,
          leaseStartedAt: state?.leaseStartedAt ?? now,
          refusedUntil: 0,
        }
        states.set(key, state)
      }
      // Points leased for a window that ended (a new lease is on its way) are not spent.
      if (state.tokens > 0 && state.windowEndsAt > now) {
        state.tokens--
        state.spent++
        return new RateLimiterRes(points - state.used + state.tokens, state.windowEndsAt - now, 0, false)
      }
      if (state.refusedUntil > now) {
        throw new RateLimiterRes(0, state.refusedUntil - now, state.used, false)
      }
      if (!state.pending) {
        const current = state
        current.pending = lease(key, current, now).finally(() => {
          current.pending = undefined
        })
      }
      await state.pending
    }
  }

  return {
    async consume(key: string): Promise<RateLimiterRes> {
      if (redis.status !== 'ready') return insurance.consume(key)
      try {
        return await take(key)
      } catch (error) {
        if (error instanceof RateLimiterRes) throw error
        return insurance.consume(key)
      }
    },
  }
}

export type LeasedLimiter = ReturnType<typeof createLeasedLimiter>
