import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { CARRIER_ERROR_KINDS, type CarrierErrorKind } from '../../src/domain/carrier-error-kind.js'
import { type CarrierSnapshot, snapshotDigest } from '../../src/domain/carrier-snapshot.js'
import type { AlertPolicy, AlertType } from '../../src/domain/delay-alerts.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import {
  applyPollOutcome,
  applyTimePassing,
  type CarrierOutcome,
  type StoredTracking,
  TRACKING_OUTCOME_BY_KIND,
  type TrackingChange,
} from '../../src/domain/tracking-lifecycle.js'
import {
  type EventStatus,
  isTerminalStatus,
  TRACKING_STATUSES,
  type TrackingStatus,
} from '../../src/domain/tracking-status.js'
import { pollPolicyFrom } from '../../src/main/policies.js'
import { LAPOSTE_NUMBER, registeredRecord } from '../support/tracking-record.js'

const POLICY = pollPolicyFrom(loadConfig({ NODE_ENV: 'test' }))
const ALERTS: AlertPolicy = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}
/** A Tuesday morning; the stored tracking was registered and last scanned the day before. */
const NOW = new Date('2026-03-31T08:00:00.000Z')
const YESTERDAY = '2026-03-30T08:00:00.000Z'

const STATUS_ALERT: Partial<Record<TrackingStatus, AlertType>> = {
  exception: 'exception',
  failed_attempt: 'failed_attempt',
  returned_to_sender: 'returned',
}

function scan(status: EventStatus, occurredAt: string, code = status.toUpperCase()): TrackingEvent {
  return withEventId('laposte', LAPOSTE_NUMBER, { occurredAt, status, code, description: `scan ${code}` })
}

/** A tracking stored with `status`, its timeline showing it (none while pending), polled before without error. */
function storedWith(status: TrackingStatus): StoredTracking {
  const eventStatus: EventStatus | undefined =
    status === 'pending' ? undefined : status === 'expired' ? 'in_transit' : status
  const events = eventStatus ? [scan(eventStatus, '2026-03-30T10:00:00+02:00')] : []
  const snapshot: CarrierSnapshot = { carrier: 'laposte', trackingNumber: LAPOSTE_NUMBER, events }
  const record = registeredRecord({
    status,
    createdAt: YESTERDAY,
    updatedAt: YESTERDAY,
    lastNewEventAt: YESTERDAY,
    lastCheckedAt: YESTERDAY,
    snapshotDigest: snapshotDigest(snapshot),
    sequence: 3,
  })
  return { record, events }
}

type OutcomeCase = { name: string; outcome: (stored: StoredTracking) => CarrierOutcome }

const NEW_SCAN = scan('in_transit', '2026-03-31T09:30:00+02:00', 'NEW')
const OUTCOMES: OutcomeCase[] = [
  {
    name: 'a snapshot with a new scan',
    outcome: (stored) => ({
      carrier: 'laposte',
      trackingNumber: LAPOSTE_NUMBER,
      events: [...stored.events, NEW_SCAN],
    }),
  },
  {
    name: 'the same snapshot as last time',
    outcome: (stored) => ({ carrier: 'laposte', trackingNumber: LAPOSTE_NUMBER, events: [...stored.events] }),
  },
  ...CARRIER_ERROR_KINDS.map(
    (kind): OutcomeCase => ({ name: kind, outcome: () => ({ kind, message: `carrier said ${kind}` }) }),
  ),
]

function expectedStatus(stored: TrackingStatus, outcome: CarrierOutcome): TrackingStatus {
  if (!('events' in outcome) || outcome.events.length === 0) return stored
  // A delivery stays a delivery and a return keeps its status while it travels; otherwise the scan wins.
  if (stored === 'delivered' || stored === 'returned_to_sender') return stored
  return outcome.events.includes(NEW_SCAN) ? 'in_transit' : stored === 'expired' ? 'in_transit' : stored
}

function expectCounters(change: TrackingChange, stored: StoredTracking, outcome: CarrierOutcome) {
  const { record } = change
  const nowIso = NOW.toISOString()
  if ('events' in outcome) {
    expect(record).toMatchObject({ notFoundCount: 0, failureCount: 0 })
    expect(record.lastError).toBeUndefined()
    return
  }
  const lastError = { kind: outcome.kind, message: outcome.message, at: nowIso }
  switch (TRACKING_OUTCOME_BY_KIND[outcome.kind]) {
    case 'not_found':
      expect(record).toMatchObject({ notFoundCount: stored.record.notFoundCount + 1, failureCount: 0 })
      expect(record.lastError).toBeUndefined()
      break
    case 'stop':
      expect(record).toMatchObject({ stopped: 'invalid_number', lastError, updatedAt: nowIso })
      break
    case 'retry':
    case 'untouched':
      expect(record).toMatchObject({ failureCount: stored.record.failureCount + 1, lastError })
      break
  }
}

describe.each(OUTCOMES)('the lifecycle after $name', ({ outcome: outcomeOf }) => {
  it.each(TRACKING_STATUSES)('of a tracking stored %s gives one consistent change', (status) => {
    const stored = storedWith(status)
    const outcome = outcomeOf(stored)
    const change = applyPollOutcome(stored, outcome, {
      now: NOW,
      policy: POLICY,
      alertPolicy: ALERTS,
      timeScale: 1,
      random: () => 0.5,
      newAlertId: () => 'alr_new',
    })
    const { record } = change
    expect(change.before).toBe(stored)
    expect(record.lastCheckedAt).toBe(NOW.toISOString())
    expectCounters(change, stored, outcome)

    // Status and its transition.
    expect(record.status).toBe(expectedStatus(status, outcome))
    expect(change.statusChange).toEqual(
      record.status === status ? undefined : { from: status, to: record.status },
    )

    // Timeline: only a snapshot with something new rewrites it.
    const added = 'events' in outcome && outcome.events.includes(NEW_SCAN)
    expect(change.newEvents).toEqual(added ? [NEW_SCAN] : [])
    expect(change.events).toEqual(added ? [...stored.events, NEW_SCAN] : undefined)
    expect(record.lastNewEventAt).toBe(added ? NOW.toISOString() : YESTERDAY)

    // Polling: stopped for good (no next poll), or a next poll after now, written on the record too.
    const final = record.final === true
    const stopped =
      !('events' in outcome) && outcome.kind === 'invalid_number'
        ? 'invalid_number'
        : isTerminalStatus(record.status, final)
          ? 'terminal'
          : undefined
    expect(record.stopped).toBe(stopped)
    if (stopped) {
      expect(change.nextPoll).toBe('none')
      expect(record.nextCheckAt).toBeUndefined()
    } else {
      const next = change.nextPoll
      if (next === undefined || next === 'none') throw new Error('no next poll')
      expect(next.atMs).toBeGreaterThan(NOW.getTime())
      expect(record.nextCheckAt).toBe(new Date(next.atMs).toISOString())
    }

    // Alerts: left to the sweep only when the carrier gave its last answer again and nothing else moved
    // (an expired tracking polled again on a refresh takes the whole path: it comes back to life).
    const sameAnswer = 'events' in outcome && !added && !stopped && !isTerminalStatus(status, false)
    if (sameAnswer) {
      expect(change.alerts).toBeUndefined()
      expect(change.notifications).toEqual([])
      expect(record).toEqual({
        ...stored.record,
        lastCheckedAt: NOW.toISOString(),
        nextCheckAt: record.nextCheckAt,
      })
      return
    }
    const alerts = change.alerts
    if (!alerts) throw new Error('alerts not looked at')
    const statusAlert = STATUS_ALERT[record.status]
    expect(alerts.opened.map((alert) => alert.type)).toEqual(statusAlert ? [statusAlert] : [])
    expect(alerts.resolved).toEqual([])
    if (alerts.opened.length === 0) expect(record.alerts).toBe(stored.record.alerts)
    else expect(record.alerts).toEqual(alerts.opened)

    // Notifications: what changed, in order, each with the next sequence number.
    const expectedTypes = [
      ...(added ? ['tracking.updated'] : []),
      ...(change.statusChange ? ['tracking.status_changed'] : []),
      ...alerts.opened.map(() => 'alert.opened'),
    ]
    expect(change.notifications.map((message) => message.type)).toEqual(expectedTypes)
    expect(change.notifications.map((message) => message.sequence)).toEqual(
      expectedTypes.map((_, index) => stored.record.sequence + 1 + index),
    )
    expect(record.sequence).toBe(stored.record.sequence + expectedTypes.length)
    for (const message of change.notifications) {
      expect(message).toMatchObject({
        merchantId: record.merchantId,
        trackingId: record.id,
        timestamp: NOW.toISOString(),
      })
    }
  })
})

describe('the lifecycle as time passes (the alert sweep)', () => {
  const promised = registeredRecord({
    status: 'in_transit',
    promisedDeliveryDate: '2026-03-30',
    createdAt: YESTERDAY,
    lastNewEventAt: YESTERDAY,
    sequence: 2,
  })
  const stored: StoredTracking = {
    record: promised,
    events: [scan('in_transit', '2026-03-30T10:00:00+02:00')],
  }
  const endOfPromisedDay = Date.parse('2026-03-30T22:00:00.000Z')

  it('opens nothing before the end of the promised day, and says when to look again', () => {
    const change = applyTimePassing(stored, { nowMs: endOfPromisedDay - 1, alertPolicy: ALERTS })
    expect(change.alerts).toEqual({ opened: [], resolved: [], nextCheckAtMs: endOfPromisedDay })
    expect(change.notifications).toEqual([])
    expect(change.record.alerts).toBe(promised.alerts)
    expect(change.nextPoll).toBeUndefined()
    expect(change.events).toBeUndefined()
  })

  it('opens late once at the end of the promised day, with its notification, and never touches polling', () => {
    const change = applyTimePassing(stored, {
      nowMs: endOfPromisedDay,
      alertPolicy: ALERTS,
      newAlertId: () => 'alr_late',
    })
    expect(change.alerts?.opened.map((alert) => [alert.id, alert.type])).toEqual([['alr_late', 'late']])
    expect(change.notifications.map((message) => [message.type, message.sequence])).toEqual([
      ['alert.opened', 3],
    ])
    expect(change.record).toMatchObject({ sequence: 3, updatedAt: new Date(endOfPromisedDay).toISOString() })
    expect(change.nextPoll).toBeUndefined()
    expect(change.statusChange).toBeUndefined()

    const again = applyTimePassing(
      { record: change.record, events: stored.events },
      { nowMs: endOfPromisedDay + 60_000, alertPolicy: ALERTS },
    )
    expect(again.alerts?.opened).toEqual([])
    expect(again.notifications).toEqual([])
    expect(again.record.alerts).toBe(change.record.alerts)
  })

  it('resolves the alert on the poll that finds the parcel delivered', () => {
    const late = applyTimePassing(stored, { nowMs: endOfPromisedDay, alertPolicy: ALERTS })
    const delivered = applyPollOutcome(
      { record: late.record, events: stored.events },
      {
        carrier: 'laposte',
        trackingNumber: LAPOSTE_NUMBER,
        events: [...stored.events, scan('delivered', '2026-03-31T11:00:00+02:00')],
      },
      { now: new Date(endOfPromisedDay + 43_200_000), policy: POLICY, alertPolicy: ALERTS, timeScale: 1 },
    )
    expect(delivered.alerts?.resolved.map((alert) => alert.type)).toEqual(['late'])
    expect(delivered.notifications.map((message) => message.type)).toEqual([
      'tracking.updated',
      'tracking.status_changed',
      'alert.resolved',
    ])
    expect(delivered.nextPoll).toBe('none')
    expect(delivered.alerts?.nextCheckAtMs).toBeUndefined()
  })
})

describe('the tracking outcome of every carrier failure', () => {
  it('is decided for each kind', () => {
    expect(Object.keys(TRACKING_OUTCOME_BY_KIND).sort()).toEqual([...CARRIER_ERROR_KINDS].sort())
    const kinds: CarrierErrorKind[] = ['unavailable', 'unexpected_response', 'unauthorized']
    for (const kind of kinds) expect(TRACKING_OUTCOME_BY_KIND[kind]).toBe('retry')
    expect(TRACKING_OUTCOME_BY_KIND.rate_limited).toBe('untouched')
  })
})
