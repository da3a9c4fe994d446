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
import type { OutboxMessage } from '../src/store/tracking-ops.js'
import type { PollWrite } from '../src/store/tracking-store.js'

export interface ChangeContext {
  nowMs: number
  policy: AlertPolicy
  newAlertId?: () => string
}

const randomAlertId = () => `alr_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`

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
  record.alerts = alerts

  const known = new Set(before.events.map((event) => event.id))
  const newEvents = events.filter((event) => !known.has(event.id))
  const notifications: OutboxMessage[] = []
  const notify = (type: WebhookEventType, extra: { newEvents?: TrackingEvent[]; alert?: DelayAlert }) => {
    record.sequence += 1
    notifications.push({
      type,
      merchantId: record.merchantId,
      trackingId: record.id,
      sequence: record.sequence,
      timestamp: nowIso,
      data: JSON.stringify({ tracking: toTrackingView(record, events), ...extra, sequence: record.sequence }),
    })
  }
  if (newEvents.length > 0) notify('tracking.updated', { newEvents })
  if (record.status !== before.record.status) notify('tracking.status_changed', {})
  for (const alert of opened) notify('alert.opened', { alert })
  for (const alert of resolved) notify('alert.resolved', { alert })
  if (opened.length > 0 || resolved.length > 0) record.updatedAt = nowIso

  return {
    ...write,
    record,
    changedAlerts: [...opened, ...resolved],
    nextAlertCheckAtMs: nextAlertCheckAt({ ...input, record }),
    notifications,
  }
}
