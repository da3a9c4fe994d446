import type { ChainableCommander } from 'ioredis'
import { type AnalyticsCell, isoWeekMonday, isoWeeksFromTo } from '../../domain/analytics/analytics-cell.js'
import type { CellSummary } from '../../domain/analytics/cell-summary.js'
import type { RedisClient } from '../../redis/redis-client.js'
import {
  ALL_MERCHANTS,
  type AnalyticsStore,
  assertIsoWeek,
  type StoredCell,
  weekScore,
} from '../analytics-store.js'
import {
  addMergedByGroup,
  type CachedWeek,
  type CellWeekRead,
  cachedWeek,
  heldPairs,
  isMergeOf,
  type MergedWeeks,
  mergedWeeks,
  withChanges,
  withoutExpired,
} from './analytics-week-cache.js'
import { ANALYTICS_CHANGES_KEPT } from './analytics-write.js'
import { defineScripts } from './lua-scripts.js'
import { createTotalsPool, packFields, summaryOfRow, summaryOfTotals } from './packed-cells.js'
import { createRedisKeys, readCellMember } from './redis-keys.js'

/** Index entries read per round trip. */
const CELLS_PER_PAGE = 500

/** Cell-week hashes read per script: each call holds Redis up for all of them. */
const CELLS_PER_SCRIPT = 100

/**
 * Fields of cell-weeks the read cache holds across indexes before it lets the least recently read
 * index go (what a merchant's year takes: docs/analytics.md, "Reading").
 */
const CACHE_MAX_PAIRS = 10_000_000

/**
 * Weeks merged together ahead of a report, counted from 1970 so that reports of other spans share them:
 * a report merges a few stretches instead of every week, and a changed week merges its stretch again.
 */
const WEEKS_A_STRETCH = 8
/** Stretches merged per grouping an index keeps before it lets them all go. */
const MERGED_STRETCHES_KEPT = 256
const WEEK_MS = 7 * 86_400_000

/** Where each stretch of consecutive `weeks` begins and ends (`to` excluded). */
function stretchesOf(weeks: readonly string[]): Array<{ from: number; to: number }> {
  const stretches: Array<{ from: number; to: number; stretch: number }> = []
  for (const [index, week] of weeks.entries()) {
    const stretch = Math.floor(Date.parse(`${isoWeekMonday(week)}T00:00:00Z`) / WEEK_MS / WEEKS_A_STRETCH)
    const last = stretches.at(-1)
    if (last?.stretch === stretch) last.to = index + 1
    else stretches.push({ from: index, to: index + 1, stretch })
  }
  return stretches
}

/** The keys of one index of cell-weeks: a merchant's, or every merchant's. */
interface IndexKeys {
  cells: string
  version: string
  changes: string
}

/** What the read cache holds of one index. */
interface CachedIndex {
  /** The index's version the weeks held are read at, or later. */
  version: number
  weeks: Map<string, CachedWeek>
  /** Stretches of its weeks merged per group, by grouping and first and last week. */
  merged: Map<string, MergedWeeks>
  /** Reads of this index, one after the other: each updates the weeks the next one reads. */
  queue: Promise<unknown>
}

async function repliesOf(pipeline: ChainableCommander): Promise<unknown[]> {
  return ((await pipeline.exec()) ?? []).map(([error, reply]) => {
    if (error) throw error
    return reply
  })
}

/**
 * The cell-weeks saveTrackings.lua writes, read through their week-scored indexes. Carrier reports
 * (`summariesByGroup`) read them through a cache of their weeks, packed and merged per group, brought
 * up to date on every read from the index's changes: it answers what Redis holds at that read.
 */
export function createRedisAnalyticsStore(redis: RedisClient, prefix: string, shards = 1): AnalyticsStore {
  const keys = createRedisKeys(prefix, shards)
  const scripted = defineScripts(redis)
  const pool = createTotalsPool()
  const cache = new Map<string, CachedIndex>()

  const indexKeysOf = (merchantId: string): IndexKeys =>
    merchantId === ALL_MERCHANTS
      ? {
          cells: keys.analyticsCells(0),
          version: keys.analyticsVersion(0),
          changes: keys.analyticsChanges(0),
        }
      : {
          cells: keys.merchantAnalyticsCells(0, merchantId),
          version: keys.merchantAnalyticsVersion(0, merchantId),
          changes: keys.merchantAnalyticsChanges(0, merchantId),
        }

  /** The cell-weeks of `members` as Redis holds them now; those gone (expired) apart. */
  async function readCellWeeks(members: readonly string[]) {
    const reads: CellWeekRead[] = []
    const gone = new Set<string>()
    for (let first = 0; first < members.length; first += CELLS_PER_SCRIPT) {
      const page = members.slice(first, first + CELLS_PER_SCRIPT)
      const cells = page.map(readCellMember)
      const answers = await scripted.readCellWeeks(
        page.length,
        ...cells.map((cell) => keys.analyticsCell(0, cell)),
      )
      for (const [index, member] of page.entries()) {
        const [expiresAtMs = -2, ...fields] = answers[index] ?? []
        if (expiresAtMs === -2 || fields.length === 0) gone.add(member)
        else
          reads.push({
            member,
            cell: cells[index] as AnalyticsCell,
            expiresAtMs: expiresAtMs === -1 ? Number.POSITIVE_INFINITY : expiresAtMs,
            row: packFields(fields),
          })
      }
    }
    return { reads, gone }
  }

  /**
   * Brings `cached` up to Redis for `weeks`: the weeks it does not hold are read whole, the cell-weeks
   * changed since its version in the weeks it holds are read again. Redis's clock (ms) at the read.
   */
  async function refresh(index: IndexKeys, cached: CachedIndex, weeks: readonly string[]): Promise<number> {
    const missing = weeks.filter((week) => !cached.weeks.has(week))
    const holding = cached.weeks.size > 0
    // The version first: whatever changes after it is read again at the next refresh.
    const pipeline = redis.pipeline().time().get(index.version)
    if (holding) pipeline.zrangebyscore(index.changes, `(${cached.version}`, '+inf')
    const [firstMissing, lastMissing] = [missing[0], missing.at(-1)]
    if (firstMissing && lastMissing)
      pipeline.zrangebyscore(index.cells, weekScore(firstMissing), weekScore(lastMissing))
    const replies = await repliesOf(pipeline)
    const [seconds, micros] = replies[0] as [string, string]
    const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
    const version = Number(replies[1] ?? 0)
    if (holding && (version < cached.version || version - cached.version > ANALYTICS_CHANGES_KEPT)) {
      // Further behind than the changes go (or a version that went back): every week is read again.
      cached.weeks.clear()
      cached.merged.clear()
      return refresh(index, cached, weeks)
    }
    const changed = holding ? (replies[2] as string[]) : []
    const inMissingWeeks = firstMissing ? (replies[holding ? 3 : 2] as string[]) : []
    const missingWeeks = new Set(missing)
    const weekOf = (member: string) => readCellMember(member).week
    const toRead = new Set(inMissingWeeks.filter((member) => missingWeeks.has(weekOf(member))))
    for (const member of changed) {
      const week = weekOf(member)
      if (cached.weeks.has(week) || missingWeeks.has(week)) toRead.add(member)
    }
    const { reads, gone } = await readCellWeeks([...toRead])
    const readsByWeek = new Map<string, CellWeekRead[]>()
    for (const read of reads) {
      const weekReads = readsByWeek.get(read.cell.week)
      if (weekReads) weekReads.push(read)
      else readsByWeek.set(read.cell.week, [read])
    }
    for (const week of missing) cached.weeks.set(week, cachedWeek(readsByWeek.get(week) ?? []))
    const goneByWeek = new Map<string, Set<string>>()
    for (const member of gone) {
      const week = weekOf(member)
      goneByWeek.set(week, (goneByWeek.get(week) ?? new Set()).add(member))
    }
    for (const [week, held] of cached.weeks) {
      if (missingWeeks.has(week)) continue
      const weekReads = readsByWeek.get(week)
      const weekGone = goneByWeek.get(week)
      if (weekReads || weekGone)
        cached.weeks.set(week, withChanges(held, weekReads ?? [], weekGone ?? new Set()))
    }
    cached.version = version
    return nowMs
  }

  /** The cache of the index, marked as the most recently read. */
  function cachedIndexOf(index: IndexKeys): CachedIndex {
    const cached = cache.get(index.cells) ?? {
      version: 0,
      weeks: new Map(),
      merged: new Map(),
      queue: Promise.resolve(),
    }
    cache.delete(index.cells)
    cache.set(index.cells, cached)
    return cached
  }

  /** Lets the least recently read indexes go while the cache holds more than it may, but the last one. */
  function trimCache(): void {
    const held = (cached: CachedIndex) =>
      [...cached.weeks.values()].reduce((sum, week) => sum + heldPairs(week), 0)
    let total = [...cache.values()].reduce((sum, cached) => sum + held(cached), 0)
    for (const [name, cached] of cache) {
      if (total <= CACHE_MAX_PAIRS || cache.size === 1) return
      total -= held(cached)
      cache.delete(name)
    }
  }

  return {
    async cells(merchantId, fromWeek, toWeek, carrier) {
      assertIsoWeek(fromWeek)
      assertIsoWeek(toWeek)
      const { cells: index } = indexKeysOf(merchantId)
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
        for (let first = 0; first < cells.length; first += CELLS_PER_SCRIPT) {
          const page = cells.slice(first, first + CELLS_PER_SCRIPT)
          const answers = await scripted.readCellWeeks(
            page.length,
            ...page.map((cell) => keys.analyticsCell(0, cell)),
          )
          for (const [index, cell] of page.entries()) {
            // Past its retention, a cell-week's hash is gone before its index entry.
            const [, ...fields] = answers[index] ?? []
            if (fields.length > 0) found.push({ cell, summary: summaryOfRow(packFields(fields)) })
          }
        }
        if (members.length < CELLS_PER_PAGE) return found
      }
    },

    async summariesByGroup(merchantId, { fromWeek, toWeek, groupBy, carrier }) {
      assertIsoWeek(fromWeek)
      assertIsoWeek(toWeek)
      const weeks = isoWeeksFromTo(fromWeek, toWeek)
      if (weeks.length === 0) return new Map<string, CellSummary>()
      const index = indexKeysOf(merchantId)
      const cached = cachedIndexOf(index)
      const answer = cached.queue.then(async () => {
        const nowMs = await refresh(index, cached, weeks)
        const held = weeks.map((week) => {
          const current = withoutExpired(cached.weeks.get(week) ?? cachedWeek([]), nowMs)
          cached.weeks.set(week, current)
          return current
        })
        // Merged at once, from here to the summaries: the pool's totals are free again.
        pool.release()
        const totals = new Map<string, Float64Array>()
        for (const stretch of stretchesOf(weeks)) {
          const name = `${groupBy}:${carrier ?? ''}:${weeks[stretch.from]}:${weeks[stretch.to - 1]}`
          const stretchWeeks = held.slice(stretch.from, stretch.to)
          let merged = cached.merged.get(name)
          if (!merged || !isMergeOf(merged, stretchWeeks)) {
            merged = mergedWeeks(stretchWeeks, { groupBy, carrier }, pool)
            if (cached.merged.size >= MERGED_STRETCHES_KEPT) cached.merged.clear()
            cached.merged.set(name, merged)
          }
          addMergedByGroup(totals, merged, pool)
        }
        trimCache()
        return new Map([...totals].map(([group, total]) => [group, summaryOfTotals(total)]))
      })
      cached.queue = answer.catch(() => undefined)
      return answer
    },
  }
}
