import type { ChainableCommander } from 'ioredis'
import { type AnalyticsCell, isoWeekMonday, isoWeeksFromTo } from '../../domain/analytics/analytics-cell.js'
import type { CellSummary } from '../../domain/analytics/cell-summary.js'
import type { RedisClient } from '../../redis/redis-client.js'
import { ALL_MERCHANTS, type AnalyticsStore, assertIsoWeek, weekScore } from '../analytics-store.js'
import { allShards } from '../shards.js'
import {
  addMergedByGroup,
  type CachedWeek,
  type CellWeekRead,
  cachedWeek,
  expiredMembers,
  heldPairs,
  isMergeOf,
  type MergedWeeks,
  mergedWeeks,
  withChanges,
  withoutExpired,
} from './analytics-week-cache.js'
import { ANALYTICS_CHANGES_KEPT } from './analytics-write.js'
import { defineScripts } from './lua-scripts.js'
import {
  addOneRow,
  createTotalsPool,
  emptyTotals,
  type PackedRow,
  packFields,
  rowOfTotals,
  summaryOfTotals,
} from './packed-cells.js'
import { cellMember, createRedisKeys, readCellMember } from './redis-keys.js'

/** Index entries read per round trip. */
const CELLS_PER_PAGE = 500

/** Cell-week hashes read per script: each call holds Redis up for all of them. */
const CELLS_PER_SCRIPT = 100

/**
 * Scripts of `readCellWeeks` in flight at once with several shards: every shard's at once would queue
 * each behind all the others on a Redis that holds many shards, past the API's command timeout.
 */
const SCRIPTS_IN_FLIGHT = 8

/**
 * Index entries of weeks not held asked of all shards in one round, with several shards: a year of
 * every shard's entries in one round is too large a reply to come within the API's command timeout.
 */
const MISSING_ENTRIES_A_ROUND = 20_000

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

/** The keys of one shard's index of cell-weeks: a merchant's, or every merchant's. */
interface IndexKeys {
  shard: number
  cells: string
  version: string
  changes: string
}

/** What the read cache holds of one index, every shard's cell-weeks together. */
interface CachedIndex {
  /** Each shard's version of the index the weeks held are read at, or later. */
  versions: number[]
  /** The shards holding a part of each cell-week held (several shards only). */
  parts: Map<string, number[]>
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
 * The cell-weeks saveTrackings.lua writes, read through their week-scored indexes. A cell-week's
 * parcels are counted in their own trackings' shards, so a cell-week is the sum of its parts in every
 * shard: counts and histograms added, smallest and largest values kept (packed-cells.ts merges them).
 * Carrier reports (`summariesByGroup`) read them through a cache of their weeks, packed and merged per
 * group, brought up to date on every read from each shard's changes: it answers what Redis holds at
 * that read.
 */
export function createRedisAnalyticsStore(redis: RedisClient, prefix: string, shards = 1): AnalyticsStore {
  const keys = createRedisKeys(prefix, shards)
  const scripted = defineScripts(redis)
  const pool = createTotalsPool()
  const cache = new Map<string, CachedIndex>()
  const everyShard = allShards(shards)
  const missingPage = Math.ceil(MISSING_ENTRIES_A_ROUND / shards)

  const indexKeysOf = (merchantId: string): IndexKeys[] =>
    everyShard.map((shard) =>
      merchantId === ALL_MERCHANTS
        ? {
            shard,
            cells: keys.analyticsCells(shard),
            version: keys.analyticsVersion(shard),
            changes: keys.analyticsChanges(shard),
          }
        : {
            shard,
            cells: keys.merchantAnalyticsCells(shard, merchantId),
            version: keys.merchantAnalyticsVersion(shard, merchantId),
            changes: keys.merchantAnalyticsChanges(shard, merchantId),
          },
    )

  /**
   * The hashes of `cells` in each shard (one script per page: the keys of one shard share a slot), as
   * the script gives them: expiry first, then fields and values. One page at a time with one shard.
   */
  async function readShardHashes(
    cellsByShard: ReadonlyMap<number, readonly AnalyticsCell[]>,
  ): Promise<Map<number, unknown[][]>> {
    const pages: Array<{ shard: number; first: number }> = []
    const answers = new Map<number, unknown[][]>()
    for (const [shard, cells] of cellsByShard) {
      answers.set(shard, new Array<unknown[]>(cells.length))
      for (let first = 0; first < cells.length; first += CELLS_PER_SCRIPT) pages.push({ shard, first })
    }
    let next = 0
    const readPages = async () => {
      for (let page = pages[next++]; page; page = pages[next++]) {
        const cells = (cellsByShard.get(page.shard) ?? []).slice(page.first, page.first + CELLS_PER_SCRIPT)
        const read = await scripted.readCellWeeks(
          cells.length,
          ...cells.map((cell) => keys.analyticsCell(page.shard, cell)),
        )
        const shardAnswers = answers.get(page.shard) ?? []
        for (let index = 0; index < cells.length; index++)
          shardAnswers[page.first + index] = read[index] ?? []
      }
    }
    const readers = shards === 1 ? 1 : Math.min(SCRIPTS_IN_FLIGHT, pages.length)
    await Promise.all(Array.from({ length: readers }, readPages))
    return answers
  }

  /**
   * The cell-weeks `members` as Redis holds them now, each read in the shards named for it (every
   * shard at once) and its parts merged into one row; those gone (expired) from all of them apart.
   * The shards that hold a part of each are noted in `parts`.
   */
  async function readCellWeeks(
    members: ReadonlyMap<string, ReadonlySet<number>>,
    parts: CachedIndex['parts'],
  ) {
    const byShard = new Map<number, string[]>()
    for (const [member, memberShards] of members) {
      for (const shard of memberShards) {
        const shardMembers = byShard.get(shard)
        if (shardMembers) shardMembers.push(member)
        else byShard.set(shard, [member])
      }
    }
    const found = new Map<
      string,
      Array<{ shard: number; cell: AnalyticsCell; expiresAtMs: number; row: PackedRow }>
    >()
    const cellsByShard = new Map(
      [...byShard].map(([shard, shardMembers]) => [shard, shardMembers.map(readCellMember)]),
    )
    const answersByShard = await readShardHashes(cellsByShard)
    for (const [shard, shardMembers] of byShard) {
      const cells = cellsByShard.get(shard) ?? []
      const answers = answersByShard.get(shard) ?? []
      for (const [index, member] of shardMembers.entries()) {
        const [expiresAtMs = -2, ...fields] = answers[index] ?? []
        if (expiresAtMs === -2 || fields.length === 0) continue
        const part = {
          shard,
          cell: cells[index] as AnalyticsCell,
          expiresAtMs: expiresAtMs === -1 ? Number.POSITIVE_INFINITY : Number(expiresAtMs),
          row: packFields(fields),
        }
        const memberParts = found.get(member)
        if (memberParts) memberParts.push(part)
        else found.set(member, [part])
      }
    }
    const reads: CellWeekRead[] = []
    const gone: Array<{ member: string; week: string }> = []
    for (const member of members.keys()) {
      const memberParts = found.get(member)
      if (shards > 1) {
        if (memberParts)
          parts.set(
            member,
            memberParts.map(({ shard }) => shard),
          )
        else parts.delete(member)
      }
      const [first, ...others] = memberParts ?? []
      if (!first) gone.push({ member, week: readCellMember(member).week })
      else if (others.length === 0)
        reads.push({ member, cell: first.cell, expiresAtMs: first.expiresAtMs, row: first.row })
      else {
        const total = emptyTotals()
        for (const { row } of [first, ...others]) addOneRow(total, row)
        // The cell-week is read again when its first part expires: the others may stay.
        const expiresAtMs = Math.min(first.expiresAtMs, ...others.map((part) => part.expiresAtMs))
        reads.push({ member, cell: first.cell, expiresAtMs, row: rowOfTotals(total) })
      }
    }
    return { reads, gone }
  }

  /**
   * Brings `cached` up to Redis for `weeks`: the weeks it does not hold are read whole from every
   * shard, the cell-weeks changed in a shard since its version in the weeks it holds are read again
   * (in every shard holding a part of them), and so are those a part of which has expired. Redis's
   * clock (ms) at the read.
   */
  async function refresh(
    indexes: readonly IndexKeys[],
    cached: CachedIndex,
    weeks: readonly string[],
  ): Promise<number> {
    const missing = weeks.filter((week) => !cached.weeks.has(week))
    const holding = cached.weeks.size > 0
    const [firstMissing, lastMissing] = [missing[0], missing.at(-1)]
    // One pipeline per shard, all at once: a Redis Cluster pipelines the keys of one slot only.
    const answers = await Promise.all(
      indexes.map(async (index, at) => {
        const pipeline = redis.pipeline()
        if (at === 0) pipeline.time()
        // The version first: whatever changes after it is read again at the next refresh.
        pipeline.get(index.version)
        if (holding) pipeline.zrangebyscore(index.changes, `(${cached.versions[index.shard] ?? 0}`, '+inf')
        if (firstMissing && lastMissing) {
          const [from, to] = [weekScore(firstMissing), weekScore(lastMissing)]
          if (shards === 1) pipeline.zrangebyscore(index.cells, from, to)
          else pipeline.zrangebyscore(index.cells, from, to, 'LIMIT', 0, missingPage)
        }
        const replies = await repliesOf(pipeline)
        const [clock] = at === 0 ? (replies.splice(0, 1) as Array<[string, string]>) : []
        return {
          clock,
          version: Number(replies[0] ?? 0),
          changed: holding ? (replies[1] as string[]) : [],
          inMissingWeeks: firstMissing ? (replies[holding ? 2 : 1] as string[]) : [],
        }
      }),
    )
    const [seconds = '0', micros = '0'] = answers[0]?.clock ?? []
    const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
    const versions = answers.map(({ version }) => version)
    const behind = versions.some((version, shard) => {
      const held = cached.versions[shard] ?? 0
      return version < held || version - held > ANALYTICS_CHANGES_KEPT
    })
    if (holding && behind) {
      // Further behind than a shard's changes go (or a version that went back): every week is read again.
      cached.weeks.clear()
      cached.merged.clear()
      cached.parts.clear()
      return refresh(indexes, cached, weeks)
    }
    if (firstMissing && lastMissing && shards > 1) {
      const [from, to] = [weekScore(firstMissing), weekScore(lastMissing)]
      await Promise.all(
        answers.map(async (answer, at) => {
          const index = indexes[at] as IndexKeys
          for (let page = answer.inMissingWeeks; page.length === missingPage; ) {
            const offset = answer.inMissingWeeks.length
            page = await redis.zrangebyscore(index.cells, from, to, 'LIMIT', offset, missingPage)
            answer.inMissingWeeks.push(...page)
          }
        }),
      )
    }
    const missingWeeks = new Set(missing)
    const toRead = new Map<string, Set<number>>()
    const read = (member: string, memberShards: readonly number[]) => {
      const held = toRead.get(member)
      if (held) for (const shard of memberShards) held.add(shard)
      else toRead.set(member, new Set(memberShards))
    }
    const partsOf = (member: string) => (shards === 1 ? [0] : (cached.parts.get(member) ?? []))
    for (const [at, { changed, inMissingWeeks }] of answers.entries()) {
      const shard = indexes[at]?.shard ?? 0
      for (const member of inMissingWeeks)
        if (missingWeeks.has(readCellMember(member).week)) read(member, [shard])
      for (const member of changed) {
        const week = readCellMember(member).week
        if (cached.weeks.has(week) || missingWeeks.has(week)) read(member, [shard, ...partsOf(member)])
      }
    }
    if (shards > 1) {
      for (const [week, held] of cached.weeks)
        if (!missingWeeks.has(week))
          for (const member of expiredMembers(held, nowMs)) read(member, partsOf(member))
    }
    const { reads, gone } = await readCellWeeks(toRead, cached.parts)
    const readsByWeek = new Map<string, CellWeekRead[]>()
    for (const read of reads) {
      const weekReads = readsByWeek.get(read.cell.week)
      if (weekReads) weekReads.push(read)
      else readsByWeek.set(read.cell.week, [read])
    }
    for (const week of missing) cached.weeks.set(week, cachedWeek(readsByWeek.get(week) ?? []))
    const goneByWeek = new Map<string, Set<string>>()
    for (const { member, week } of gone) goneByWeek.set(week, (goneByWeek.get(week) ?? new Set()).add(member))
    for (const [week, held] of cached.weeks) {
      if (missingWeeks.has(week)) continue
      const weekReads = readsByWeek.get(week)
      const weekGone = goneByWeek.get(week)
      if (weekReads || weekGone)
        cached.weeks.set(week, withChanges(held, weekReads ?? [], weekGone ?? new Set()))
    }
    cached.versions = versions
    return nowMs
  }

  /** The cache of the merchant's index (or every merchant's), marked as the most recently read. */
  function cachedIndexOf(merchantId: string): CachedIndex {
    const cached = cache.get(merchantId) ?? {
      versions: [],
      parts: new Map(),
      weeks: new Map(),
      merged: new Map(),
      queue: Promise.resolve(),
    }
    cache.delete(merchantId)
    cache.set(merchantId, cached)
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

  /** The cells of one shard's index in the weeks, of one carrier when given, read a page at a time. */
  async function cellsOfShard(index: IndexKeys, fromWeek: string, toWeek: string, carrier?: string) {
    const cells: AnalyticsCell[] = []
    for (let offset = 0; ; offset += CELLS_PER_PAGE) {
      const members = await redis.zrangebyscore(
        index.cells,
        weekScore(fromWeek),
        weekScore(toWeek),
        'LIMIT',
        offset,
        CELLS_PER_PAGE,
      )
      for (const cell of members.map(readCellMember))
        if (carrier === undefined || cell.carrier === carrier) cells.push(cell)
      if (members.length < CELLS_PER_PAGE) return cells
    }
  }

  return {
    async cells(merchantId, fromWeek, toWeek, carrier) {
      assertIsoWeek(fromWeek)
      assertIsoWeek(toWeek)
      const indexes = indexKeysOf(merchantId)
      const shardCells = await Promise.all(
        indexes.map((index) => cellsOfShard(index, fromWeek, toWeek, carrier)),
      )
      const cellsByShard = new Map(indexes.map((index, at) => [index.shard, shardCells[at] ?? []]))
      const answersByShard = await readShardHashes(cellsByShard)
      const totals = new Map<string, { cell: AnalyticsCell; total: Float64Array }>()
      for (const [shard, cells] of cellsByShard) {
        const answers = answersByShard.get(shard) ?? []
        for (const [at, cell] of cells.entries()) {
          // Past its retention, a cell-week's hash is gone before its index entry.
          const [, ...fields] = answers[at] ?? []
          if (fields.length === 0) continue
          const member = cellMember(cell)
          let merged = totals.get(member)
          if (!merged) {
            merged = { cell, total: emptyTotals() }
            totals.set(member, merged)
          }
          addOneRow(merged.total, packFields(fields))
        }
      }
      return [...totals.values()].map(({ cell, total }) => ({ cell, summary: summaryOfTotals(total) }))
    },

    async summariesByGroup(merchantId, { fromWeek, toWeek, groupBy, carrier }) {
      assertIsoWeek(fromWeek)
      assertIsoWeek(toWeek)
      const weeks = isoWeeksFromTo(fromWeek, toWeek)
      if (weeks.length === 0) return new Map<string, CellSummary>()
      const indexes = indexKeysOf(merchantId)
      const cached = cachedIndexOf(merchantId)
      const answer = cached.queue.then(async () => {
        const nowMs = await refresh(indexes, cached, weeks)
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
