import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cellExpiresAtMs } from '../../../src/store/analytics-store.js'
import { createRedisAnalyticsStore } from '../../../src/store/redis/redis-analytics-store.js'
import { cellMember, createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { CENTURY_MS, runAnalyticsStoreContract } from '../analytics-store-contract.js'
import { loadOne, parcel, saveOne, scan, T0 } from '../store-helpers.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

function freshStores(retentionMs: number, name = 'analytics') {
  const prefix = uniquePrefix(name)
  return {
    prefix,
    keys: createRedisKeys(prefix),
    trackings: createRedisTrackingStore(redis, prefix, { analyticsRetentionMs: retentionMs }),
    analytics: createRedisAnalyticsStore(redis, prefix),
  }
}

runAnalyticsStoreContract('redis analytics store', ({ retentionMs }) => freshStores(retentionMs))

const HOUR_MS = 3_600_000
const WEEK = '2026-W13'
const CELL = { merchantId: 'shop-a', carrier: 'laposte', service: '-', destination: 'FR-75', week: WEEK }

async function deliverParcel(stores: ReturnType<typeof freshStores>, trackingNumber: string, hours: number) {
  const { record } = await stores.trackings.register(
    parcel({ trackingNumber, destinationCountry: 'FR', destinationPostalCode: '75011' }),
    new Date(T0 - HOUR_MS),
  )
  const view = await loadOne(stores.trackings, record.id)
  await saveOne(stores.trackings, {
    before: view,
    record: { ...view.record, status: 'delivered', stopped: 'terminal' },
    events: [
      scan(trackingNumber, 'PC1', new Date(T0).toISOString(), 'in_transit'),
      scan(trackingNumber, 'DI1', new Date(T0 + hours * HOUR_MS).toISOString(), 'delivered'),
    ],
    nextPoll: 'none',
  })
  return record
}

describe('redis analytics store: how a cell-week is kept', () => {
  it('marks the tracking counted and indexes its cell-week by week, for its merchant and for all', async () => {
    const stores = freshStores(CENTURY_MS)
    const record = await deliverParcel(stores, 'K1', 30)
    expect(await redis.hget(stores.keys.tracking(record.id), 'an')).toBe('1')
    const cellKey = stores.keys.analyticsCell(CELL)
    expect(await redis.hget(cellKey, 'n')).toBe('1')
    expect(await redis.hget(cellKey, 'th:s')).toBe('30000')
    expect(await redis.zscore(stores.keys.merchantAnalyticsCells('shop-a'), cellMember(CELL))).toBe('202613')
    expect(await redis.zscore(stores.keys.analyticsCells(), cellMember(CELL))).toBe('202613')
  })

  it('gives a cell-week an expiry at its week end plus the retention (ANALYTICS_RETENTION)', async () => {
    const retentionMs = 400 * 24 * HOUR_MS
    const stores = freshStores(retentionMs)
    await deliverParcel(stores, 'K1', 30)
    const expiresAtMs = await redis.pexpiretime(stores.keys.analyticsCell(CELL))
    // Week 13 of 2026 ends as Monday 30 March begins (UTC).
    expect(expiresAtMs).toBe(Date.parse('2026-03-30T00:00:00Z') + retentionMs)
    expect(expiresAtMs).toBe(cellExpiresAtMs(WEEK, retentionMs))
    expect(await redis.pexpiretime(stores.keys.merchantAnalyticsCells('shop-a'))).toBe(expiresAtMs)
  })

  it('keeps cells whose key parts hold a colon apart', async () => {
    const stores = freshStores(CENTURY_MS)
    const a = stores.keys.analyticsCell({ ...CELL, service: 'a:b', destination: 'c' })
    const b = stores.keys.analyticsCell({ ...CELL, service: 'a', destination: 'b:c' })
    expect(a).not.toBe(b)
  })

  it('takes a few hundred bytes per cell-week, whatever the parcels in it', async () => {
    const stores = freshStores(CENTURY_MS, 'analytics-size')
    const cellKey = stores.keys.analyticsCell(CELL)
    const sizes: Record<number, number> = {}
    for (let index = 0; index < 1000; index++) {
      // One to nine days of transit, as a spread of carriers' services would give.
      await deliverParcel(stores, `SZ${index}`, 24 + (index % 9) * 24 + (index % 7))
      if (index + 1 === 10 || index + 1 === 1000)
        sizes[index + 1] = (await redis.memory('USAGE', cellKey)) ?? 0
    }
    const [cell] = await stores.analytics.cells('shop-a', WEEK, WEEK)
    expect(cell?.summary.parcels).toBe(1000)
    const fields = await redis.hlen(cellKey)
    console.info(
      `MEMORY USAGE of a cell-week: 10 parcels ${sizes[10]} B, 1000 parcels ${sizes[1000]} B, ${fields} fields`,
    )
    expect(sizes[1000]).toBeLessThan(2048)
    expect(sizes[1000]).toBeLessThan(2 * (sizes[10] ?? 0))
  })
})
