import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'

/**
 * A poll job that throws (here its save: Redis went away for a moment) is run again by BullMQ within
 * seconds, so its parcels do not wait out their 10-minute lease (POLL_LEASE, left at its default).
 */
describe('a poll job whose save fails once', () => {
  let harness: Harness
  let failedSaves = 0

  beforeAll(async () => {
    harness = await createHarness('poll-job-retry', FAST_SANDBOX_POLLING)
    await harness.startWorkers(
      (store): TrackingStore => ({
        ...store,
        async save(changes) {
          if (failedSaves === 0) {
            failedSaves++
            throw new Error('Connection is closed.')
          }
          return store.save(changes)
        },
      }),
    )
  })

  afterAll(() => harness?.close())

  it('is run again, and the parcel is polled without waiting for its lease', async () => {
    expect(harness.config.POLL_LEASE).toBe(600_000)
    const { record } = await harness.store.register(
      { merchantId: 'shop', carrier: 'sandbox', trackingNumber: 'SBXDELIVERED001' },
      new Date(),
    )
    const polled = await eventually(
      async () => (await harness.store.get('shop', record.id))?.record,
      (saved) => saved?.lastCheckedAt !== undefined,
      15_000,
    )
    expect(failedSaves).toBe(1)
    expect(polled?.lastCheckedAt).toEqual(expect.any(String))
  })
})
