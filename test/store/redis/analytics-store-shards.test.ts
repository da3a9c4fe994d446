import fc from 'fast-check'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AnalyticsCell } from '../../../src/domain/analytics/analytics-cell.js'
import { groupSummaries } from '../../../src/domain/analytics/carrier-report.js'
import { type CellSummary, GROUP_BY, mergeSummaries } from '../../../src/domain/analytics/cell-summary.js'
import { ALL_MERCHANTS, type AnalyticsStore, type StoredCell } from '../../../src/store/analytics-store.js'
import { type CellWeekWrite, writeCellWeeks } from '../../../src/store/redis/analytics-write.js'
import { createRedisAnalyticsStore } from '../../../src/store/redis/redis-analytics-store.js'
import { cellMember, createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import type { TrackingStore } from '../../../src/store/tracking-store.js'
import { anySummary } from '../../support/analytics-arbitraries.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { CENTURY_MS, runAnalyticsStoreContract } from '../analytics-store-contract.js'
import { deliverTracking, parcel, T0 } from '../store-helpers.js'

/** Cell-weeks counted in several shards on one Redis: every reader sees their sum. */

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

const SHARDS = 8

runAnalyticsStoreContract(`redis analytics store, ${SHARDS} shards`, ({ retentionMs }) => {
  const prefix = uniquePrefix('analytics-shards')
  return {
    trackings: createRedisTrackingStore(redis, prefix, { analyticsRetentionMs: retentionMs, shards: SHARDS }),
    analytics: createRedisAnalyticsStore(redis, prefix, SHARDS),
  }
})

const CELLS: AnalyticsCell[] = ['shop-a', 'shop-b'].flatMap((merchantId) =>
  ['laposte', 'dpd'].flatMap((carrier) =>
    ['2026-W12', '2026-W13'].map((week) => ({
      merchantId,
      carrier,
      service: '-',
      destination: carrier === 'dpd' ? 'BE' : 'FR-75',
      week,
    })),
  ),
)

/** Summaries merged per key, in turn. */
function mergedBy<T>(parts: ReadonlyArray<T & { summary: CellSummary }>, keyOf: (part: T) => string) {
  const merged = new Map<string, T & { summary: CellSummary }>()
  for (const part of parts) {
    const key = keyOf(part)
    const held = merged.get(key)
    merged.set(key, held ? { ...held, summary: mergeSummaries(held.summary, part.summary) } : part)
  }
  return [...merged.values()]
}

const byMember = (cells: readonly StoredCell[]) =>
  [...cells].sort((a, b) => cellMember(a.cell).localeCompare(cellMember(b.cell)))

/** Every reading of a merchant (or all) a report or the forecast makes, over both weeks and wider. */
async function readingsOf(analytics: AnalyticsStore, merchantId: string) {
  const readings: unknown[] = [byMember(await analytics.cells(merchantId, '2026-W12', '2026-W13'))]
  readings.push(byMember(await analytics.cells(merchantId, '2026-W13', '2026-W13', 'dpd')))
  for (const groupBy of GROUP_BY)
    for (const carrier of [undefined, 'laposte'])
      readings.push(
        await analytics.summariesByGroup(merchantId, {
          fromWeek: '2026-W01',
          toWeek: '2026-W20',
          groupBy,
          carrier,
        }),
      )
  return readings
}

describe('redis analytics store: cell-weeks counted in several shards', () => {
  it('reads, over 1, 3 or 8 shards, what the same parts counted in one shard read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 3, 8),
        fc.array(fc.record({ cell: fc.constantFrom(...CELLS), summary: anySummary, draw: fc.nat() }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (shards, parts) => {
          const spread = uniquePrefix('analytics-spread')
          const alone = uniquePrefix('analytics-alone')
          // A shard's parts of one cell-week are one hash: merged there, as the script counts them.
          const shardParts: CellWeekWrite[] = mergedBy(
            parts.map(({ cell, summary, draw }) => ({ cell, summary, shard: draw % shards })),
            ({ cell, shard }) => `${shard}${cellMember(cell)}`,
          )
          const whole = mergedBy(
            parts.map(({ cell, summary }) => ({ cell, summary })),
            ({ cell }) => cellMember(cell),
          )
          await writeCellWeeks(redis, createRedisKeys(spread, shards), shardParts, CENTURY_MS)
          await writeCellWeeks(redis, createRedisKeys(alone, 1), whole, CENTURY_MS)
          const spreadStore = createRedisAnalyticsStore(redis, spread, shards)
          const aloneStore = createRedisAnalyticsStore(redis, alone, 1)
          for (const merchantId of ['shop-a', ALL_MERCHANTS])
            expect(await readingsOf(spreadStore, merchantId)).toEqual(
              await readingsOf(aloneStore, merchantId),
            )
          expect(byMember(await spreadStore.cells(ALL_MERCHANTS, '2026-W12', '2026-W13'))).toEqual(
            byMember(whole),
          )
        },
      ),
      { numRuns: 25 },
    )
  })

  it('writes a whole cell-week in the shard of its cell, so that writing it again replaces it', async () => {
    const prefix = uniquePrefix('analytics-whole')
    const keys = createRedisKeys(prefix, SHARDS)
    const analytics = createRedisAnalyticsStore(redis, prefix, SHARDS)
    const [cell] = CELLS
    if (!cell) throw new Error('setup')
    const summary = fc.sample(anySummary, { numRuns: 1, seed: 7 })[0] as CellSummary
    await writeCellWeeks(redis, keys, [{ cell, summary }], CENTURY_MS)
    await writeCellWeeks(redis, keys, [{ cell, summary }], CENTURY_MS)
    expect(await analytics.cells('shop-a', cell.week, cell.week)).toEqual([{ cell, summary }])
  })
})

const HOUR_MS = 3_600_000
const DESTINATIONS = ['75011', '69001', '13001']

/** Parcels of shop-a registered in the same week, to be delivered one at a time in their own shards. */
async function registeredParcels(trackings: TrackingStore, count: number) {
  const ids: string[] = []
  for (let index = 0; index < count; index++) {
    const { record } = await trackings.register(
      parcel({
        trackingNumber: `SH${index}`,
        carrier: index % 3 === 0 ? 'dpd' : 'laposte',
        destinationCountry: 'FR',
        destinationPostalCode: DESTINATIONS[index % DESTINATIONS.length],
      }),
      new Date(T0 - HOUR_MS),
    )
    ids.push(record.id)
  }
  return ids
}

describe('redis analytics store: the read cache over several shards', () => {
  const REPORT = { fromWeek: '2026-W10', toWeek: '2026-W16' } as const

  it('answers exactly what Redis holds while parcels finish in other shards between reads', async () => {
    const prefix = uniquePrefix('analytics-shard-cache')
    const trackings = createRedisTrackingStore(redis, prefix, {
      analyticsRetentionMs: CENTURY_MS,
      shards: SHARDS,
    })
    const keys = createRedisKeys(prefix, SHARDS)
    const ids = await registeredParcels(trackings, 24)
    expect(new Set(ids.map(keys.shardOf)).size).toBeGreaterThan(3)
    // Kept across reads, as an API process keeps it.
    const cached = createRedisAnalyticsStore(redis, prefix, SHARDS)
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            finishing: fc.nat({ max: 3 }),
            hours: fc.integer({ min: 1, max: 300 }),
            groupBy: fc.constantFrom(...GROUP_BY),
            merchantId: fc.constantFrom('shop-a', ALL_MERCHANTS),
          }),
          { maxLength: 6 },
        ),
        async (steps) => {
          for (const { finishing, hours, groupBy, merchantId } of steps) {
            for (const id of ids.splice(0, finishing)) await deliverTracking(trackings, id, hours)
            const query = { ...REPORT, groupBy }
            const fresh = createRedisAnalyticsStore(redis, prefix, SHARDS)
            const answer = await cached.summariesByGroup(merchantId, query)
            expect(answer).toEqual(await fresh.summariesByGroup(merchantId, query))
            expect(answer).toEqual(
              groupSummaries(await fresh.cells(merchantId, REPORT.fromWeek, REPORT.toWeek), query),
            )
          }
        },
      ),
      { numRuns: 8 },
    )
    const total = (await cached.summariesByGroup('shop-a', { ...REPORT, groupBy: 'carrier' })).values()
    expect([...total].reduce((sum, summary) => sum + summary.parcels, 0)).toBe(24 - ids.length)
  })

  it('reads every week again after a whole cell-week is written into one shard', async () => {
    const prefix = uniquePrefix('analytics-shard-import')
    const trackings = createRedisTrackingStore(redis, prefix, {
      analyticsRetentionMs: CENTURY_MS,
      shards: SHARDS,
    })
    const keys = createRedisKeys(prefix, SHARDS)
    const analytics = createRedisAnalyticsStore(redis, prefix, SHARDS)
    const query = { ...REPORT, groupBy: 'week' as const }
    for (const id of await registeredParcels(trackings, 6)) await deliverTracking(trackings, id, 30)
    const before = await analytics.summariesByGroup('shop-a', query)
    expect(before.get('2026-W13')?.parcels).toBe(6)
    const [counted] = await analytics.cells('shop-a', '2026-W13', '2026-W13', 'laposte')
    if (!counted) throw new Error('setup: a counted cell-week')
    // The same cell-week's part imported into a shard that holds none of it: it adds to the others.
    let empty = SHARDS - 1
    while ((await redis.exists(keys.analyticsCell(empty, counted.cell))) === 1) empty--
    await writeCellWeeks(redis, keys, [{ ...counted, shard: empty }], CENTURY_MS)
    const after = await analytics.summariesByGroup('shop-a', query)
    expect(after.get('2026-W13')?.parcels).toBe(6 + counted.summary.parcels)
    expect(after).toEqual(
      await createRedisAnalyticsStore(redis, prefix, SHARDS).summariesByGroup('shop-a', query),
    )
  })

  it("keeps a cell-week's parts in other shards when its part in one shard expires", async () => {
    const prefix = uniquePrefix('analytics-shard-expiry')
    const keys = createRedisKeys(prefix, SHARDS)
    const analytics = createRedisAnalyticsStore(redis, prefix, SHARDS)
    const [cell] = CELLS
    if (!cell) throw new Error('setup')
    const [early, late] = fc.sample(anySummary, { numRuns: 2, seed: 11 }) as [CellSummary, CellSummary]
    await writeCellWeeks(
      redis,
      keys,
      [
        { cell, summary: early, shard: 1 },
        { cell, summary: late, shard: 2 },
      ],
      CENTURY_MS,
    )
    const query = { fromWeek: cell.week, toWeek: cell.week, groupBy: 'week' as const }
    const both = mergeSummaries(early, late)
    await redis.pexpire(keys.analyticsCell(1, cell), 200)
    expect((await analytics.summariesByGroup('shop-a', query)).get(cell.week)).toEqual(both)
    await vi.waitFor(async () => expect(await redis.exists(keys.analyticsCell(1, cell))).toBe(0), {
      timeout: 5_000,
    })
    expect((await analytics.summariesByGroup('shop-a', query)).get(cell.week)).toEqual(late)
    expect(await analytics.cells('shop-a', cell.week, cell.week)).toEqual([{ cell, summary: late }])
  })

  it('reads the weeks it does not hold a page at a time when the shards hold many entries', async () => {
    // A thousand shards: each shard's entries are asked 20 at a time.
    const shards = 1000
    const prefix = uniquePrefix('analytics-shard-pages')
    const summary = fc.sample(anySummary, { numRuns: 1, seed: 3 })[0] as CellSummary
    const parts = Array.from({ length: 90 }, (_, index) => ({
      cell: {
        merchantId: 'shop-a',
        carrier: 'laposte',
        service: '-',
        destination: `FR-${index}`,
        week: '2026-W13',
      },
      summary,
      shard: index % 2,
    }))
    await writeCellWeeks(redis, createRedisKeys(prefix, shards), parts, CENTURY_MS)
    const analytics = createRedisAnalyticsStore(redis, prefix, shards)
    const query = { ...REPORT, groupBy: 'destination' as const }
    const groups = await analytics.summariesByGroup('shop-a', query)
    expect(groups.size).toBe(90)
    expect(groups).toEqual(
      groupSummaries(await analytics.cells('shop-a', REPORT.fromWeek, REPORT.toWeek), query),
    )
  })
})
