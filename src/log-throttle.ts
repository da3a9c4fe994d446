import type { Logger } from './logger.js'

const DEFAULT_WINDOW_MS = 60_000
const MAX_TRACKED_MESSAGES = 100

/**
 * An `error` listener that logs each distinct error once per window: while Redis is down, every
 * queue and worker reports each reconnection attempt, which would otherwise flood the log.
 */
export function throttleErrorLog(logger: Logger, message: string, windowMs = DEFAULT_WINDOW_MS) {
  const seen = new Map<string, { atMs: number; suppressed: number }>()
  return (error: Error) => {
    const nowMs = Date.now()
    const last = seen.get(error.message)
    if (last && nowMs - last.atMs < windowMs) {
      last.suppressed++
      return
    }
    if (seen.size >= MAX_TRACKED_MESSAGES) seen.clear()
    seen.set(error.message, { atMs: nowMs, suppressed: 0 })
    logger.error(
      { err: error, ...(last?.suppressed ? { suppressedSinceLast: last.suppressed } : {}) },
      message,
    )
  }
}

/**
 * The failures of a loop that retries on its own (dispatcher, outbox relay): the first failure is
 * logged, the next ones only counted, and the recovery is logged once. Gives the backoff to wait.
 */
export function createLoopFailures(logger: Logger, what: string, options: { baseMs: number; maxMs: number }) {
  let failures = 0
  return {
    /** Records a failure; returns how long to wait before trying again (ms). */
    failed(error: unknown, context: Record<string, unknown> = {}): number {
      failures++
      if (failures === 1) logger.error({ err: error, ...context }, `${what} failed; retrying with backoff`)
      else logger.debug({ err: error, failures, ...context }, `${what} still failing`)
      return Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures - 1, 16))
    },
    /** Records a success, logging the recovery if it ends a run of failures. */
    succeeded(context: Record<string, unknown> = {}) {
      if (failures > 0) logger.info({ failures, ...context }, `${what} works again`)
      failures = 0
    },
  }
}
