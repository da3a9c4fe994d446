import type { AuthFailureGuard } from '../middleware/rate-limit.js'

/** How long an address the limiter cleared is not asked about again, unless it fails meanwhile (ms). */
const CLEARED_FOR_MS = 5_000
/** Addresses remembered as cleared; past it the memory starts over. */
const MAX_CLEARED = 10_000

/**
 * A wrong page token is a failed authentication of its client address, counted by the API's guard
 * (AUTH_FAILURE_LIMIT): once over it, the address is refused, right token or not, so a guess cannot be
 * confirmed. An address the limiter cleared is trusted for a few seconds without asking it again,
 * unless it presents a wrong token meanwhile: a shopper coming back to the page costs no limiter call.
 * Without a guard (no rate limits configured) nothing is counted.
 */
export function createGuessThrottle(guard: AuthFailureGuard | undefined) {
  const clearedUntil = new Map<string, number>()
  return {
    /** How long `address` stays refused (ms), if this process knows without asking; else undefined. */
    knownBlockMs(address: string): number | undefined {
      return guard?.knownBlockMs(address)
    },
    async blockMs(address: string): Promise<number | undefined> {
      if (!guard) return undefined
      if ((clearedUntil.get(address) ?? 0) > Date.now()) return undefined
      const left = await guard.blockMs(address)
      if (left === undefined) {
        if (clearedUntil.size >= MAX_CLEARED) clearedUntil.clear()
        clearedUntil.set(address, Date.now() + CLEARED_FOR_MS)
      }
      return left
    },
    async fail(address: string): Promise<void> {
      clearedUntil.delete(address)
      await guard?.fail(address)
    },
  }
}
