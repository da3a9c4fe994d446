import type { Redis } from 'ioredis'
import { addOutcome, emptySummary } from '../../domain/analytics/cell-summary.js'
import type { StoredCell } from '../analytics-store.js'
import {
  cellExpiresAtMs,
  finishingOutcome,
  type OutcomeFactsOf,
  oldestKeptWeek,
  weekScore,
} from '../analytics-store.js'
import type { TrackingSave } from '../tracking-store.js'
import { cellIncrements, fieldsOfSummary } from './analytics-fields.js'
import { cellMember, type RedisKeys } from './redis-keys.js'

export interface AnalyticsPolicy {
  factsOf: OutcomeFactsOf
  retentionMs: number
}

/**
 * Versions a cell-week's change stays in its index's changes: a reader that kept cell-weeks at an older
 * version reads them all again (docs/analytics.md, "Reading").
 */
export const ANALYTICS_CHANGES_KEPT = 20_000

/** The keys and arguments that add a finished parcel to its cell-week, in saveTrackings.lua's order. */
export interface AnalyticsWrite {
  keys: string[]
  args: string[]
}

/**
 * What the save of `write` adds to analytics, if it turns the parcel finished; undefined too for a
 * cell-week already past its retention (it would expire as it is written).
 */
export function analyticsWriteOf(
  keys: RedisKeys,
  write: TrackingSave,
  policy: AnalyticsPolicy,
  nowMs: number,
): AnalyticsWrite | undefined {
  const outcome = finishingOutcome(write, policy.factsOf)
  if (outcome === undefined) return undefined
  const { cell } = outcome
  const expiresAtMs = cellExpiresAtMs(cell.week, policy.retentionMs)
  if (expiresAtMs <= nowMs) return undefined
  const { add, least, most } = cellIncrements(addOutcome(emptySummary(), outcome))
  const pairs = (fields: ReadonlyArray<[string, number]>) => [
    String(fields.length),
    ...fields.flatMap(([field, value]) => [field, String(value)]),
  ]
  // Counted in the tracking's own shard, in the same script as its save.
  const shard = keys.shardOf(write.record.id)
  return {
    keys: [
      keys.analyticsCell(shard, cell),
      keys.merchantAnalyticsCells(shard, cell.merchantId),
      keys.analyticsCells(shard),
      keys.merchantAnalyticsVersion(shard, cell.merchantId),
      keys.merchantAnalyticsChanges(shard, cell.merchantId),
      keys.analyticsVersion(shard),
      keys.analyticsChanges(shard),
    ],
    args: [
      cellMember(cell),
      String(weekScore(cell.week)),
      String(expiresAtMs),
      `(${weekScore(oldestKeptWeek(nowMs, policy.retentionMs))}`,
      String(ANALYTICS_CHANGES_KEPT),
      ...pairs(add),
      ...pairs(least),
      ...pairs(most),
    ],
  }
}

/** Cell-weeks written per round trip by `writeCellWeeks`. */
const CELL_WEEKS_PER_WRITE = 1000

/**
 * Writes whole cell-weeks, each as saveTrackings.lua leaves one after counting its parcels one by
 * one: its hash, its entries in the merchant's and in every merchant's index, their expiry, and a new
 * version of both indexes. A cell-week already there is replaced. For a history colis did not poll
 * itself, and the benchmark.
 */
export async function writeCellWeeks(
  redis: Redis,
  keys: RedisKeys,
  cells: Iterable<StoredCell>,
  retentionMs: number,
): Promise<void> {
  let pipeline = redis.pipeline()
  let queued = 0
  const latestExpiryOf = new Map<string, number>()
  const versions = new Set<string>()
  const expiryOfWeek = new Map<string, number>()
  const flush = async () => {
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error
    pipeline = redis.pipeline()
    queued = 0
  }
  // Too many cell-weeks to list as changes: the versions jump past what the changes keep, before the
  // first write and after the last, so a reader that keeps cell-weeks reads them all again.
  const newVersion = (version: string) => pipeline.incrby(version, ANALYTICS_CHANGES_KEPT + 1)
  for (const { cell, summary } of cells) {
    for (const version of [keys.merchantAnalyticsVersion(0, cell.merchantId), keys.analyticsVersion(0)]) {
      if (versions.has(version)) continue
      versions.add(version)
      newVersion(version)
    }
    const key = keys.analyticsCell(0, cell)
    const expiresAtMs = expiryOfWeek.get(cell.week) ?? cellExpiresAtMs(cell.week, retentionMs)
    expiryOfWeek.set(cell.week, expiresAtMs)
    pipeline.del(key)
    pipeline.hset(key, ...fieldsOfSummary(summary).flat())
    pipeline.pexpireat(key, expiresAtMs)
    for (const index of [keys.merchantAnalyticsCells(0, cell.merchantId), keys.analyticsCells(0)]) {
      pipeline.zadd(index, weekScore(cell.week), cellMember(cell))
      latestExpiryOf.set(index, Math.max(latestExpiryOf.get(index) ?? 0, expiresAtMs))
    }
    if (++queued === CELL_WEEKS_PER_WRITE) await flush()
  }
  // An index outlives the cell-weeks it names, as the script keeps it: an expiry set when it has none,
  // else moved only later.
  for (const [index, expiresAtMs] of latestExpiryOf) {
    pipeline.pexpireat(index, expiresAtMs, 'NX')
    pipeline.pexpireat(index, expiresAtMs, 'GT')
  }
  for (const version of versions) newVersion(version)
  await flush()
}
