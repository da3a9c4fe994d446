import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DelayAlert } from '../../../src/domain/delay-alerts.js'
import { createOpenAlertCounts } from '../../../src/store/redis/open-alert-counts.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import type { TrackingStore } from '../../../src/store/tracking-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'

const T0 = new Date('2026-03-01T10:00:00.000Z')
const late = (id: string, resolvedAt?: string): DelayAlert => ({
  id,
  type: 'late',
  openedAt: '2026-03-02T10:00:00.000Z',
  ...(resolvedAt ? { resolvedAt } : {}),
  details: {},
})

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

/** Saves the tracking with `alerts`, `changed` of them reported as opened or resolved (as a poll does). */
async function saveAlerts(store: TrackingStore, id: string, alerts: DelayAlert[], changed = alerts) {
  const [view] = await store.loadForPoll([id])
  if (!view) throw new Error(`${id} is gone`)
  const outcomes = await store.save([
    {
      before: view,
      record: { ...view.record, alerts },
      alerts: {
        opened: changed.filter((alert) => !alert.resolvedAt),
        resolved: changed.filter((alert) => alert.resolvedAt),
      },
    },
  ])
  expect(outcomes).toEqual(['saved'])
}

describe('open alerts by type', () => {
  it('counts an alert while it is open, whatever the merchant, and not after it is resolved or dropped', async () => {
    const prefix = uniquePrefix('open-alerts')
    const store = createRedisTrackingStore(redis, prefix)
    const count = createOpenAlertCounts(redis, prefix)
    expect(await count()).toMatchObject({ late: 0, stalled: 0, exception: 0 })

    const register = async (merchantId: string, trackingNumber: string) =>
      (await store.register({ merchantId, carrier: 'sandbox', trackingNumber }, T0)).record.id
    const a = await register('shop-a', 'SB0001')
    const b = await register('shop-b', 'SB0002')
    await saveAlerts(store, a, [late('alr_1'), late('alr_2')])
    await saveAlerts(store, b, [late('alr_3')])
    // The same alert reported open again is still one alert.
    await saveAlerts(store, a, [late('alr_1'), late('alr_2')], [late('alr_1')])
    expect((await count()).late).toBe(3)

    const resolved = late('alr_1', '2026-03-03T10:00:00.000Z')
    await saveAlerts(store, a, [resolved, late('alr_2')], [resolved])
    expect((await count()).late).toBe(2)
    expect(await store.delete('shop-a', a)).toBe(true)
    expect(await count()).toMatchObject({ late: 1, stalled: 0 })
  })
})
