import { describe, expect, it } from 'vitest'
import type { AlertPolicy } from '../../src/domain/delay-alerts.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import { type DraftChange, withAlertsAndNotifications } from '../../src/domain/tracking-notifications.js'
import { toTrackingView } from '../../src/domain/tracking-view.js'
import { LAPOSTE_NUMBER, registeredRecord } from '../support/tracking-record.js'

const NUMBER = LAPOSTE_NUMBER
// Ten days after the last scan: the parcel is stalled, so the write also opens an alert.
const NOW_MS = Date.parse('2026-04-10T10:00:00.000Z')
const POLICY: AlertPolicy = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}

function record(overrides: Partial<TrackingRecord> = {}): TrackingRecord {
  return registeredRecord({ sequence: 4, ...overrides })
}

const SCAN: TrackingEvent = withEventId('laposte', NUMBER, {
  occurredAt: '2026-03-28T07:34:12+01:00',
  status: 'in_transit',
  code: 'ET1',
  description: 'Votre colis est en transit sur nos plateformes logistiques.',
})

/** A poll that found the first scan: new event, new status. */
function firstScanWrite(): DraftChange {
  const before = { record: record(), events: [] }
  const polledAt = new Date(NOW_MS).toISOString()
  return {
    before,
    record: record({
      status: 'in_transit',
      service: 'colissimo',
      lastCheckedAt: polledAt,
      updatedAt: polledAt,
    }),
    events: [SCAN],
    nextPoll: { atMs: NOW_MS + 3_600_000 },
  }
}

describe('withAlertsAndNotifications', () => {
  it('writes each payload as JSON.stringify({ tracking, ...extra, sequence }) of the tracking it shows', () => {
    const write = firstScanWrite()
    const done = withAlertsAndNotifications(write, {
      nowMs: NOW_MS,
      policy: POLICY,
      newAlertId: () => 'alr_1',
    })
    const notifications = done.notifications
    expect(notifications.map((message) => [message.type, message.sequence])).toEqual([
      ['tracking.updated', 5],
      ['tracking.status_changed', 6],
      ['alert.opened', 7],
    ])
    expect(done.newEvents).toEqual([SCAN])
    expect(done.statusChange).toEqual({ from: 'pending', to: 'in_transit' })
    expect(done.nextPoll).toEqual({ atMs: NOW_MS + 3_600_000 })
    expect(done.alerts?.resolved).toEqual([])
    const [alert] = done.alerts?.opened ?? []
    if (!alert) throw new Error('no alert opened')
    // The tracking as the notifications show it: its alerts, before the alert moved `updatedAt`.
    const tracking = toTrackingView({ ...done.record, updatedAt: write.record.updatedAt }, [SCAN])
    const extras = [{ newEvents: [SCAN] }, {}, { alert }]
    notifications.forEach((message, index) => {
      expect(message.data).toBe(JSON.stringify({ tracking, ...extras[index], sequence: message.sequence }))
    })
    expect(done.record.sequence).toBe(7)
  })

  it('gives every alert its own random id, past one draw of random bytes', () => {
    const ids = Array.from({ length: 600 }, () => {
      const done = withAlertsAndNotifications(firstScanWrite(), { nowMs: NOW_MS, policy: POLICY })
      return done.alerts?.opened[0]?.id
    })
    for (const id of ids) expect(id).toMatch(/^alr_[A-Za-z0-9]{16}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("carries the consumer's deadlines in the payloads of a delivery, and not before", () => {
    const DELIVERY: TrackingEvent = withEventId('laposte', NUMBER, {
      occurredAt: '2026-04-10T11:38:00+02:00',
      status: 'delivered',
      code: 'DI1',
      description: 'Votre colis est livré.',
    })
    const inTransit = record({ status: 'in_transit', destinationPostalCode: '75011' })
    const deliveredAt = new Date(NOW_MS).toISOString()
    const delivery = withAlertsAndNotifications(
      {
        before: { record: inTransit, events: [SCAN] },
        record: {
          ...inTransit,
          status: 'delivered',
          deliveredAt: DELIVERY.occurredAt,
          updatedAt: deliveredAt,
        },
        events: [SCAN, DELIVERY],
        nextPoll: undefined,
      },
      { nowMs: NOW_MS, policy: POLICY },
    )
    const trackingsOf = (done: { notifications: { data: string }[] }) =>
      done.notifications.map(
        (message) => (JSON.parse(message.data) as { tracking: Record<string, unknown> }).tracking,
      )
    const delivered = trackingsOf(delivery)
    expect(delivered.length).toBeGreaterThan(0)
    for (const tracking of delivered) {
      expect(tracking.consumerDeadlines).toEqual({
        withdrawalUntil: '2026-04-24',
        carrierProtestUntil: '2026-04-13',
        conformityGuaranteeUntil: '2028-04-10',
      })
    }
    const scanned = trackingsOf(
      withAlertsAndNotifications(firstScanWrite(), { nowMs: NOW_MS, policy: POLICY }),
    )
    expect(scanned.length).toBeGreaterThan(0)
    for (const tracking of scanned) expect(tracking).not.toHaveProperty('consumerDeadlines')
  })
})
