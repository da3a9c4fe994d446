import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DelayAlert } from '../../src/domain/delay-alerts.js'
import { createOpenAlertCounts } from '../../src/store/open-alert-counts.js'
import { createRedisKeys } from '../../src/store/redis-keys.js'
import { alertOps, dropAlertOps } from '../../src/store/tracking-ops.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

const RECORD = {
  id: 'trk_a',
  merchantId: 'shop-a',
  carrier: 'sandbox',
  status: 'in_transit' as const,
  createdAt: '2026-03-01T10:00:00.000Z',
}
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

/** Runs the ops as the tracking scripts would (plain commands here). */
async function run(ops: Array<Array<string | number>>) {
  for (const [command, ...args] of ops) await redis.call(String(command), ...args)
}

describe('open alerts by type', () => {
  it('counts an alert while it is open, whatever the merchant, and not after it is resolved or dropped', async () => {
    const prefix = uniquePrefix('open-alerts')
    const keys = createRedisKeys(prefix)
    const count = createOpenAlertCounts(redis, prefix)
    expect(await count()).toMatchObject({ late: 0, stalled: 0, exception: 0 })

    await run(alertOps(keys, RECORD, [late('alr_1'), late('alr_2')]))
    await run(alertOps(keys, { ...RECORD, id: 'trk_b', merchantId: 'shop-b' }, [late('alr_3')]))
    // The same alert reported open again is still one alert.
    await run(alertOps(keys, RECORD, [late('alr_1')]))
    expect((await count()).late).toBe(3)

    await run(alertOps(keys, RECORD, [late('alr_1', '2026-03-03T10:00:00.000Z')]))
    expect((await count()).late).toBe(2)
    await run(dropAlertOps(keys, { ...RECORD, alerts: [late('alr_2')] }))
    expect(await count()).toMatchObject({ late: 1, stalled: 0 })
  })
})
