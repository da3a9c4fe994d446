import { describe, expect, it } from 'vitest'
import type { CarrierHealthStore } from '../../src/store/carrier-health-store.js'

const HOUR_MS = 3_600_000

/**
 * What every `CarrierHealthStore` does: run against the memory store and the Redis store alike.
 * `createStore` gives an empty store each time.
 */
export function runCarrierHealthStoreContract(name: string, createStore: () => CarrierHealthStore) {
  describe(`${name}: recent failures`, () => {
    it('counts failures by kind over the last 24 hours, per carrier', async () => {
      const health = createStore()
      const nowMs = Date.parse('2026-03-27T10:30:00.000Z')
      await health.recordFailure('chronopost', 'unexpected_response', nowMs)
      await health.recordFailure('chronopost', 'unexpected_response', nowMs - 60_000)
      await health.recordFailure('chronopost', 'unavailable', nowMs - 3 * HOUR_MS)
      await health.recordFailure('chronopost', 'unavailable', nowMs - 30 * HOUR_MS)
      await health.recordFailure('laposte', 'rate_limited', nowMs - 23 * HOUR_MS)
      const failures = await health.recentFailures(['chronopost', 'laposte', 'sandbox'], nowMs)
      expect(failures).toEqual(
        new Map([
          ['chronopost', { unexpected_response: 2, unavailable: 1 }],
          ['laposte', { rate_limited: 1 }],
          ['sandbox', {}],
        ]),
      )
    })

    it('forgets a failure once its hour is 24 hours old', async () => {
      const health = createStore()
      const nowMs = Date.parse('2026-03-27T10:30:00.000Z')
      await health.recordFailure('laposte', 'unavailable', nowMs)
      expect((await health.recentFailures(['laposte'], nowMs + 23 * HOUR_MS)).get('laposte')).toEqual({
        unavailable: 1,
      })
      expect((await health.recentFailures(['laposte'], nowMs + 24 * HOUR_MS)).get('laposte')).toEqual({})
    })
  })
}
