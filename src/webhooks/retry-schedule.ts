/** Svix / Standard Webhooks schedule: the delays before attempts 2 to 8 (about 27.5 h in all). */
export const WEBHOOK_RETRY_DELAYS_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
] as const

const MAX_RETRY_AFTER_MS = 24 * 3_600_000

export interface RetryDelayOptions {
  /** Scales every delay: 1 in production, e.g. 0.001 in tests. */
  factor: number
  /** Defaults to Math.random; returns [0, 1). */
  random?: () => number
  /** The receiver's Retry-After, in ms. */
  retryAfterMs?: number
}

/**
 * The delay before the next attempt after `attemptsMade` failed ones (1-based), ±20 % jitter;
 * undefined once every attempt is used.
 */
export function retryDelayMs(attemptsMade: number, options: RetryDelayOptions): number | undefined {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a whole number ≥ 1, got ${attemptsMade}`)
  }
  if (!(options.factor > 0) || !Number.isFinite(options.factor)) {
    throw new RangeError(`factor must be a positive number, got ${options.factor}`)
  }
  const scheduled = WEBHOOK_RETRY_DELAYS_MS[attemptsMade - 1]
  if (scheduled === undefined) return undefined
  const jittered = scheduled * (0.8 + 0.4 * (options.random ?? Math.random)())
  // A receiver may ask for a longer pause, but not park the delivery forever.
  const retryAfter = Math.min(Math.max(0, options.retryAfterMs ?? 0), MAX_RETRY_AFTER_MS)
  return Math.round(Math.max(jittered, retryAfter) * options.factor)
}

/** `Retry-After` (delay-seconds or HTTP-date) in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  const text = value?.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // Date.parse accepts almost anything; HTTP-dates (all three RFC 9110 forms) start with a day name.
  if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}
