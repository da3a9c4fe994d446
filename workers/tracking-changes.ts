import { randomBytes } from 'node:crypto'
import {
  type AlertPolicy,
  type DelayAlert,
  evaluateAlertConditions,
  nextAlertCheckAt,
  reconcileAlerts,
} from '../src/domain/delay-alerts.js'
import type { TrackingEvent } from '../src/domain/tracking-event.js'
import { toTrackingView } from '../src/domain/tracking-view.js'
import type { WebhookEventType } from '../src/domain/webhook-events.js'
import type { OutboxMessage } from '../src/store/outbox-message.js'
import type { PollWrite } from '../src/store/tracking-store.js'

export interface ChangeContext {
  nowMs: number
  policy: AlertPolicy
  newAlertId?: () => string
}

const ALERT_ID_BYTES = 12
// Random bytes drawn 256 ids at a time: one call to the CSPRNG per id cost more than the alert check.
let randomPool: Buffer = Buffer.alloc(0)
let randomOffset = 0

function randomAlertId(): string {
  if (randomOffset + ALERT_ID_BYTES > randomPool.length) {
    randomPool = randomBytes(ALERT_ID_BYTES * 256)
    randomOffset = 0
  }
  const text = randomPool.toString('base64url', randomOffset, randomOffset + ALERT_ID_BYTES)
  randomOffset += ALERT_ID_BYTES
  return `alr_${text.replace(/[-_]/g, 'x')}`
}

/**
 * Completes a tracking write with what follows from it: alerts opened or resolved (each once), the
 * next time alerts need a look, and the notifications to publish, all committed with the write.
 */
export function withAlertsAndNotifications(write: PollWrite, ctx: ChangeContext): PollWrite {
  const before = write.before
  const events = write.events ?? before.events
  const record = { ...write.record }
  const nowIso = new Date(ctx.nowMs).toISOString()
  const input = { record, events, nowMs: ctx.nowMs, policy: ctx.policy }
  const conditions = evaluateAlertConditions(input)
  const { alerts, opened, resolved } = reconcileAlerts(
    record.alerts,
    conditions,
    nowIso,
    ctx.newAlertId ?? randomAlertId,
  )
  // Nothing opened or closed: the list read stays, which tells the store that no alert index moves.
  if (opened.length > 0 || resolved.length > 0) record.alerts = alerts

  const known = new Set(before.events.map((event) => event.id))
  const newEvents = events.filter((event) => !known.has(event.id))
  const notifications: OutboxMessage[] = []
  // Every notification of one write shows the same tracking (only `sequence`, outside the view, moves):
  // its JSON is written once. `data` is `JSON.stringify({ tracking, ...extra, sequence })`, key for key.
  let trackingJson: string | undefined
  const notify = (type: WebhookEventType, extra: { newEvents?: TrackingEvent[]; alert?: DelayAlert }) => {
    record.sequence += 1
    trackingJson ??= JSON.stringify(toTrackingView(record, events))
    const extraJson = extra.newEvents
      ? `,"newEvents":${JSON.stringify(extra.newEvents)}`
      : extra.alert
        ? `,"alert":${JSON.stringify(extra.alert)}`
        : ''
    notifications.push({
      type,
      merchantId: record.merchantId,
      trackingId: record.id,
      sequence: record.sequence,
      timestamp: nowIso,
      data: `{"tracking":${trackingJson}${extraJson},"sequence":${record.sequence}}`,
    })
  }
  if (newEvents.length > 0) notify('tracking.updated', { newEvents })
  if (record.status !== before.record.status) notify('tracking.status_changed', {})
  for (const alert of opened) notify('alert.opened', { alert })
  for (const alert of resolved) notify('alert.resolved', { alert })
  if (opened.length > 0 || resolved.length > 0) record.updatedAt = nowIso

  // Object.assign, not a spread: see applySnapshot (apply-poll.ts).
  return Object.assign({}, write, {
    record,
    changedAlerts: [...opened, ...resolved],
    nextAlertCheckAtMs: nextAlertCheckAt({ ...input, record }),
    notifications,
  })
}
