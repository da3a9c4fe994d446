import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mergeSummaries } from '../../../src/domain/analytics/cell-summary.js'
import { type AnalyticsStore, cellExpiresAtMs } from '../../../src/store/analytics-store.js'
import { ANALYTICS_CHANGES_KEPT, writeCellWeeks } from '../../../src/store/redis/analytics-write.js'
import { createRedisAnalyticsStore } from '../../../src/store/redis/redis-analytics-store.js'
import { cellMember, createRedisKeys, type RedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { CENTURY_MS, runAnalyticsStoreContract } from '../analytics-store-contract.js'
import { registerDelivered } from '../store-helpers.js'

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

describe('redis analytics store: how a cell-week is kept', () => {
  it('marks the tracking counted and indexes its cell-week by week, for its merchant and for all', async () => {
    const stores = freshStores(CENTURY_MS)
    const record = await registerDelivered(stores.trackings, 'K1', 30)
    expect(await redis.hget(stores.keys.tracking(record.id), 'an')).toBe('1')
    const cellKey = stores.keys.analyticsCell(0, CELL)
    expect(await redis.hget(cellKey, 'n')).toBe('1')
    expect(await redis.hget(cellKey, 'th:s')).toBe('30000')
    expect(await redis.zscore(stores.keys.merchantAnalyticsCells(0, 'shop-a'), cellMember(CELL))).toBe(
      '202613',
    )
    expect(await redis.zscore(stores.keys.analyticsCells(0), cellMember(CELL))).toBe('202613')
  })

  it('gives a cell-week an expiry at its week end plus the retention (ANALYTICS_RETENTION)', async () => {
    const retentionMs = 400 * 24 * HOUR_MS
    const stores = freshStores(retentionMs)
    await registerDelivered(stores.trackings, 'K1', 30)
    const expiresAtMs = await redis.pexpiretime(stores.keys.analyticsCell(0, CELL))
    // Week 13 of 2026 ends as Monday 30 March begins (UTC).
    expect(expiresAtMs).toBe(Date.parse('2026-03-30T00:00:00Z') + retentionMs)
    expect(expiresAtMs).toBe(cellExpiresAtMs(WEEK, retentionMs))
    expect(await redis.pexpiretime(stores.keys.merchantAnalyticsCells(0, 'shop-a'))).toBe(expiresAtMs)
  })

  it('keeps cells whose key parts hold a colon apart', async () => {
    const stores = freshStores(CENTURY_MS)
    const a = stores.keys.analyticsCell(0, { ...CELL, service: 'a:b', destination: 'c' })
    const b = stores.keys.analyticsCell(0, { ...CELL, service: 'a', destination: 'b:c' })
    expect(a).not.toBe(b)
  })

  it('takes a few hundred bytes per cell-week, whatever the parcels in it', async () => {
    const stores = freshStores(CENTURY_MS, 'analytics-size')
    const cellKey = stores.keys.analyticsCell(0, CELL)
    const sizes: Record<number, number> = {}
    for (let index = 0; index < 1000; index++) {
      // One to nine days of transit, as a spread of carriers' services would give.
      await registerDelivered(stores.trackings, `SZ${index}`, 24 + (index % 9) * 24 + (index % 7))
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

describe('redis analytics store: the read cache of carrier reports', () => {
  // Weeks on both sides of the counted one: the report merges them in stretches.
  const BY_DESTINATION = { fromWeek: '2026-W01', toWeek: '2026-W30', groupBy: 'destination' } as const
  const parcelsOf = async (analytics: AnalyticsStore) =>
    (await analytics.summariesByGroup('shop-a', BY_DESTINATION)).get('FR-75')?.parcels

  it("gives each count a new version of the merchant's and every merchant's cell-weeks, and lists it", async () => {
    const stores = freshStores(CENTURY_MS)
    await registerDelivered(stores.trackings, 'V1', 30)
    await registerDelivered(stores.trackings, 'V2', 40)
    expect(await redis.get(stores.keys.merchantAnalyticsVersion(0, 'shop-a'))).toBe('2')
    expect(await redis.get(stores.keys.analyticsVersion(0))).toBe('2')
    for (const changes of [
      stores.keys.merchantAnalyticsChanges(0, 'shop-a'),
      stores.keys.analyticsChanges(0),
    ])
      expect(await redis.zrange(changes, 0, -1, 'WITHSCORES')).toEqual([cellMember(CELL), '2'])
  })

  it('answers, from a process of its own, what another counted since it last answered', async () => {
    const stores = freshStores(CENTURY_MS)
    const elsewhere = createRedisAnalyticsStore(redis, stores.prefix)
    await registerDelivered(stores.trackings, 'P1', 30)
    expect(await parcelsOf(elsewhere)).toBe(1)
    await registerDelivered(stores.trackings, 'P2', 30)
    await registerDelivered(stores.trackings, 'P3', 30)
    expect(await parcelsOf(elsewhere)).toBe(3)
  })

  it('reads every cell-week again after a whole-cell write, or when the version went back', async () => {
    const stores = freshStores(CENTURY_MS)
    await registerDelivered(stores.trackings, 'W1', 30)
    expect(await parcelsOf(stores.analytics)).toBe(1)
    const [stored] = await stores.analytics.cells('shop-a', WEEK, WEEK)
    if (!stored) throw new Error('setup: a cell-week')
    const doubled = mergeSummaries(stored.summary, stored.summary)
    await writeCellWeeks(redis, stores.keys, [{ cell: CELL, summary: doubled }], CENTURY_MS)
    expect(await parcelsOf(stores.analytics)).toBe(2)

    // Behind its back, as a Redis restored from an older copy would be: a lower version, other counts.
    await redis.hset(stores.keys.analyticsCell(0, CELL), 'n', '7')
    await redis.set(stores.keys.merchantAnalyticsVersion(0, 'shop-a'), '1')
    expect(await parcelsOf(stores.analytics)).toBe(7)
  })

  it('leaves a cell-week out once Redis has expired it', async () => {
    const stores = freshStores(CENTURY_MS)
    await registerDelivered(stores.trackings, 'E1', 30)
    const cellKey = stores.keys.analyticsCell(0, CELL)
    await redis.pexpire(cellKey, 200)
    expect(await parcelsOf(stores.analytics)).toBe(1)
    await vi.waitFor(async () => expect(await redis.exists(cellKey)).toBe(0), { timeout: 5_000 })
    expect(await stores.analytics.summariesByGroup('shop-a', BY_DESTINATION)).toEqual(new Map())
  })
})

describe('redis analytics store: whole cell-weeks written at once', () => {
  it('leaves each cell-week, its index entries and their expiry as counting its parcels one by one', async () => {
    const retentionMs = 400 * 24 * HOUR_MS
    const counted = freshStores(retentionMs, 'analytics-counted')
    for (const [index, hours] of [20, 30, 200].entries())
      await registerDelivered(counted.trackings, `C${index}`, hours)
    const written = freshStores(retentionMs, 'analytics-written')
    await writeCellWeeks(
      redis,
      written.keys,
      await counted.analytics.cells('shop-a', WEEK, WEEK),
      retentionMs,
    )

    const [countedCell, writtenCell] = [counted, written].map((stores) => stores.keys.analyticsCell(0, CELL))
    expect(await redis.hgetall(writtenCell as string)).toEqual(await redis.hgetall(countedCell as string))
    expect(await redis.pexpiretime(writtenCell as string)).toBe(
      await redis.pexpiretime(countedCell as string),
    )
    for (const index of [
      (keys: RedisKeys) => keys.merchantAnalyticsCells(0, 'shop-a'),
      (keys: RedisKeys) => keys.analyticsCells(0),
    ]) {
      expect(await redis.zrange(index(written.keys), 0, -1, 'WITHSCORES')).toEqual(
        await redis.zrange(index(counted.keys), 0, -1, 'WITHSCORES'),
      )
      expect(await redis.pexpiretime(index(written.keys))).toBe(await redis.pexpiretime(index(counted.keys)))
    }
    expect(Number(await redis.get(written.keys.merchantAnalyticsVersion(0, 'shop-a')))).toBe(
      2 * (ANALYTICS_CHANGES_KEPT + 1),
    )
  })
})
