import { RateLimitError } from 'bullmq'
import type { CarrierError, CarrierErrorKind } from '../adapters/contract.js'

/**
 * What each carrier failure does to the BullMQ poll job, decided here and nowhere else (what it writes
 * on each tracking is the lifecycle's: `TRACKING_OUTCOME_BY_KIND`, src/domain/tracking-lifecycle.ts).
 * `complete`: the poll is over (its outcome is saved on the trackings); `rate_limit`: the queue waits
 * (`queue.rateLimit`) and the same job runs again, without using an attempt, nothing saved;
 * `pause_carrier`: our credentials are refused, so the carrier's queue is paused and an operator is
 * told loudly, and the trackings are saved to be polled again with the retry backoff. Anything thrown
 * that is not a `CarrierError` is a bug: the job rethrows it and BullMQ retries it with backoff.
 */
export const JOB_OUTCOME_BY_KIND = {
  not_found: 'complete',
  invalid_number: 'complete',
  rate_limited: 'rate_limit',
  unavailable: 'complete',
  unexpected_response: 'complete',
  unauthorized: 'pause_carrier',
} as const satisfies Record<CarrierErrorKind, 'complete' | 'rate_limit' | 'pause_carrier'>

/** Default wait when a carrier says "too many requests" without saying for how long. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000

export interface CarrierQueueHooks {
  /** Makes every worker of this carrier wait (BullMQ `queue.rateLimit`). */
  rateLimit(waitMs: number): Promise<void>
  /** Stops this carrier's polling until an operator fixes its credentials. */
  pauseCarrier(error: CarrierError): Promise<void>
  /** Counts failures by kind, for `GET /v1/carriers`. */
  recordFailure?(kind: CarrierErrorKind): void
}

/**
 * Applies to the job and the carrier's queue what a batch's failures call for, before anything is
 * saved: throws BullMQ's `RateLimitError` (after `rateLimit`) when the carrier asked us to slow down,
 * so that the job runs again later; pauses the carrier on the first `unauthorized`, and looks no further. Other failures are the
 * trackings' business only: the job completes.
 */
export async function applyCarrierFailures(
  failures: Iterable<CarrierError>,
  hooks: CarrierQueueHooks,
): Promise<void> {
  for (const error of failures) {
    hooks.recordFailure?.(error.kind)
    const job = JOB_OUTCOME_BY_KIND[error.kind]
    if (job === 'rate_limit') {
      await hooks.rateLimit(error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS)
      throw new RateLimitError()
    }
    if (job === 'pause_carrier') {
      await hooks.pauseCarrier(error)
      return
    }
  }
}
