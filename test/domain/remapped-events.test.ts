import { describe, expect, it } from 'vitest'
import type { AlertPolicy } from '../../src/domain/delay-alerts.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import {
  applyRemappedEvents,
  type EventRemap,
  remapEvents,
  type StoredTracking,
} from '../../src/domain/tracking-lifecycle.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import { LAPOSTE_NUMBER, registeredRecord } from '../support/tracking-record.js'

const QUIET_ALERTS: AlertPolicy = {
  stalledBusinessDays: 10_000,
  pickupHoldDays: 10_000,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}
const NOW = new Date('2026-03-30T12:00:00.000Z')

function scan(code: string, occurredAt: string, status: EventStatus): TrackingEvent {
  return withEventId('laposte', LAPOSTE_NUMBER, { occurredAt, status, code, description: `scan ${code}` })
}

const PICKED_UP = scan('PC1', '2026-03-27T14:43:00+01:00', 'info_received')
const IN_TRANSIT = scan('ET1', '2026-03-28T07:34:12+01:00', 'in_transit')
const NEW_CODE = scan('ZZ9', '2026-03-29T09:00:00+02:00', 'unknown')

const ruleFor =
  (code: string, status: EventStatus): EventRemap =>
  (event) =>
    event.code === code ? status : undefined

function stored(
  events: TrackingEvent[],
  overrides: Parameters<typeof registeredRecord>[0] = {},
): StoredTracking {
  return { record: registeredRecord({ status: 'in_transit', sequence: 4, ...overrides }), events }
}

describe('remapEvents', () => {
  it('gives nothing when no rule changes a status', () => {
    expect(remapEvents([PICKED_UP, IN_TRANSIT], ruleFor('ZZ9', 'exception'))).toBeUndefined()
    expect(remapEvents([PICKED_UP, IN_TRANSIT], ruleFor('ET1', 'in_transit'))).toBeUndefined()
  })

  it('gives the timeline with the events a rule maps to another status, same ids, the stored one untouched', () => {
    const events = [PICKED_UP, NEW_CODE]
    const remapped = remapEvents(events, ruleFor('ZZ9', 'out_for_delivery'))
    expect(remapped?.map((event) => [event.id, event.status])).toEqual([
      [PICKED_UP.id, 'info_received'],
      [NEW_CODE.id, 'out_for_delivery'],
    ])
    expect(NEW_CODE.status).toBe('unknown')
  })
})

describe('applyRemappedEvents', () => {
  it('derives the status from the re-mapped timeline and notifies its change once, with no new event', () => {
    const before = stored([PICKED_UP, IN_TRANSIT, NEW_CODE])
    const events = remapEvents(before.events, ruleFor('ZZ9', 'out_for_delivery')) ?? []
    const change = applyRemappedEvents(before, events, { now: NOW, alertPolicy: QUIET_ALERTS })
    expect(change.record).toMatchObject({
      status: 'out_for_delivery',
      updatedAt: NOW.toISOString(),
      sequence: 5,
    })
    expect(change.statusChange).toEqual({ from: 'in_transit', to: 'out_for_delivery' })
    expect(change.events).toBe(events)
    expect(change.newEvents).toEqual([])
    expect(change.notifications.map((notification) => notification.type)).toEqual(['tracking.status_changed'])
    expect(JSON.parse(change.notifications[0]?.data ?? '{}').tracking.status).toBe('out_for_delivery')
    // Polling goes on as it was scheduled.
    expect(change.nextPoll).toBeUndefined()
  })

  it('stops polling when the re-mapped timeline ends the parcel, delivered at the scan that says so', () => {
    const before = stored([PICKED_UP, IN_TRANSIT, NEW_CODE])
    const events = remapEvents(before.events, ruleFor('ZZ9', 'delivered')) ?? []
    const change = applyRemappedEvents(before, events, { now: NOW, alertPolicy: QUIET_ALERTS })
    expect(change.record).toMatchObject({
      status: 'delivered',
      deliveredAt: NEW_CODE.occurredAt,
      stopped: 'terminal',
      nextCheckAt: undefined,
    })
    expect(change.nextPoll).toBe('none')
  })

  it('saves the events without a notification when the status stays', () => {
    const before = stored([PICKED_UP, NEW_CODE, IN_TRANSIT])
    const events = remapEvents(before.events, ruleFor('ZZ9', 'in_transit')) ?? []
    const change = applyRemappedEvents(before, events, { now: NOW, alertPolicy: QUIET_ALERTS })
    expect(change.record.status).toBe('in_transit')
    expect(change.statusChange).toBeUndefined()
    expect(change.notifications).toEqual([])
    expect(change.events?.[1]?.status).toBe('in_transit')
  })

  it('keeps the status of a tracking whose life is over', () => {
    const before = stored([PICKED_UP, NEW_CODE], { status: 'expired', stopped: 'expired' })
    const events = remapEvents(before.events, ruleFor('ZZ9', 'exception')) ?? []
    const change = applyRemappedEvents(before, events, { now: NOW, alertPolicy: QUIET_ALERTS })
    expect(change.record).toMatchObject({ status: 'expired', stopped: 'expired' })
    expect(change.notifications).toEqual([])
  })
})
