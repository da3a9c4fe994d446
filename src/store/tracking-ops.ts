import type { DelayAlert } from '../domain/delay-alerts.js'
import type { TrackingRecord } from '../domain/tracking.js'
import { indexMember, type RedisKeys } from './redis-keys.js'

/** One Redis command, run inside the tracking's atomic script. */
export type Op = Array<string | number>

/** A notification written with the state change that caused it; a relay turns it into deliveries. */
export interface OutboxMessage {
  type: string
  merchantId: string
  trackingId: string
  sequence: number
  /** When the change happened (the payload's `timestamp`). */
  timestamp: string
  /** The payload's `data`, as JSON. */
  data: string
}

type Indexed = Pick<TrackingRecord, 'id' | 'merchantId' | 'carrier' | 'status' | 'createdAt'> & {
  alerts?: DelayAlert[]
}

function openTypes(record: Indexed | undefined): Set<string> {
  return new Set((record?.alerts ?? []).filter((alert) => !alert.resolvedAt).map((alert) => alert.type))
}

/** Moves a tracking between the list indexes (all, status, carrier, carrier+status, open alert types). */
export function indexOps(keys: RedisKeys, before: Indexed | undefined, after: Indexed | undefined): Op[] {
  const record = after ?? before
  if (!record || unmoved(before, after)) return []
  const member = indexMember(record.createdAt, record.id)
  const m = record.merchantId
  const ops: Op[] = []
  const move = (from: string | undefined, to: string | undefined) => {
    if (from === to) return
    if (from) ops.push(['ZREM', from, member])
    if (to) ops.push(['ZADD', to, 0, member])
  }
  const statusKeys = (r: Indexed | undefined) =>
    r ? [keys.merchantStatus(m, r.status), keys.merchantCarrierStatus(m, r.carrier, r.status)] : []
  const [beforeStatus, beforeCarrierStatus] = statusKeys(before)
  const [afterStatus, afterCarrierStatus] = statusKeys(after)
  move(before && keys.merchantAll(m), after && keys.merchantAll(m))
  move(before && keys.merchantCarrier(m, before.carrier), after && keys.merchantCarrier(m, after.carrier))
  move(beforeStatus, afterStatus)
  move(beforeCarrierStatus, afterCarrierStatus)
  const wasOpen = openTypes(before)
  const isOpen = openTypes(after)
  for (const type of wasOpen)
    if (!isOpen.has(type)) ops.push(['ZREM', keys.merchantAlertTrackings(m, type), member])
  for (const type of isOpen)
    if (!wasOpen.has(type)) ops.push(['ZADD', keys.merchantAlertTrackings(m, type), 0, member])
  return ops
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
 * alert id, tracking id. The alert itself lives only in its tracking, which every list read goes to:
 * a copy under a key of its own cost 268 bytes an alert (figure 4, BENCHMARKS.md).
 */
function alertMember(alert: DelayAlert, trackingId: string): string {
  return `${indexMember(alert.openedAt, alert.id)}:${trackingId}`
}

/**
 * What an entry of the alert lists names, past its opening time: the alert and its tracking, or the
 * alert alone for an entry written when the alert had a key of its own.
 */
export function alertEntry(entry: string): { alertId: string; trackingId?: string } {
  const [alertId = '', trackingId] = entry.split(':')
  return trackingId ? { alertId, trackingId } : { alertId }
}

/** The entry of an alert listed before that, when it also had a key of its own: removed when met. */
function legacyAlertMember(alert: DelayAlert): string {
  return indexMember(alert.openedAt, alert.id)
}

/** Moves opened and resolved alerts between their merchant's alert lists (all, and by type). */
export function alertOps(keys: RedisKeys, record: Indexed, changed: readonly DelayAlert[]): Op[] {
  const ops: Op[] = []
  for (const alert of changed) {
    const member = alertMember(alert, record.id)
    const legacy = legacyAlertMember(alert)
    const state = alert.resolvedAt ? 'resolved' : 'open'
    const other = alert.resolvedAt ? 'open' : 'resolved'
    for (const type of [undefined, alert.type]) {
      ops.push(['ZREM', keys.merchantAlerts(record.merchantId, other, type), member, legacy])
      ops.push(['ZADD', keys.merchantAlerts(record.merchantId, state, type), 0, member])
    }
    ops.push(['DEL', keys.legacyAlert(alert.id)])
    ops.push([alert.resolvedAt ? 'SREM' : 'SADD', keys.openAlerts(alert.type), alert.id])
  }
  return ops
}

/** Removes a tracking's alerts from the alert lists (the tracking is deleted). */
export function dropAlertOps(keys: RedisKeys, record: Indexed): Op[] {
  return (record.alerts ?? []).flatMap((alert): Op[] => {
    const members = [alertMember(alert, record.id), legacyAlertMember(alert)]
    const state = alert.resolvedAt ? 'resolved' : 'open'
    return [
      ['DEL', keys.legacyAlert(alert.id)],
      ['ZREM', keys.merchantAlerts(record.merchantId, state), ...members],
      ['ZREM', keys.merchantAlerts(record.merchantId, state, alert.type), ...members],
      ['SREM', keys.openAlerts(alert.type), alert.id],
    ]
  })
}

/** Ends the tracking's poll: back in `due` at its next time (or now, see SCHEDULE_POLL), or nowhere. */
export function pollScheduleOps(
  keys: RedisKeys,
  carrier: string,
  id: string,
  nextDueAtMs: number | undefined,
): Op[] {
  const next = nextDueAtMs === undefined ? '' : Math.round(nextDueAtMs)
  return [
    ['SCHEDULE_POLL', keys.inflight(carrier), keys.due(carrier), keys.refreshAfterPoll(carrier), id, next],
  ]
}

/** The tracking is gone: no pending poll, no refresh waiting for one. */
export function dropPollOps(keys: RedisKeys, carrier: string, id: string): Op[] {
  return [
    ['ZREM', keys.inflight(carrier), id],
    ['ZREM', keys.due(carrier), id],
    ['SREM', keys.refreshAfterPoll(carrier), id],
  ]
}

export function alertCheckOps(keys: RedisKeys, id: string, nextCheckAtMs: number | undefined): Op[] {
  return [
    nextCheckAtMs === undefined
      ? ['ZREM', keys.alertsDue(), id]
      : ['ZADD', keys.alertsDue(), Math.round(nextCheckAtMs), id],
  ]
}

/**
 * Writes each notification to the outbox where someone listens. Each op names the script argument
 * holding its message (`firstPayloadArg`, then the next ones): SAVE_TRACKINGS gets the messages' JSON
 * (`outboxPayloads`) as arguments of their own, not escaped into the ops' JSON.
 */
export function outboxOps(
  keys: RedisKeys,
  messages: readonly OutboxMessage[],
  firstPayloadArg: number,
): Op[] {
  return messages.map((message, index) => [
    'XADD_IF_SUBSCRIBED',
    keys.merchantWebhooks(message.merchantId),
    keys.trackingSubscriptions(message.trackingId),
    keys.outbox(),
    firstPayloadArg + index,
  ])
}

export function outboxPayloads(messages: readonly OutboxMessage[]): string[] {
  return messages.map((message) => JSON.stringify(message))
}
