import type { AnalyticsCell } from '../../domain/analytics/analytics-cell.js'
import { addOutcome, emptySummary } from '../../domain/analytics/cell-summary.js'
import type { RedisClient } from '../../redis/redis-client.js'
import type { StoredCell } from '../analytics-store.js'
import {
  cellExpiresAtMs,
  finishingOutcome,
  type OutcomeFactsOf,
  oldestKeptWeek,
  weekScore,
} from '../analytics-store.js'
import { shardOfText } from '../shards.js'
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

/** A whole cell-week to write, in `shard` when given (its part counted there), else in its own shard. */
export interface CellWeekWrite extends StoredCell {
  shard?: number
}

/**
 * The shard a whole cell-week is written to when none is given: from the cell alone, so that writing it
 * again replaces it, and a history's cell-weeks spread over the shards (and a cluster's nodes) as
 * counted parcels do.
 */
export function shardOfCellWeek(cell: AnalyticsCell, shards: number): number {
  return shardOfText(cellMember(cell), shards)
}

/**
 * Writes whole cell-weeks, each as saveTrackings.lua leaves one after counting its parcels one by
 * one: its hash, its entries in the merchant's and in every merchant's index of its shard, their
 * expiry, and a new version of both indexes. A cell-week already in that shard is replaced; its parts
 * counted in other shards stay, and readers add them up. For a history colis did not poll itself, and
 * the benchmark.
 */
export async function writeCellWeeks(
  redis: RedisClient,
  keys: RedisKeys,
  cells: Iterable<CellWeekWrite>,
  retentionMs: number,
): Promise<void> {
  // One pipeline per shard: a Redis Cluster pipelines the keys of one slot only.
  const pipelines = new Map<number, ReturnType<RedisClient['pipeline']>>()
  let queued = 0
  const latestExpiryOf = new Map<string, { shard: number; expiresAtMs: number }>()
  const versions = new Map<string, number>()
  const expiryOfWeek = new Map<string, number>()
  const pipelineOf = (shard: number) => {
    let pipeline = pipelines.get(shard)
    if (!pipeline) {
      pipeline = redis.pipeline()
      pipelines.set(shard, pipeline)
    }
    return pipeline
  }
  const flush = async () => {
    const sent = [...pipelines.values()]
    pipelines.clear()
    queued = 0
    for (const replies of await Promise.all(sent.map((pipeline) => pipeline.exec())))
      for (const [error] of replies ?? []) if (error) throw error
  }
  // Too many cell-weeks to list as changes: the versions jump past what the changes keep, before the
  // first write and after the last, so a reader that keeps cell-weeks reads them all again.
  const newVersion = (shard: number, version: string) =>
    pipelineOf(shard).incrby(version, ANALYTICS_CHANGES_KEPT + 1)
  for (const { cell, summary, shard: given } of cells) {
    const shard = given ?? shardOfCellWeek(cell, keys.shards)
    const pipeline = pipelineOf(shard)
    for (const version of [
      keys.merchantAnalyticsVersion(shard, cell.merchantId),
      keys.analyticsVersion(shard),
    ]) {
      if (versions.has(version)) continue
      versions.set(version, shard)
      newVersion(shard, version)
    }
    const key = keys.analyticsCell(shard, cell)
    const expiresAtMs = expiryOfWeek.get(cell.week) ?? cellExpiresAtMs(cell.week, retentionMs)
    expiryOfWeek.set(cell.week, expiresAtMs)
    pipeline.del(key)
    pipeline.hset(key, ...fieldsOfSummary(summary).flat())
    pipeline.pexpireat(key, expiresAtMs)
    for (const index of [keys.merchantAnalyticsCells(shard, cell.merchantId), keys.analyticsCells(shard)]) {
      pipeline.zadd(index, weekScore(cell.week), cellMember(cell))
      latestExpiryOf.set(index, {
        shard,
        expiresAtMs: Math.max(latestExpiryOf.get(index)?.expiresAtMs ?? 0, expiresAtMs),
      })
    }
    if (++queued === CELL_WEEKS_PER_WRITE) await flush()
  }
  // An index outlives the cell-weeks it names, as the script keeps it: an expiry set when it has none,
  // else moved only later.
  for (const [index, { shard, expiresAtMs }] of latestExpiryOf) {
    pipelineOf(shard).pexpireat(index, expiresAtMs, 'NX')
    pipelineOf(shard).pexpireat(index, expiresAtMs, 'GT')
  }
  for (const [version, shard] of versions) newVersion(shard, version)
  await flush()
}
