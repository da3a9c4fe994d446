import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { TrackingRecord } from '../domain/tracking.js'
import type { TrackingEvent } from '../domain/tracking-event.js'
import { decodeEvents, decodeEventsJson, encodeEvents } from './event-codec.js'
import {
  CLAIM_DUE,
  DELETE_TRACKING,
  LOAD_TRACKINGS,
  READ_TRACKING,
  REGISTER_TRACKING,
  REQUEST_REFRESH,
  SAVE_TRACKINGS,
} from './lua.js'
import { createReadCache } from './read-cache.js'
import { createRedisKeys } from './redis-keys.js'
import {
  alertCheckOps,
  alertEntry,
  alertOps,
  dropAlertOps,
  dropPollOps,
  indexOps,
  type Op,
  outboxOps,
  outboxPayloads,
  pollScheduleOps,
} from './tracking-ops.js'
import {
  InvalidCursorError,
  type Page,
  type PollView,
  type RefreshOutcome,
  type SaveOutcome,
  type StoredAlert,
  type TrackingSave,
  type TrackingStore,
} from './tracking-store.js'

interface ScriptedRedis extends Redis {
  colisRegister(...args: string[]): Promise<string>
  colisSaveMany(keyCount: number, ...args: Array<string | Buffer>): Promise<number[]>
  colisLoadManyBuffer(keyCount: number, ...keys: string[]): Promise<Array<Buffer | null>>
  colisClaimDue(...args: string[]): Promise<string[]>
  colisRefresh(...args: string[]): Promise<string>
  colisDelete(...args: string[]): Promise<number>
  colisReadBuffer(...args: string[]): Promise<Array<Buffer | null> | null>
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Unpredictable ids (OWASP API1): a tracking id reveals nothing and cannot be guessed. */
export function createId(prefix: string, length = 20): string {
  const bytes = randomBytes(length)
  let id = ''
  for (const byte of bytes) id += BASE62[byte % 62]
  return `${prefix}_${id}`
}

function defineScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis
  if (typeof scripted.colisRegister === 'function') return scripted
  redis.defineCommand('colisRegister', { numberOfKeys: 2, lua: REGISTER_TRACKING })
  // Without numberOfKeys: the first argument is the count of keys (one per tracking of the batch).
  redis.defineCommand('colisSaveMany', { lua: SAVE_TRACKINGS })
  redis.defineCommand('colisLoadMany', { lua: LOAD_TRACKINGS })
  redis.defineCommand('colisClaimDue', { numberOfKeys: 2, lua: CLAIM_DUE })
  redis.defineCommand('colisRefresh', { numberOfKeys: 4, lua: REQUEST_REFRESH })
  redis.defineCommand('colisDelete', { numberOfKeys: 2, lua: DELETE_TRACKING })
  redis.defineCommand('colisRead', { numberOfKeys: 1, lua: READ_TRACKING })
  return scripted
}

/** Saves sent in one command: a poll job's batch at once, a sweep's in a few (a script blocks Redis). */
const SAVES_PER_COMMAND = 50

const MEMBER_PATTERN = /^\d{15}:(trk_[A-Za-z0-9]+|alr_[A-Za-z0-9]+(:trk_[A-Za-z0-9]+)?)$/

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
  const record = JSON.parse(doc.toString()) as TrackingRecord
  // Records written before alerts and sequences existed read as having none.
  return { ...record, sequence: record.sequence ?? 0, alerts: record.alerts ?? [] }
}

/** Newest first through a lexicographic index, with a stable cursor (the last member seen). */
async function pageOf(redis: Redis, index: string, limit: number, cursor: string | undefined) {
  const max = cursor ? `(${decodeCursor(cursor)}` : '+'
  const members = await redis.zrevrangebylex(index, max, '-', 'LIMIT', 0, limit + 1)
  const page = members.slice(0, limit)
  const last = page.at(-1)
  return {
    ids: page.map((member) => member.slice(16)),
    nextCursor: members.length > limit && last ? encodeCursor(last) : undefined,
  }
}

/** Trackings `read` keeps decoded, by version (see read-cache.ts). */
const READ_CACHE_ENTRIES = 1_000

export function createRedisTrackingStore(
  client: Redis,
  prefix: string,
  options: { readCacheEntries?: number } = {},
): TrackingStore {
  const redis = defineScripts(client)
  const keys = createRedisKeys(prefix)

  async function readOwned(merchantId: string, id: string) {
    // Buffers: the timeline is stored deflated (binary), see event-codec.ts.
    const [doc, events, version] = await redis.hmgetBuffer(keys.tracking(id), 'doc', 'events', 'v')
    const record = parseRecord(doc)
    if (!record || record.merchantId !== merchantId) return undefined
    return { record, events: decodeEvents(events), version: Number(version?.toString()) }
  }

  /**
   * Whether a merchant's last save with notifications found someone listening: their payloads are then
   * sent at once; otherwise a save goes without them and is sent again with them only if SAVE_TRACKINGS
   * finds a listener. A merchant without webhooks never ships payloads nobody reads (~4 KB a change).
   */
  const listeningMerchants = new Map<string, boolean>()
  const LISTENING_MERCHANTS_LIMIT = 10_000

  function noteListening(merchantId: string, listening: boolean) {
    if (listeningMerchants.size >= LISTENING_MERCHANTS_LIMIT) listeningMerchants.clear()
    listeningMerchants.set(merchantId, listening)
  }

  /** What a save does instead when its tracking was deleted meanwhile: leave no poll or alert check behind. */
  function goneOps(record: TrackingRecord): Op[] {
    return [
      ...dropPollOps(keys, record.carrier, record.id),
      ...alertCheckOps(keys, record.id, undefined),
      ['ZREM', keys.alertsInflight(), record.id],
    ]
  }

  /** A tracking's arguments to SAVE_TRACKINGS (its key apart); with payloads, the 7th on are the notifications. */
  function saveArgs(write: TrackingSave, withPayloads: boolean, ifGone: boolean): Array<string | Buffer> {
    const { record, alerts, nextPoll } = write
    const notifications = write.notifications ?? []
    const ops: Op[] = [
      ...indexOps(keys, write.before.record, record),
      ...alertOps(keys, record, alerts ? [...alerts.opened, ...alerts.resolved] : []),
      ...outboxOps(keys, notifications, 7),
    ]
    // A change of time alone (the alert sweep) leaves the poll schedule as it is.
    if (nextPoll !== undefined)
      ops.push(
        ...pollScheduleOps(keys, record.carrier, record.id, nextPoll === 'none' ? undefined : nextPoll.atMs),
      )
    // A poll that left the alerts unlooked at leaves an alert sweep that claimed this tracking to finish:
    // the sweep reschedules the check.
    if (alerts !== undefined) {
      ops.push(...alertCheckOps(keys, record.id, alerts.nextCheckAtMs))
      ops.push(['ZREM', keys.alertsInflight(), record.id])
    }
    const args = [
      String(write.before.version),
      JSON.stringify(record),
      write.events ? encodeEvents(write.events) : '',
      JSON.stringify(ops),
      ifGone ? JSON.stringify(goneOps(record)) : '',
      withPayloads ? '1' : '0',
    ]
    return withPayloads ? [...args, ...outboxPayloads(notifications)] : args
  }

  async function registerMany(
    items: Parameters<TrackingStore['registerMany']>[0],
    now: Date,
  ): ReturnType<TrackingStore['registerMany']> {
    if (items.length === 0) return []
    const createdAt = now.toISOString()
    // One register script per item, all in one round trip; `register` is the batch of one.
    const records = items.map(
      ({ input }): TrackingRecord => ({
        id: createId('trk'),
        ...input,
        status: 'pending',
        createdAt,
        updatedAt: createdAt,
        lastNewEventAt: createdAt,
        nextCheckAt: createdAt,
        notFoundCount: 0,
        failureCount: 0,
        sequence: 0,
        alerts: [],
      }),
    )
    const pipeline = redis.pipeline() as unknown as ScriptedRedis
    records.forEach((record, index) => {
      const ops: Op[] = [
        ...indexOps(keys, undefined, record),
        ['ZADD', keys.due(record.carrier), now.getTime(), record.id],
        ...alertCheckOps(keys, record.id, items[index]?.nextAlertCheckAtMs),
      ]
      pipeline.colisRegister(
        keys.trackingByNumber(record.merchantId, record.carrier, record.trackingNumber),
        keys.tracking(record.id),
        record.id,
        JSON.stringify(record),
        JSON.stringify(ops),
        record.carrier,
      )
    })
    const replies = (await (pipeline as unknown as ReturnType<Redis['pipeline']>).exec()) ?? []
    const createdHere = new Map<string, TrackingRecord>()
    const ids = replies.map(([error, id], index) => {
      if (error) throw error
      const record = records[index] as TrackingRecord
      if (id === record.id) createdHere.set(record.id, record)
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
    // Buffers: the timeline is stored deflated (binary), see event-codec.ts.
    const [doc, events, version, due] =
      (await redis.colisReadBuffer(keys.tracking(id), keys.duePrefix(), id, known?.version ?? '')) ?? []
    const stored = version?.toString()
    let entry = doc === null && known?.version === stored ? known : undefined
    if (!entry) {
      const record = parseRecord(doc ?? null)
      if (!record || stored === undefined) return undefined
      entry = { version: stored, record, eventsJson: decodeEventsJson(events ?? null) }
      recent.set(id, entry)
    }
    if (entry.record.merchantId !== merchantId) return undefined
    return {
      record: entry.record,
      eventsJson: entry.eventsJson,
      nextDueAtMs: due ? Number(due.toString()) : undefined,
    }
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

    async list(merchantId, query): Promise<Page<TrackingRecord>> {
      const index = query.alert
        ? keys.merchantAlertTrackings(merchantId, query.alert)
        : query.status && query.carrier
          ? keys.merchantCarrierStatus(merchantId, query.carrier, query.status)
          : query.status
            ? keys.merchantStatus(merchantId, query.status)
            : query.carrier
              ? keys.merchantCarrier(merchantId, query.carrier)
              : keys.merchantAll(merchantId)
      const { ids, nextCursor } = await pageOf(redis, index, query.limit, query.cursor)
      if (ids.length === 0) return { data: [] }
      const pipeline = redis.pipeline()
      for (const id of ids) pipeline.hget(keys.tracking(id), 'doc')
      const docs = (await pipeline.exec()) ?? []
      const data = docs.flatMap(([, doc]) => {
        const record = parseRecord(doc as string | null)
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

    async delete(merchantId, id) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const found = await readOwned(merchantId, id)
        if (!found) return false
        const { record } = found
        const ops: Op[] = [
          ['DEL', keys.trackingByNumber(merchantId, record.carrier, record.trackingNumber)],
          ...indexOps(keys, record, undefined),
          ...dropAlertOps(keys, record),
          ...dropPollOps(keys, record.carrier, id),
          ...alertCheckOps(keys, id, undefined),
          ['ZREM', keys.alertsInflight(), id],
        ]
        const outcome = await redis.colisDelete(
          keys.tracking(id),
          keys.trackingSubscriptions(id),
          String(found.version),
          JSON.stringify(ops),
          keys.webhookPrefix(),
        )
        if (outcome !== 0) return outcome === 1
      }
      return false
    },

    async requestRefresh(merchantId, id, nowMs) {
      const found = await readOwned(merchantId, id)
      if (!found) return undefined
      const outcome = await redis.colisRefresh(
        keys.tracking(id),
        keys.due(found.record.carrier),
        keys.inflight(found.record.carrier),
        keys.refreshAfterPoll(found.record.carrier),
        id,
        String(nowMs),
      )
      return outcome === 'gone' ? undefined : (outcome as RefreshOutcome)
    },

    async loadForPoll(ids) {
      if (ids.length === 0) return []
      const fields = await redis.colisLoadManyBuffer(ids.length, ...ids.map((id) => keys.tracking(id)))
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
      let pending = writes.map((write, index) => ({
        write,
        index,
        withPayloads:
          (write.notifications?.length ?? 0) > 0 && listeningMerchants.get(write.record.merchantId) === true,
        ifGone: false,
      }))
      // At most twice: a save that needs its payloads, or the clean-up of a deleted tracking, is sent
      // again with them (a deleted tracking answers before its payloads are asked for).
      while (pending.length > 0) {
        const again: typeof pending = []
        for (let start = 0; start < pending.length; start += SAVES_PER_COMMAND) {
          const chunk = pending.slice(start, start + SAVES_PER_COMMAND)
          const args: Array<string | Buffer> = []
          for (const { write, withPayloads, ifGone } of chunk) {
            const own = saveArgs(write, withPayloads, ifGone)
            args.push(String(own.length), ...own)
          }
          const results = await redis.colisSaveMany(
            chunk.length,
            ...chunk.map(({ write }) => keys.tracking(write.record.id)),
            ...args,
          )
          results.forEach((result, at) => {
            const save = chunk[at] as (typeof pending)[number]
            const { merchantId } = save.write.record
            if (result === 2) {
              noteListening(merchantId, true)
              again.push({ ...save, withPayloads: true })
              return
            }
            if (result === -2) {
              again.push({ ...save, ifGone: true })
              return
            }
            if (save.withPayloads && (result === 1 || result === 3)) noteListening(merchantId, result === 1)
            outcomes[save.index] = result === 1 || result === 3 ? 'saved' : result === 0 ? 'conflict' : 'gone'
          })
        }
        pending = again
      }
      return outcomes
    },

    async claimDue(carrier, nowMs, limit, leaseMs) {
      return redis.colisClaimDue(
        keys.due(carrier),
        keys.inflight(carrier),
        String(nowMs),
        String(limit),
        String(nowMs + leaseMs),
      )
    },

    async claimAlertChecks(nowMs, limit, leaseMs) {
      return redis.colisClaimDue(
        keys.alertsDue(),
        keys.alertsInflight(),
        String(nowMs),
        String(limit),
        String(nowMs + leaseMs),
      )
    },

    async listAlerts(merchantId, query): Promise<Page<StoredAlert>> {
      const { ids, nextCursor } = await pageOf(
        redis,
        keys.merchantAlerts(merchantId, query.state, query.type),
        query.limit,
        query.cursor,
      )
      if (ids.length === 0) return { data: [] }
      // `alertId:trackingId`: the alert is read from its tracking (once per tracking on the page);
      // `alertId` alone: from its own key, as alerts listed before they lived only in their tracking were.
      const entries = ids.map(alertEntry)
      const trackingIds = [...new Set(entries.flatMap(({ trackingId }) => (trackingId ? [trackingId] : [])))]
      const legacyIds = entries.flatMap(({ alertId, trackingId }) => (trackingId ? [] : [alertId]))
      const pipeline = redis.pipeline()
      for (const id of trackingIds) pipeline.hget(keys.tracking(id), 'doc')
      for (const id of legacyIds) pipeline.get(keys.legacyAlert(id))
      const replies = ((await pipeline.exec()) ?? []).map(([error, reply]) => {
        if (error) throw error
        return typeof reply === 'string' ? reply : undefined
      })
      const records = new Map(trackingIds.map((id, at) => [id, parseRecord(replies[at])]))
      const legacy = new Map(legacyIds.map((id, at) => [id, replies[trackingIds.length + at]]))
      const data = entries.flatMap(({ alertId, trackingId }): StoredAlert[] => {
        if (!trackingId) {
          const doc = legacy.get(alertId)
          if (!doc) return []
          const { merchantId: _owner, ...alert } = JSON.parse(doc) as StoredAlert & { merchantId: string }
          return [alert]
        }
        const record = records.get(trackingId)
        if (record?.merchantId !== merchantId) return []
        const alert = record.alerts.find((candidate) => candidate.id === alertId)
        return alert ? [Object.assign({}, alert, { trackingId })] : []
      })
      return nextCursor ? { data, nextCursor } : { data }
    },
  }
}
