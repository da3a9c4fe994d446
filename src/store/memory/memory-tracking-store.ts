import { ALERT_TYPES, type AlertType } from '../../domain/alert.js'
import type { TrackingRecord } from '../../domain/tracking.js'
import type { TrackingEvent } from '../../domain/tracking-event.js'
import type { TrackingNotification } from '../../domain/tracking-lifecycle.js'
import {
  type AnalyticsStore,
  DEFAULT_ANALYTICS_RETENTION_MS,
  DEFAULT_OUTCOME_FACTS,
  finishingOutcome,
  type OutcomeFactsOf,
} from '../analytics-store.js'
import { newTrackingRecord } from '../new-tracking.js'
import { createPageToken, samePageToken } from '../page-token.js'
import { TRACKING_ID } from '../record-ids.js'
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
import { createMemoryAnalyticsStore } from './memory-analytics-store.js'
import { createLeasedSchedule } from './memory-schedule.js'

/** The memory twin of the Redis store: same port, same answers, for tests that need no Redis. */
export interface MemoryTrackingStore extends TrackingStore {
  /** Every notification saved, in order (the Redis store publishes those someone listens to). */
  published(): TrackingNotification[]
  /** The cell-weeks of the parcels its saves finished, as the Redis store writes them. */
  readonly analytics: AnalyticsStore
}

interface Stored {
  record: TrackingRecord
  events: TrackingEvent[]
  version: number
}

const TRACKING_MEMBER = /^\d{15}:trk_[A-Za-z0-9]+$/
const ALERT_MEMBER = /^\d{15}:alr_[A-Za-z0-9]+:trk_[A-Za-z0-9]+$/

/** Newest first, then by id: the order of the Redis lists (members compared as strings). */
function orderKey(at: string, id: string): string {
  return `${String(Date.parse(at)).padStart(15, '0')}:${id}`
}

/** Entries after the cursor, newest first, `limit` of them, with the cursor of the next page. */
function pageOf<T>(
  entries: Array<{ key: string; item: T }>,
  limit: number,
  cursor: string | undefined,
  pattern: RegExp,
): Page<T> {
  let after: string | undefined
  if (cursor !== undefined) {
    after = Buffer.from(cursor, 'base64url').toString()
    if (!pattern.test(after)) throw new InvalidCursorError('cursor is not one this API gave out')
  }
  const sorted = entries
    .filter(({ key }) => after === undefined || key < after)
    .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0))
  const page = sorted.slice(0, limit)
  const last = page.at(-1)
  const data = page.map(({ item }) => item)
  return sorted.length > limit && last
    ? { data, nextCursor: Buffer.from(last.key).toString('base64url') }
    : { data }
}

const clone = <T>(value: T): T => structuredClone(value)

export function createMemoryTrackingStore(
  options: { now?: () => number; analyticsRetentionMs?: number; outcomeFacts?: OutcomeFactsOf } = {},
): MemoryTrackingStore {
  const now = options.now ?? Date.now
  const analytics = createMemoryAnalyticsStore({
    retentionMs: options.analyticsRetentionMs ?? DEFAULT_ANALYTICS_RETENTION_MS,
    now,
  })
  const outcomeFacts = options.outcomeFacts ?? DEFAULT_OUTCOME_FACTS
  /** Trackings already counted in analytics (the Redis store's `an` mark). */
  const counted = new Set<string>()
  const trackings = new Map<string, Stored>()
  const byNumber = new Map<string, string>()
  const byPageToken = new Map<string, string>()
  /** Tracking ids by merchant and order id. */
  const byOrder = new Map<string, Set<string>>()
  const polls = new Map<string, ReturnType<typeof createLeasedSchedule>>()
  const alertChecks = createLeasedSchedule()
  /** Trackings whose refresh was asked while a poll held them: the poll after it is due at once. */
  const refreshAfterPoll = new Set<string>()
  const outbox: TrackingNotification[] = []

  const pollsOf = (carrier: string) => {
    let schedule = polls.get(carrier)
    if (!schedule) {
      schedule = createLeasedSchedule()
      polls.set(carrier, schedule)
    }
    return schedule
  }
  const numberKey = (merchantId: string, carrier: string, trackingNumber: string) =>
    JSON.stringify([merchantId, carrier, trackingNumber])
  const orderKeyOf = (merchantId: string, orderId: string) => JSON.stringify([merchantId, orderId])
  const owned = (merchantId: string, id: string) => {
    const stored = trackings.get(id)
    return stored?.record.merchantId === merchantId ? stored : undefined
  }
  const forget = (record: TrackingRecord) => {
    pollsOf(record.carrier).set(record.id, undefined)
    alertChecks.set(record.id, undefined)
    refreshAfterPoll.delete(record.id)
  }

  const registerMany: TrackingStore['registerMany'] = async (items, at) => {
    const createdAt = at.toISOString()
    return items.map(({ input, nextAlertCheckAtMs }) => {
      const key = numberKey(input.merchantId, input.carrier, input.trackingNumber)
      const existing = trackings.get(byNumber.get(key) ?? '')
      if (existing) return { record: clone(existing.record), events: clone(existing.events), created: false }
      const record = newTrackingRecord(clone(input), createdAt)
      trackings.set(record.id, { record, events: [], version: 1 })
      byNumber.set(key, record.id)
      byPageToken.set(record.pageToken, record.id)
      if (record.orderId !== undefined) {
        const key = orderKeyOf(record.merchantId, record.orderId)
        byOrder.set(key, (byOrder.get(key) ?? new Set()).add(record.id))
      }
      pollsOf(record.carrier).set(record.id, at.getTime())
      alertChecks.set(record.id, nextAlertCheckAtMs)
      return { record: clone(record), events: [], created: true }
    })
  }

  function saveOne(change: TrackingSave): SaveOutcome {
    const { before, record } = change
    const stored = trackings.get(record.id)
    if (!stored) {
      forget(record)
      return 'gone'
    }
    if (stored.version !== before.version) return 'conflict'
    stored.record = clone(record)
    if (change.events) stored.events = clone(change.events)
    stored.version += 1
    const outcome = finishingOutcome(change, outcomeFacts)
    if (outcome && !counted.has(record.id)) {
      counted.add(record.id)
      analytics.add(outcome)
    }
    if (change.nextPoll !== undefined) {
      let atMs = change.nextPoll === 'none' ? undefined : Math.round(change.nextPoll.atMs)
      // A refresh asked while this poll ran: the running poll may have read the carrier too early.
      if (refreshAfterPoll.delete(record.id)) atMs = Math.min(atMs ?? Number.POSITIVE_INFINITY, now())
      pollsOf(record.carrier).set(record.id, atMs)
    }
    if (change.alerts !== undefined) {
      const next = change.alerts.nextCheckAtMs
      alertChecks.set(record.id, next === undefined ? undefined : Math.round(next))
    }
    outbox.push(...clone(change.notifications ?? []))
    return 'saved'
  }

  return {
    registerMany,

    async register(input, at, options = {}) {
      const [result] = await registerMany([{ input, nextAlertCheckAtMs: options.nextAlertCheckAtMs }], at)
      if (!result) throw new Error('registration returned no result')
      return result
    },

    async get(merchantId, id) {
      const stored = owned(merchantId, id)
      if (!stored) return undefined
      const nextDueAtMs = pollsOf(stored.record.carrier).dueAt(id)
      return { record: clone(stored.record), events: clone(stored.events), nextDueAtMs }
    },

    async read(merchantId, id) {
      const stored = owned(merchantId, id)
      if (!stored) return undefined
      const nextDueAtMs = pollsOf(stored.record.carrier).dueAt(id)
      return { record: clone(stored.record), eventsJson: JSON.stringify(stored.events), nextDueAtMs }
    },

    async list(merchantId, query) {
      const entries = [...trackings.values()]
        .map(({ record }) => record)
        .filter(
          (record) =>
            record.merchantId === merchantId &&
            (query.status === undefined || record.status === query.status) &&
            (query.carrier === undefined || record.carrier === query.carrier) &&
            (query.alert === undefined ||
              record.alerts.some((alert) => alert.type === query.alert && alert.resolvedAt === undefined)),
        )
        .map((record) => ({ key: orderKey(record.createdAt, record.id), item: clone(record) }))
      return pageOf(entries, query.limit, query.cursor, TRACKING_MEMBER)
    },

    async findByPageToken(token) {
      const stored = trackings.get(byPageToken.get(token) ?? '')
      if (!stored || !samePageToken(stored.record.pageToken, token)) return undefined
      return { record: clone(stored.record), events: clone(stored.events) }
    },

    async findByOrder(merchantId, orderId) {
      const ids = byOrder.get(orderKeyOf(merchantId, orderId)) ?? []
      return [...ids]
        .flatMap((id) => {
          const record = trackings.get(id)?.record
          return record ? [{ key: orderKey(record.createdAt, record.id), record }] : []
        })
        .sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0))
        .slice(0, ORDER_PARCELS_LIMIT)
        .map(({ record }) => clone(record))
    },

    async rotatePageToken(merchantId, id) {
      const stored = owned(merchantId, id)
      if (!stored) return undefined
      const token = createPageToken()
      byPageToken.delete(stored.record.pageToken)
      byPageToken.set(token, id)
      // A new version, as in Redis: a poll that loaded the old record cannot write the old token back.
      stored.record = { ...stored.record, pageToken: token }
      stored.version += 1
      return token
    },

    async delete(merchantId, id) {
      const stored = owned(merchantId, id)
      if (!stored) return false
      const { record } = stored
      trackings.delete(id)
      counted.delete(id)
      byNumber.delete(numberKey(record.merchantId, record.carrier, record.trackingNumber))
      byPageToken.delete(record.pageToken)
      if (record.orderId !== undefined) {
        const key = orderKeyOf(record.merchantId, record.orderId)
        byOrder.get(key)?.delete(id)
        if (byOrder.get(key)?.size === 0) byOrder.delete(key)
      }
      forget(record)
      return true
    },

    async requestRefresh(merchantId, id, nowMs) {
      const stored = owned(merchantId, id)
      if (!stored) return undefined
      const schedule = pollsOf(stored.record.carrier)
      if (schedule.isClaimed(id)) {
        refreshAfterPoll.add(id)
        return 'running'
      }
      const dueAt = schedule.dueAt(id)
      if (dueAt !== undefined && dueAt <= nowMs) return 'due'
      schedule.set(id, nowMs)
      return 'queued'
    },

    async loadForPoll(ids) {
      return ids.map((id): PollView | undefined => {
        const stored = trackings.get(id)
        return (
          stored && { record: clone(stored.record), events: clone(stored.events), version: stored.version }
        )
      })
    },

    async save(changes) {
      return changes.map(saveOne)
    },

    // One shard: memory holds one process's trackings.
    shards: 1,

    async claimDue(shard, carrier, nowMs, limit, leaseMs) {
      if (shard !== 0) return []
      return pollsOf(carrier).claim(nowMs, limit, nowMs + leaseMs)
    },

    async scanPolled(carrier, count, cursor) {
      // By id, after the last one given: an id polled throughout is given once.
      if (cursor !== undefined && !TRACKING_ID.test(cursor))
        throw new InvalidCursorError('cursor is not one this store gave out')
      const ids = pollsOf(carrier)
        .ids()
        .filter((id) => cursor === undefined || id > cursor)
        .sort()
      const page = ids.slice(0, count)
      const last = page.at(-1)
      return ids.length > count && last !== undefined ? { ids: page, cursor: last } : { ids: page }
    },

    async claimAlertChecks(shard, nowMs, limit, leaseMs) {
      if (shard !== 0) return []
      return alertChecks.claim(nowMs, limit, nowMs + leaseMs)
    },

    async listAlerts(merchantId, query) {
      const entries = [...trackings.values()].flatMap(({ record }) =>
        record.merchantId !== merchantId
          ? []
          : record.alerts
              .filter(
                (alert) =>
                  (query.type === undefined || alert.type === query.type) &&
                  (alert.resolvedAt === undefined) === (query.state === 'open'),
              )
              .map((alert) => ({
                key: `${orderKey(alert.openedAt, alert.id)}:${record.id}`,
                item: Object.assign(clone(alert), { trackingId: record.id }) as StoredAlert,
              })),
      )
      return pageOf(entries, query.limit, query.cursor, ALERT_MEMBER)
    },

    async countOpenAlerts(merchantId) {
      const counts = Object.fromEntries(ALERT_TYPES.map((type) => [type, 0])) as Record<AlertType, number>
      for (const { record } of trackings.values()) {
        if (record.merchantId !== merchantId) continue
        for (const alert of record.alerts) if (alert.resolvedAt === undefined) counts[alert.type]++
      }
      return counts
    },

    published: () => clone(outbox),

    analytics,
  }
}
