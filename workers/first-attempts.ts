import type { Queue } from 'bullmq'
import type { WebhookDelivery, WebhookEndpoint } from '../src/store/webhook-store.js'
import { retryDelayMs } from '../src/webhooks/retry-schedule.js'
import { attemptDelivery, type DeliveryDeps } from './deliver-webhook.js'
import type { DeliveryJobData } from './jobs.js'

export interface FirstAttemptOptions {
  deps: DeliveryDeps
  /** First attempts in flight at once in this relay; a delivery finding none free becomes a job. */
  slots: number
  /** Scales the retry schedule, as the delivery worker's backoff does (1 in production). */
  retryFactor: number
}

export interface NewDelivery {
  delivery: WebhookDelivery
  /** The document as `createDeliveries` wrote it: the attempt's record is a compare-and-set on it. */
  stored: string
  endpoint: WebhookEndpoint
}

/**
 * The relay makes the first attempt of each new delivery itself, so a delivery that succeeds at once
 * (nearly all) never costs a BullMQ job; one that needs a retry becomes a delayed job, on the same
 * schedule and with the same id as if BullMQ had made the first attempt. The number of attempts in
 * flight is bounded: past it, the relay's deliveries go to the delivery worker straight away, so
 * endpoints that are slow to answer cannot hold the outbox up.
 */
export function createFirstAttempts(options: FirstAttemptOptions, queue: Queue<DeliveryJobData>) {
  let free = options.slots
  const waiters = new Set<() => void>()

  function release(count = 1) {
    if (count === 0) return
    free += count
    for (const check of [...waiters]) check()
  }

  async function attempt({ delivery, stored, endpoint }: NewDelivery): Promise<void> {
    try {
      const verdict = await attemptDelivery({ delivery, stored, endpoint }, 1, options.deps)
      if (verdict.state !== 'retry' || options.deps.attempts <= 1) return
      const delay = retryDelayMs(1, { factor: options.retryFactor, retryAfterMs: verdict.retryAfterMs })
      await queue.add(
        'deliver',
        { deliveryId: delivery.id, endpointId: delivery.endpointId, attemptsBefore: 1 },
        { jobId: delivery.id, delay, attempts: options.deps.attempts - 1 },
      )
    } finally {
      release()
    }
  }

  return {
    /** Takes up to `count` free slots at once (for entries just read); gives how many it took. */
    reserve(count: number): number {
      const taken = Math.min(count, free)
      free -= taken
      return taken
    },
    /** Gives back reserved slots that found no delivery to attempt. */
    release,
    /** Attempts a delivery for which a slot was reserved, and gives the slot back. */
    attempt,
    /**
     * Resolves once `wanted` slots are free (a batch worth reading: at full speed they free one by one,
     * and a read per slot would cost more round trips than the attempts), or after `ms` whatever is free
     * (none: every slot is busy, and what comes next becomes jobs).
     */
    room(wanted: number, ms: number): Promise<void> {
      if (free >= Math.min(wanted, options.slots)) return Promise.resolve()
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms)
        function done() {
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        function check() {
          if (free >= Math.min(wanted, options.slots)) done()
        }
        waiters.add(check)
      })
    },
    free: () => free,
  }
}

export type FirstAttempts = ReturnType<typeof createFirstAttempts>
