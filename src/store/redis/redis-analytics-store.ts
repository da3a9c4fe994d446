import type { RedisClient } from '../../redis/redis-client.js'
import {
  ALL_MERCHANTS,
  type AnalyticsStore,
  assertIsoWeek,
  type StoredCell,
  weekScore,
} from '../analytics-store.js'
import { summaryOfFields } from './analytics-fields.js'
import { createRedisKeys, readCellMember } from './redis-keys.js'

/** Cell-weeks read per round trip. */
const CELLS_PER_PAGE = 500

/** The cell-weeks saveTrackings.lua writes, read through their week-scored indexes. */
export function createRedisAnalyticsStore(redis: RedisClient, prefix: string): AnalyticsStore {
  const keys = createRedisKeys(prefix)
  return {
    async cells(merchantId, fromWeek, toWeek, carrier) {
      assertIsoWeek(fromWeek)
      assertIsoWeek(toWeek)
      const index =
        merchantId === ALL_MERCHANTS ? keys.analyticsCells() : keys.merchantAnalyticsCells(merchantId)
      const found: StoredCell[] = []
      for (let offset = 0; ; offset += CELLS_PER_PAGE) {
        const members = await redis.zrangebyscore(
          index,
          weekScore(fromWeek),
          weekScore(toWeek),
          'LIMIT',
          offset,
          CELLS_PER_PAGE,
        )
        const cells = members
          .map(readCellMember)
          .filter((cell) => carrier === undefined || cell.carrier === carrier)
        if (cells.length > 0) {
          const pipeline = redis.pipeline()
          for (const cell of cells) pipeline.hgetall(keys.analyticsCell(cell))
          const replies = (await pipeline.exec()) ?? []
          replies.forEach(([error, fields], at) => {
            if (error) throw error
            const cell = cells[at]
            // Past its retention, a cell-week's hash is gone before its index entry.
            const stored = fields as Record<string, string>
            if (cell && Object.keys(stored).length > 0) found.push({ cell, summary: summaryOfFields(stored) })
          })
        }
        if (members.length < CELLS_PER_PAGE) return found
      }
    },
  }
}
