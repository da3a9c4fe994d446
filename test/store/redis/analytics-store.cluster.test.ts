import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALL_MERCHANTS } from '../../../src/store/analytics-store.js'
import { writeCellWeeks } from '../../../src/store/redis/analytics-write.js'
import { createRedisAnalyticsStore } from '../../../src/store/redis/redis-analytics-store.js'
import { createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { keysByMaster, testClusterConnections } from '../../support/cluster.js'
import { uniquePrefix } from '../../support/redis.js'
import { CENTURY_MS, runAnalyticsStoreContract } from '../analytics-store-contract.js'
import { registerDelivered } from '../store-helpers.js'

/** Analytics on the test cluster with the cluster's shard count: cell-weeks counted on every master. */

const SHARDS = 64
const connections = testClusterConnections()
let redis: Cluster

beforeAll(() => {
  redis = connections.connect()
})

afterAll(() => connections.closeAll())

function freshStores(retentionMs: number) {
  // Untagged: each shard tags its keys itself, so the shards spread over the masters.
  const prefix = uniquePrefix('cluster-analytics-shards')
  return {
    prefix,
    trackings: createRedisTrackingStore(redis, prefix, { analyticsRetentionMs: retentionMs, shards: SHARDS }),
    analytics: createRedisAnalyticsStore(redis, prefix, SHARDS),
  }
}

runAnalyticsStoreContract(`redis cluster analytics store, ${SHARDS} shards`, ({ retentionMs }) =>
  freshStores(retentionMs),
)

const WEEK = '2026-W13'

describe(`redis cluster analytics store, ${SHARDS} shards: one cell-week on several masters`, () => {
  it('adds up the parts of a cell-week counted on different masters, cached or not', async () => {
    const stores = freshStores(CENTURY_MS)
    const query = { fromWeek: '2026-W01', toWeek: '2026-W20', groupBy: 'destination' } as const
    expect(await stores.analytics.summariesByGroup('shop-a', query)).toEqual(new Map())
    for (let index = 0; index < 30; index++)
      await registerDelivered(stores.trackings, `CL${index}`, 10 + index)
    const holding = [...(await keysByMaster(redis, `{${stores.prefix}:*}:an:*`)).values()]
    expect(holding.filter((names) => names.length > 0).length).toBeGreaterThan(1)

    const [cell, ...others] = await stores.analytics.cells('shop-a', WEEK, WEEK)
    expect(others).toEqual([])
    expect(cell?.summary.parcels).toBe(30)
    expect(cell?.summary.transitHours).toMatchObject({ minMilli: 10_000, maxMilli: 39_000 })
    const byDestination = await stores.analytics.summariesByGroup('shop-a', query)
    expect(byDestination.get('FR-75')).toEqual(cell?.summary)
    expect(await stores.analytics.summariesByGroup(ALL_MERCHANTS, query)).toEqual(byDestination)

    // A history imported into its cells' shards, on whichever masters hold them.
    if (!cell) throw new Error('setup: a cell-week')
    const keys = createRedisKeys(stores.prefix, SHARDS)
    const history = ['2026-W10', '2026-W11', '2026-W12'].map((week) => ({
      cell: { ...cell.cell, week },
      summary: cell.summary,
    }))
    await writeCellWeeks(redis, keys, history, CENTURY_MS)
    const byWeek = await stores.analytics.summariesByGroup('shop-a', { ...query, groupBy: 'week' })
    expect([...byWeek].map(([week, summary]) => [week, summary.parcels]).sort()).toEqual([
      ['2026-W10', 30],
      ['2026-W11', 30],
      ['2026-W12', 30],
      ['2026-W13', 30],
    ])
  })
})
