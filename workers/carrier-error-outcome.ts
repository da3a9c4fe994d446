import type { CarrierErrorKind } from '../adapters/contract.js'

/**
 * What each carrier failure does, decided here and nowhere else.
 * - `job`: what happens to the BullMQ poll job. `complete`: the poll is over (its outcome is written
 *   on the tracking); `rate_limit`: the queue waits (`queue.rateLimit`) and the same job runs again,
 *   without using an attempt; `pause_carrier`: our credentials are refused, so the carrier's queue is
 *   paused and an operator is told loudly.
 * - `tracking`: what is written on each tracking. `not_found`: not scanned yet, poll again with the
 *   pending backoff; `stop`: never poll again; `retry`: keep the last good timeline, record
 *   `lastError`, poll again with the retry backoff; `untouched`: nothing changes.
 */
export const OUTCOME_BY_KIND = {
  not_found: { job: 'complete', tracking: 'not_found' },
  invalid_number: { job: 'complete', tracking: 'stop' },
  rate_limited: { job: 'rate_limit', tracking: 'untouched' },
  unavailable: { job: 'complete', tracking: 'retry' },
  unexpected_response: { job: 'complete', tracking: 'retry' },
  unauthorized: { job: 'pause_carrier', tracking: 'retry' },
} as const satisfies Record<
  CarrierErrorKind,
  {
    job: 'complete' | 'rate_limit' | 'pause_carrier'
    tracking: 'not_found' | 'stop' | 'retry' | 'untouched'
  }
>

export type TrackingOutcome = (typeof OUTCOME_BY_KIND)[CarrierErrorKind]['tracking']

/** Default wait when a carrier says "too many requests" without saying for how long. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000
