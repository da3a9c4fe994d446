import { ALERT_TYPES, type AlertType } from '../../domain/alert.js'
import type { TrackingRecord } from '../../domain/tracking.js'
import type { TrackingEvent } from '../../domain/tracking-event.js'
import type { RedisClient } from '../../redis/redis-client.js'
import {
  DEFAULT_ANALYTICS_RETENTION_MS,
  DEFAULT_OUTCOME_FACTS,
  type OutcomeFactsOf,
} from '../analytics-store.js'
import { decodeEvents, decodeEventsJson } from '../event-codec.js'
import { newTrackingRecord } from '../new-tracking.js'
import { createPageToken, samePageToken } from '../page-token.js'
import { allShards } from '../shards.js'
import {
  InvalidCursorError,
  ORDER_PARCELS_LIMIT,
  type Page,
  type PollView,
  type SaveOutcome,
  type StoredAlert,
  type TrackingSave,
  type TrackingStore,
} from '../tracking-store.js'
import { analyticsWriteOf } from './analytics-write.js'
import { defineScripts, type ScriptedRedis } from './lua-scripts.js'
import { createReadCache } from './read-cache.js'
import { createRedisKeys } from './redis-keys.js'
import { type AcknowledgedWrites, createAcknowledgedWrites, type ReplicaWait } from './replica-wait.js'
import {
  decodeDeleteAnswer,
  decodeRefreshAnswer,
  decodeRotateAnswer,
  decodeSaveAnswer,
} from './script-answers.js'
import { execByShard, indexesByShard, newestAcrossShards, replyValue } from './shard-reads.js'
import {
  alertEntry,
  deleteArgs,
  readPageEntry,
  registerArgs,
  rotateArgs,
  saveGroup,
  saveSharedKeys,
} from './tracking-script-args.js'

/** Saves sent in one command: a poll job's batch at once, a sweep's in a few (a script blocks Redis). */
const SAVES_PER_COMMAND = 50

const MEMBER_PATTERN = /^\d{15}:(trk_[A-Za-z0-9]+|alr_[A-Za-z0-9]+:trk_[A-Za-z0-9]+)$/

function encodeCursor(member: string): string {
  return Buffer.from(member).toString('base64url')
}

function decodeCursor(cursor: string): string {
  const member = Buffer.from(cursor, 'base64url').toString()
  if (!MEMBER_PATTERN.test(member)) throw new InvalidCursorError('cursor is not one this API gave out')
  return member
}

function parseRecord(doc: Buffer | string | null | undefined): TrackingRecord | undefined {
  if (!doc || doc.length === 0) return undefined
  return JSON.parse(doc.toString()) as TrackingRecord
}

/**
 * Newest first through a lexicographic index kept in each shard, with a stable cursor: the last member
 * seen, a position in every shard's index at once.
 */
async function pageOf(
  redis: RedisClient,
  indexes: readonly string[],
  limit: number,
  cursor: string | undefined,
) {
  const max = cursor ? `(${decodeCursor(cursor)}` : '+'
  const members = await newestAcrossShards(redis, indexes, max, limit + 1)
  const page = members.slice(0, limit)
  const last = page.at(-1)
  return {
    ids: page.map((member) => member.slice(16)),
    nextCursor: members.length > limit && last ? encodeCursor(last) : undefined,
  }
}

const SCAN_PHASES = ['due', 'inflight']

/** A write that finds its tracking changed since it was read reads it again, this many times at most. */
const CONFLICT_ATTEMPTS = 3
/** How long e-mail subscriptions outlive the end of their parcel's life when not told (NOTIFY_RETENTION). */
const DEFAULT_NOTIFY_RETENTION_MS = 30 * 24 * 3600 * 1000

/** Trackings `read` keeps decoded, by version (see read-cache.ts). */
const READ_CACHE_ENTRIES = 1_000

/** Sets `key` in a memory of READ_CACHE_ENTRIES entries at most, which starts over once full. */
function keepBounded<T>(memory: Map<string, T>, key: string, value: T): void {
  if (!memory.has(key) && memory.size >= READ_CACHE_ENTRIES) memory.clear()
  memory.set(key, value)
}

export function createRedisTrackingStore(
  client: RedisClient,
  prefix: string,
  options: {
    readCacheEntries?: number
    notifyRetentionMs?: number
    /** ANALYTICS_RETENTION: how long a cell-week is kept after its week ends. */
    analyticsRetentionMs?: number
    /** The carriers' delivery days, to measure the parcels a save finishes. */
    outcomeFacts?: OutcomeFactsOf
    /** COLIS_SHARDS: how many shards the keyspace was made with. */
    shards?: number
    /** REDIS_WAIT_REPLICAS: registrations and saves with notifications wait for replicas. */
    waitReplicas?: ReplicaWait
    now?: () => number
  } = {},
): TrackingStore {
  const notifyRetentionMs = options.notifyRetentionMs ?? DEFAULT_NOTIFY_RETENTION_MS
  const analyticsPolicy = {
    factsOf: options.outcomeFacts ?? DEFAULT_OUTCOME_FACTS,
    retentionMs: options.analyticsRetentionMs ?? DEFAULT_ANALYTICS_RETENTION_MS,
  }
  const now = options.now ?? Date.now
  const redis = defineScripts(client)
  const acknowledged =
    options.waitReplicas && options.waitReplicas.replicas > 0
      ? createAcknowledgedWrites(redis, {
          ...options.waitReplicas,
          connections: options.waitReplicas.connections?.map(defineScripts),
        })
      : undefined
  const shards = options.shards ?? 1
  const keys = createRedisKeys(prefix, shards)
  const everyShard = allShards(shards)

  async function readOwned(merchantId: string, id: string) {
    // Buffers: the timeline is stored deflated (binary), see event-codec.ts.
    const [doc, events, version] = await redis.hmgetBuffer(keys.tracking(id), 'doc', 'events', 'v')
    const record = parseRecord(doc)
    if (!record || record.merchantId !== merchantId) return undefined
    noteCarrier(id, record.carrier)
    return { record, events: decodeEvents(events), version: Number(version?.toString()) }
  }

  /**
   * The due key of each tracking this process has read or registered: `read` passes it to its script
   * (a script's keys are all given to it), so a tracking seen once is read in one round trip.
   */
  const dueKeyOf = new Map<string, string>()
  const DUE_KEYS_REMEMBERED = 100_000

  function dueKeyFor(id: string, carrier: string): string {
    return keys.due(keys.shardOf(id), carrier)
  }

  function noteCarrier(id: string, carrier: string) {
    if (dueKeyOf.has(id)) return
    if (dueKeyOf.size >= DUE_KEYS_REMEMBERED) dueKeyOf.clear()
    dueKeyOf.set(id, dueKeyFor(id, carrier))
  }

  /**
   * Whether a merchant's last save with notifications found someone listening: their payloads are then
   * sent at once; otherwise a save goes without them and is sent again with them only if
   * saveTrackings.lua finds a listener. A merchant without webhooks never ships payloads nobody reads
   * (each holds the whole tracking).
   */
  const listeningMerchants = new Map<string, boolean>()
  const LISTENING_MERCHANTS_LIMIT = 10_000

  function noteListening(merchantId: string, listening: boolean) {
    if (listeningMerchants.size >= LISTENING_MERCHANTS_LIMIT) listeningMerchants.clear()
    listeningMerchants.set(merchantId, listening)
  }

  async function registerMany(
    items: Parameters<TrackingStore['registerMany']>[0],
    now: Date,
  ): ReturnType<TrackingStore['registerMany']> {
    if (items.length === 0) return []
    const createdAt = now.toISOString()
    // One register script per item, all in one round trip; `register` is the batch of one.
    const records = items.map(({ input }) => newTrackingRecord(input, createdAt, shards))
    const replies = await execByShard(
      redis,
      records.map((record, index) => ({ record, alertCheckAtMs: items[index]?.nextAlertCheckAtMs })),
      ({ record }) => keys.shardOf(record.id),
      (pipeline, { record, alertCheckAtMs }) => {
        ;(pipeline as unknown as ScriptedRedis).registerTracking(
          ...registerArgs(keys, record, now.getTime(), alertCheckAtMs),
        )
      },
      acknowledged,
    )
    const createdHere = new Map<string, TrackingRecord>()
    const ids = replies.map(([error, id], index) => {
      if (error) throw error
      const record = records[index] as TrackingRecord
      if (id === record.id) {
        createdHere.set(record.id, record)
        noteCarrier(record.id, record.carrier)
      }
      return id as string
    })
    // Numbers registered before this batch: read them all at once (ioredis sends them together).
    const earlier = new Map(
      await Promise.all(
        [...new Set(ids.filter((id) => !createdHere.has(id)))].map(async (id) => {
          const merchantId = records[ids.indexOf(id)]?.merchantId ?? ''
          return [id, await readOwned(merchantId, id)] as const
        }),
      ),
    )
    return ids.map((id, index) => {
      const record = records[index] as TrackingRecord
      if (id === record.id) return { record, events: [], created: true }
      const mine = createdHere.get(id)
      if (mine) return { record: mine, events: [], created: false }
      const existing = earlier.get(id)
      if (!existing) throw new Error(`tracking ${id} indexed for ${record.trackingNumber} but missing`)
      return { record: existing.record, events: existing.events, created: false }
    })
  }

  const recent = createReadCache(options.readCacheEntries ?? READ_CACHE_ENTRIES)
  /**
   * The tracking with its timeline as stored JSON text (never parsed), and its next poll time. A
   * version read before comes from memory: the script leaves doc and timeline out when the version it
   * is told about is still the stored one, so the check is as fresh as the read.
   */
  const read: TrackingStore['read'] = async (merchantId, id) => {
    const known = recent.get(id)
    const dueKey = dueKeyOf.get(id) ?? (known ? dueKeyFor(id, known.record.carrier) : undefined)
    // Buffers: the timeline is stored deflated (binary), see event-codec.ts.
    const [doc, events, version, due] =
      (dueKey
        ? await redis.readTrackingBuffer(keys.tracking(id), dueKey, id, known?.version ?? '')
        : await readUnseen(id)) ?? []
    const stored = version?.toString()
    let entry = doc === null && known?.version === stored ? known : undefined
    if (!entry) {
      const record = parseRecord(doc ?? null)
      if (!record || stored === undefined) return undefined
      entry = { version: stored, record, eventsJson: decodeEventsJson(events ?? null) }
      recent.set(id, entry)
      noteCarrier(id, record.carrier)
    }
    if (entry.record.merchantId !== merchantId) return undefined
    return {
      record: entry.record,
      eventsJson: entry.eventsJson,
      nextDueAtMs: due ? Number(due.toString()) : undefined,
    }
  }

  /**
   * Tokens that opened a page, with the tracking they name: a token never names another one, and the
   * tracking's own token is checked on every read, so a rotated or deleted one still opens nothing.
   */
  const pageEntries = new Map<string, string>()
  /** Timelines parsed for pages, with the text they were parsed from: a page is visited again and again. */
  const pageTimelines = new Map<string, { eventsJson: string; events: TrackingEvent[] }>()
  function pageTimelineOf(id: string, eventsJson: string): TrackingEvent[] {
    const kept = pageTimelines.get(id)
    if (kept?.eventsJson === eventsJson) return kept.events
    const events = JSON.parse(eventsJson) as TrackingEvent[]
    keepBounded(pageTimelines, id, { eventsJson, events })
    return events
  }

  /** `read` of a tracking whose carrier, hence due key, this process does not know yet: two round trips. */
  async function readUnseen(id: string): Promise<Array<Buffer | null> | null> {
    const [doc, events, version] = await redis.hmgetBuffer(keys.tracking(id), 'doc', 'events', 'v')
    const record = parseRecord(doc)
    if (!record) return null
    return [
      doc ?? null,
      events ?? null,
      version ?? null,
      await redis.zscoreBuffer(dueKeyFor(id, record.carrier), id),
    ]
  }

  /** The record documents of trackings, in order (null: gone), read shard by shard. */
  async function readDocs(ids: readonly string[]): Promise<Array<string | null>> {
    const replies = await execByShard(redis, ids, keys.shardOf, (pipeline, id) =>
      pipeline.hget(keys.tracking(id), 'doc'),
    )
    return replies.map((reply) => {
      const doc = replyValue(reply)
      return typeof doc === 'string' ? doc : null
    })
  }

  /** What loadTrackings.lua answers for `ids`, one script per shard: three fields per tracking, in order. */
  async function loadByShard(ids: readonly string[]): Promise<Array<Buffer | null>> {
    const byShard = indexesByShard(ids, keys.shardOf)
    if (byShard.size === 1)
      return redis.loadTrackingsBuffer(ids.length, ...ids.map((id) => keys.tracking(id)))
    const fields = new Array<Buffer | null>(3 * ids.length).fill(null)
    await Promise.all(
      [...byShard.values()].map(async (indexes) => {
        const answer = await redis.loadTrackingsBuffer(
          indexes.length,
          ...indexes.map((index) => keys.tracking(ids[index] as string)),
        )
        indexes.forEach((index, at) => {
          for (let field = 0; field < 3; field++) fields[3 * index + field] = answer[3 * at + field] ?? null
        })
      }),
    )
    return fields
  }

  /** One saveTrackings command, returning once replicas confirmed it. */
  async function saveAcknowledged(
    scriptKeys: string[],
    scriptArgs: Array<string | Buffer>,
    writes: AcknowledgedWrites,
  ): Promise<number[]> {
    const [saved] = await writes.exec([scriptKeys], (pipeline) => {
      ;(pipeline as unknown as ScriptedRedis).saveTrackings(scriptKeys.length, ...scriptKeys, ...scriptArgs)
    })
    return replyValue(saved) as number[]
  }

  /** Saves grouped by shard (a script runs in one slot), at most SAVES_PER_COMMAND to a command. */
  function chunksByShard<T extends { write: TrackingSave }>(saves: readonly T[]): T[][] {
    const byShard = indexesByShard(saves, (save) => keys.shardOf(save.write.record.id))
    return [...byShard.values()].flatMap((indexes) => {
      const group = indexes.map((index) => saves[index] as T)
      const chunks: T[][] = []
      for (let start = 0; start < group.length; start += SAVES_PER_COMMAND)
        chunks.push(group.slice(start, start + SAVES_PER_COMMAND))
      return chunks
    })
  }

  return {
    async register(input, now, options: { nextAlertCheckAtMs?: number } = {}) {
      const [result] = await registerMany([{ input, nextAlertCheckAtMs: options.nextAlertCheckAtMs }], now)
      if (!result) throw new Error('registration returned no result')
      return result
    },

    registerMany,

    async get(merchantId, id) {
      const found = await read(merchantId, id)
      if (!found) return undefined
      const { eventsJson, ...rest } = found
      return { ...rest, events: JSON.parse(eventsJson) as TrackingEvent[] }
    },

    read,

    shards,

    async list(merchantId, query): Promise<Page<TrackingRecord>> {
      const indexOf = (shard: number) =>
        query.alert
          ? keys.merchantAlertTrackings(shard, merchantId, query.alert)
          : query.status && query.carrier
            ? keys.merchantCarrierStatus(shard, merchantId, query.carrier, query.status)
            : query.status
              ? keys.merchantStatus(shard, merchantId, query.status)
              : query.carrier
                ? keys.merchantCarrier(shard, merchantId, query.carrier)
                : keys.merchantAll(shard, merchantId)
      const { ids, nextCursor } = await pageOf(redis, everyShard.map(indexOf), query.limit, query.cursor)
      if (ids.length === 0) return { data: [] }
      const docs = await readDocs(ids)
      const data = docs.flatMap((doc) => {
        const record = parseRecord(doc)
        // The alert index is one filter; the others apply on top of it.
        if (!record) return []
        if (
          query.alert &&
          ((query.status && record.status !== query.status) ||
            (query.carrier && record.carrier !== query.carrier))
        ) {
          return []
        }
        return [record]
      })
      return nextCursor ? { data, nextCursor } : { data }
    },

    async findByPageToken(token) {
      const entry = pageEntries.get(token) ?? (await redis.get(keys.pageToken(token)))
      if (!entry) return undefined
      const { id, merchantId } = readPageEntry(entry)
      const found = await read(merchantId, id)
      if (!found || !samePageToken(found.record.pageToken, token)) return undefined
      keepBounded(pageEntries, token, entry)
      return { record: found.record, events: pageTimelineOf(id, found.eventsJson) }
    },

    async findByOrder(merchantId, orderId) {
      const members = await newestAcrossShards(
        redis,
        everyShard.map((shard) => keys.merchantOrder(shard, merchantId, orderId)),
        '+',
        ORDER_PARCELS_LIMIT,
      )
      if (members.length === 0) return []
      const docs = await readDocs(members.map((member) => member.slice(16)))
      return docs.flatMap((doc) => {
        const record = parseRecord(doc)
        return record && record.merchantId === merchantId && record.orderId === orderId ? [record] : []
      })
    },

    async rotatePageToken(merchantId, id) {
      // A conflict (a poll saved meanwhile) is read and tried again.
      for (let attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
        const [doc, version] = await redis.hmget(keys.tracking(id), 'doc', 'v')
        const record = parseRecord(doc)
        if (!record || record.merchantId !== merchantId || !version) return undefined
        const token = createPageToken(keys.shardOf(id), shards)
        const answer = decodeRotateAnswer(
          await redis.rotatePageToken(...rotateArgs(keys, record, version, token)),
        )
        if (answer === 'gone') return undefined
        if (answer === 'rotated') return token
      }
      throw new Error(`tracking ${id} changed during each of ${CONFLICT_ATTEMPTS} page token rotations`)
    },

    async delete(merchantId, id) {
      // A conflict (a poll saved meanwhile, a subscription added) is read and tried again.
      for (let attempt = 0; attempt < CONFLICT_ATTEMPTS; attempt++) {
        // Sent together: one round trip.
        const [[doc, version], subscriptionIds] = await Promise.all([
          redis.hmget(keys.tracking(id), 'doc', 'v'),
          redis.smembers(keys.trackingSubscriptions(id)),
        ])
        const record = parseRecord(doc)
        if (!record || record.merchantId !== merchantId || !version) return false
        const script = deleteArgs(keys, record, Number(version), subscriptionIds)
        const answer = decodeDeleteAnswer(
          await redis.deleteTracking(script.keys.length, ...script.keys, ...script.args),
        )
        // The subscriptions' endpoints live outside the shard: removed once nothing names them.
        if (answer === 'deleted' && subscriptionIds.length > 0)
          await redis.del(...subscriptionIds.map((endpointId) => keys.webhook(endpointId)))
        if (answer !== 'conflict') return answer === 'deleted'
      }
      return false
    },

    async requestRefresh(merchantId, id, nowMs) {
      const found = await readOwned(merchantId, id)
      if (!found) return undefined
      const { carrier } = found.record
      const shard = keys.shardOf(id)
      const answer = decodeRefreshAnswer(
        await redis.requestRefresh(
          keys.tracking(id),
          keys.due(shard, carrier),
          keys.inflight(shard, carrier),
          keys.refreshAfterPoll(shard, carrier),
          id,
          String(nowMs),
        ),
      )
      return answer === 'gone' ? undefined : answer
    },

    async loadForPoll(ids) {
      if (ids.length === 0) return []
      const fields = await loadByShard(ids)
      return ids.map((_, index): PollView | undefined => {
        const doc = fields[3 * index] ?? null
        const stored = fields[3 * index + 1] ?? null
        const version = fields[3 * index + 2] ?? null
        const record = parseRecord(doc)
        if (!record) return undefined
        // Decoded when first read: a poll whose answer did not change never needs the timeline.
        let events: TrackingEvent[] | undefined
        return {
          record,
          version: Number(version?.toString()),
          get events() {
            events ??= decodeEvents(stored)
            return events
          },
        }
      })
    },

    async save(writes): Promise<SaveOutcome[]> {
      const outcomes: SaveOutcome[] = []
      const nowMs = now()
      let pending = writes.map((write, index) => ({
        write,
        index,
        analytics: analyticsWriteOf(keys, write, analyticsPolicy, nowMs),
        withPayloads:
          (write.notifications?.length ?? 0) > 0 && listeningMerchants.get(write.record.merchantId) === true,
      }))
      // At most twice: a save that needs its payloads is sent again with them.
      while (pending.length > 0) {
        const again: typeof pending = []
        for (const chunk of chunksByShard(pending)) {
          const scriptKeys = saveSharedKeys(keys, keys.shardOf(chunk[0]?.write.record.id ?? ''))
          const scriptArgs: Array<string | Buffer> = []
          for (const { write, withPayloads, analytics } of chunk) {
            const group = saveGroup(keys, write, withPayloads, notifyRetentionMs, analytics)
            scriptKeys.push(...group.keys)
            scriptArgs.push(...group.args)
          }
          const notifies = chunk.some(({ write }) => (write.notifications?.length ?? 0) > 0)
          const answers =
            acknowledged && notifies
              ? await saveAcknowledged(scriptKeys, scriptArgs, acknowledged)
              : await redis.saveTrackings(scriptKeys.length, ...scriptKeys, ...scriptArgs)
          answers.forEach((code, at) => {
            const save = chunk[at] as (typeof pending)[number]
            const { merchantId } = save.write.record
            const answer = decodeSaveAnswer(code)
            switch (answer) {
              case 'payloads_needed':
                noteListening(merchantId, true)
                again.push({ ...save, withPayloads: true })
                return
              case 'saved':
              case 'saved_unheard':
                if (save.withPayloads) noteListening(merchantId, answer === 'saved')
                outcomes[save.index] = 'saved'
                return
              default:
                outcomes[save.index] = answer
            }
          })
        }
        pending = again
      }
      return outcomes
    },

    async claimDue(shard, carrier, nowMs, limit, leaseMs) {
      return redis.claimDue(
        keys.due(shard, carrier),
        keys.inflight(shard, carrier),
        String(nowMs),
        String(limit),
        String(nowMs + leaseMs),
      )
    },

    async scanPolled(carrier, count, cursor) {
      // Shard by shard, waiting ones first, then those being polled: ZSCAN of one sorted set, then of
      // the other.
      const [shardText = '', phase = '', position = '0'] = (cursor ?? '0:due:0').split(':')
      const shard = Number(shardText)
      if (
        !/^\d+$/.test(shardText) ||
        shard >= shards ||
        !SCAN_PHASES.includes(phase) ||
        !/^\d+$/.test(position)
      )
        throw new InvalidCursorError('cursor is not one this store gave out')
      const key = phase === 'due' ? keys.due(shard, carrier) : keys.inflight(shard, carrier)
      const [next, flat] = await redis.zscan(key, position, 'COUNT', count)
      const ids = flat.filter((_, index) => index % 2 === 0)
      if (next !== '0') return { ids, cursor: `${shard}:${phase}:${next}` }
      if (phase === 'due') return { ids, cursor: `${shard}:inflight:0` }
      return shard + 1 < shards ? { ids, cursor: `${shard + 1}:due:0` } : { ids }
    },

    async claimAlertChecks(shard, nowMs, limit, leaseMs) {
      return redis.claimDue(
        keys.alertsDue(shard),
        keys.alertsInflight(shard),
        String(nowMs),
        String(limit),
        String(nowMs + leaseMs),
      )
    },

    async listAlerts(merchantId, query): Promise<Page<StoredAlert>> {
      const { ids, nextCursor } = await pageOf(
        redis,
        everyShard.map((shard) => keys.merchantAlerts(shard, merchantId, query.state, query.type)),
        query.limit,
        query.cursor,
      )
      if (ids.length === 0) return { data: [] }
      // Each alert is read from its tracking, once per tracking on the page.
      const entries = ids.map(alertEntry)
      const trackingIds = [...new Set(entries.map(({ trackingId }) => trackingId))]
      const docs = await readDocs(trackingIds)
      const records = new Map(trackingIds.map((id, at) => [id, parseRecord(docs[at])]))
      const data = entries.flatMap(({ alertId, trackingId }): StoredAlert[] => {
        const record = records.get(trackingId)
        if (record?.merchantId !== merchantId) return []
        const alert = record.alerts.find((candidate) => candidate.id === alertId)
        return alert ? [Object.assign({}, alert, { trackingId })] : []
      })
      return nextCursor ? { data, nextCursor } : { data }
    },

    async countOpenAlerts(merchantId) {
      const counted = everyShard.flatMap((shard) => ALERT_TYPES.map((type) => ({ shard, type })))
      const replies = await execByShard(
        redis,
        counted,
        ({ shard }) => shard,
        (pipeline, { shard, type }) => pipeline.zcard(keys.merchantAlerts(shard, merchantId, 'open', type)),
      )
      const counts = Object.fromEntries(ALERT_TYPES.map((type) => [type, 0])) as Record<AlertType, number>
      counted.forEach(({ type }, at) => {
        counts[type] += Number(replyValue(replies[at]) ?? 0)
      })
      return counts
    },
  }
}
