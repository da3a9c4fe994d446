import type { DelayAlert } from '../../domain/delay-alerts.js'
import type { TrackingRecord } from '../../domain/tracking.js'
import { isTerminalStatus } from '../../domain/tracking-status.js'
import { encodeEvents } from '../event-codec.js'
import type { TrackingSave } from '../tracking-store.js'
import type { AnalyticsWrite } from './analytics-write.js'
import { indexMember, type RedisKeys } from './redis-keys.js'

/**
 * The keys and arguments of the tracking scripts (scripts/*.lua), in the order their headers give.
 * Every key a script touches is built here and passed in KEYS, never in Lua.
 */

type Indexed = Pick<TrackingRecord, 'id' | 'merchantId' | 'carrier' | 'status' | 'createdAt'> & {
  alerts?: DelayAlert[]
}

export interface IndexMoves {
  /** The tracking's member in its list indexes. */
  member: string
  leave: string[]
  enter: string[]
}

function openTypes(record: Indexed | undefined): Set<string> {
  return new Set((record?.alerts ?? []).filter((alert) => !alert.resolvedAt).map((alert) => alert.type))
}

/** The list indexes a tracking is in: all, status, carrier, carrier+status, open alert types. */
function indexesOf(keys: RedisKeys, record: Indexed | undefined): string[] {
  if (!record) return []
  const m = record.merchantId
  const shard = keys.shardOf(record.id)
  return [
    keys.merchantAll(shard, m),
    keys.merchantCarrier(shard, m, record.carrier),
    keys.merchantStatus(shard, m, record.status),
    keys.merchantCarrierStatus(shard, m, record.carrier, record.status),
    ...[...openTypes(record)].map((type) => keys.merchantAlertTrackings(shard, m, type)),
  ]
}

/** The list indexes a tracking leaves and enters between what it was and what it is. */
export function indexMoves(
  keys: RedisKeys,
  before: Indexed | undefined,
  after: Indexed | undefined,
): IndexMoves {
  const record = after ?? before
  if (!record || unmoved(before, after)) return { member: '', leave: [], enter: [] }
  const was = indexesOf(keys, before)
  const is = indexesOf(keys, after)
  return {
    member: indexMember(record.createdAt, record.id),
    leave: was.filter((key) => !is.includes(key)),
    enter: is.filter((key) => !was.includes(key)),
  }
}

/**
 * Nothing an index depends on changed (most polls): answered without building a key. The alerts are
 * compared by reference: a write that touches none keeps the array it read.
 */
function unmoved(before: Indexed | undefined, after: Indexed | undefined): boolean {
  return (
    before !== undefined &&
    after !== undefined &&
    before.status === after.status &&
    before.alerts === after.alerts &&
    before.id === after.id &&
    before.merchantId === after.merchantId &&
    before.carrier === after.carrier &&
    before.createdAt === after.createdAt
  )
}

/**
 * An alert's entry in its merchant's alert lists (`GET /v1/alerts`): opening time (the lists' order),
 * alert id, tracking id. The alert itself lives only in its tracking, which every list read goes to.
 */
function alertMember(alert: DelayAlert, trackingId: string): string {
  return `${indexMember(alert.openedAt, alert.id)}:${trackingId}`
}

/** What an entry of the alert lists names, past its opening time. */
export function alertEntry(entry: string): { alertId: string; trackingId: string } {
  const [alertId = '', trackingId = ''] = entry.split(':')
  return { alertId, trackingId }
}

/** What a page token's key holds: the tracking's id, then its merchant's (ids hold no `:`). */
export function pageEntry(record: Pick<TrackingRecord, 'id' | 'merchantId'>): string {
  return `${record.id}:${record.merchantId}`
}

export function readPageEntry(entry: string): { id: string; merchantId: string } {
  const at = entry.indexOf(':')
  return { id: entry.slice(0, at), merchantId: entry.slice(at + 1) }
}

/**
 * The key of the tracking's order among its merchant's: for a tracking without an order id, a key no
 * script writes (order ids are never empty), so the scripts keep a fixed list of keys.
 */
function orderKey(keys: RedisKeys, record: Pick<TrackingRecord, 'id' | 'merchantId' | 'orderId'>): string {
  return keys.merchantOrder(keys.shardOf(record.id), record.merchantId, record.orderId ?? '')
}

/** The keys then the arguments of registerTracking-10.lua. */
export function registerArgs(
  keys: RedisKeys,
  record: TrackingRecord,
  dueAtMs: number,
  alertCheckAtMs: number | undefined,
): string[] {
  const m = record.merchantId
  const shard = keys.shardOf(record.id)
  return [
    keys.trackingByNumber(m, record.carrier, record.trackingNumber),
    keys.tracking(record.id),
    keys.due(shard, record.carrier),
    keys.alertsDue(shard),
    ...indexesOf(keys, record).slice(0, 4),
    keys.pageToken(record.pageToken),
    orderKey(keys, record),
    record.id,
    JSON.stringify(record),
    indexMember(record.createdAt, record.id),
    String(dueAtMs),
    alertCheckAtMs === undefined ? '' : String(Math.round(alertCheckAtMs)),
    pageEntry(record),
    record.orderId === undefined ? '' : '1',
  ]
}

/** The keys then the arguments of rotatePageToken-3.lua: `record` read at `version`, given `token`. */
export function rotateArgs(
  keys: RedisKeys,
  record: TrackingRecord,
  version: string,
  token: string,
): string[] {
  return [
    keys.tracking(record.id),
    keys.pageToken(record.pageToken),
    keys.pageToken(token),
    version,
    JSON.stringify({ ...record, pageToken: token }),
    pageEntry(record),
  ]
}

/** 'keep' leaves a schedule as it is, '' takes the tracking out of it, else the time in ms. */
const scheduleArg = (keep: boolean, atMs: number | undefined) =>
  keep ? 'keep' : atMs === undefined ? '' : String(Math.round(atMs))

/** The keys saveTrackings.lua takes once, before the trackings' groups: all of one shard. */
export function saveSharedKeys(keys: RedisKeys, shard: number): string[] {
  return [keys.alertsDue(shard), keys.alertsInflight(shard), keys.outbox(shard)]
}

/**
 * One tracking's group of keys and of arguments to saveTrackings.lua. Its notifications all name the
 * written tracking and its merchant, whose listeners the script checks. Without `withPayloads`, the
 * notifications' payloads (most of the bytes) stay here: the script asks for them when someone listens.
 * `analytics`, when the save finishes the parcel, adds it to its cell-week in the same write.
 */
export function saveGroup(
  keys: RedisKeys,
  write: TrackingSave,
  withPayloads: boolean,
  emailRetentionMs: number,
  analytics?: AnalyticsWrite,
): { keys: string[]; args: Array<string | Buffer> } {
  const { record, nextPoll, alerts } = write
  const notifications = write.notifications ?? []
  const changedAlerts = alerts ? [...alerts.opened, ...alerts.resolved] : []
  const moves = indexMoves(keys, write.before.record, record)
  const shard = keys.shardOf(record.id)
  const groupKeys = [
    keys.tracking(record.id),
    keys.due(shard, record.carrier),
    keys.inflight(shard, record.carrier),
    keys.refreshAfterPoll(shard, record.carrier),
    keys.trackingEmails(record.id),
  ]
  if (notifications.length > 0)
    groupKeys.push(
      keys.merchantWebhooksInShard(shard, record.merchantId),
      keys.trackingSubscriptions(record.id),
    )
  groupKeys.push(...moves.leave, ...moves.enter)
  const args: Array<string | Buffer> = [
    String(write.before.version),
    JSON.stringify(record),
    write.events ? encodeEvents(write.events) : '',
    record.id,
    scheduleArg(
      nextPoll === undefined,
      nextPoll === undefined || nextPoll === 'none' ? undefined : nextPoll.atMs,
    ),
    scheduleArg(alerts === undefined, alerts?.nextCheckAtMs),
    moves.member,
    String(moves.leave.length),
    String(moves.enter.length),
    String(changedAlerts.length),
    String(notifications.length),
    withPayloads ? '1' : '0',
    emailExpiryArg(write.before.record, record, emailRetentionMs),
    String(analytics?.args.length ?? 0),
  ]
  for (const alert of changedAlerts) {
    const m = record.merchantId
    groupKeys.push(
      keys.merchantAlerts(shard, m, 'open'),
      keys.merchantAlerts(shard, m, 'open', alert.type),
      keys.merchantAlerts(shard, m, 'resolved'),
      keys.merchantAlerts(shard, m, 'resolved', alert.type),
      keys.openAlerts(shard, alert.type),
    )
    args.push(alertMember(alert, record.id), alert.id, alert.resolvedAt ? 'resolved' : 'open')
  }
  if (analytics) {
    groupKeys.push(...analytics.keys)
    args.push(...analytics.args)
  }
  if (withPayloads) for (const message of notifications) args.push(JSON.stringify(message))
  return { keys: groupKeys, args: [String(groupKeys.length), String(args.length), ...args] }
}

const isOver = (record: TrackingRecord) => isTerminalStatus(record.status, record.final ?? false)

/**
 * A tracking's e-mail subscriptions hold addresses: they expire `retentionMs` after the change that ends
 * the parcel's life, in the same write; a change that brings it back (a status flapping) keeps them.
 */
function emailExpiryArg(before: TrackingRecord, after: TrackingRecord, retentionMs: number): string {
  const was = isOver(before)
  const is = isOver(after)
  if (is && !was) return String(Math.max(1, Math.round(retentionMs)))
  return was && !is ? 'persist' : ''
}

/** The keys then the arguments of deleteTracking.lua (its first argument, the count of keys, apart). */
export function deleteArgs(
  keys: RedisKeys,
  record: TrackingRecord,
  version: number,
  subscriptionIds: readonly string[],
): { keys: string[]; args: string[] } {
  const m = record.merchantId
  const shard = keys.shardOf(record.id)
  const indexes = indexesOf(keys, record)
  const alertKeys = record.alerts.flatMap((alert) => {
    const state = alert.resolvedAt ? 'resolved' : 'open'
    return [
      keys.merchantAlerts(shard, m, state),
      keys.merchantAlerts(shard, m, state, alert.type),
      keys.openAlerts(shard, alert.type),
    ]
  })
  return {
    keys: [
      keys.tracking(record.id),
      keys.trackingSubscriptions(record.id),
      keys.trackingByNumber(m, record.carrier, record.trackingNumber),
      keys.due(shard, record.carrier),
      keys.inflight(shard, record.carrier),
      keys.refreshAfterPoll(shard, record.carrier),
      keys.alertsDue(shard),
      keys.alertsInflight(shard),
      keys.pageToken(record.pageToken),
      keys.trackingEmails(record.id),
      orderKey(keys, record),
      ...indexes,
      ...alertKeys,
    ],
    args: [
      String(version),
      record.id,
      indexMember(record.createdAt, record.id),
      String(indexes.length),
      String(record.alerts.length),
      String(subscriptionIds.length),
      ...record.alerts.flatMap((alert) => [alertMember(alert, record.id), alert.id]),
      ...subscriptionIds,
    ],
  }
}
