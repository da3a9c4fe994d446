import { describe, expect, it } from 'vitest'
import { CarrierError, type CarrierErrorKind } from '../../adapters/contract.js'
import { loadConfig } from '../../src/config.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import type { AlertPolicy } from '../../src/domain/delay-alerts.js'
import type { PollPolicy } from '../../src/domain/poll-schedule.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import {
  applyPollOutcome,
  type PollContext,
  type StoredTracking,
  type TrackingChange,
} from '../../src/domain/tracking-lifecycle.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import { pollPolicyFrom } from '../../src/main/policies.js'
import { LAPOSTE_NUMBER, REGISTERED_AT, registeredRecord } from '../support/tracking-record.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const NUMBER = LAPOSTE_NUMBER
const REGISTERED = REGISTERED_AT
const T0 = Date.parse(REGISTERED)

/** 30m-12h pending, 3h-5h info received, 2h-4h in transit, 15m-30m near delivery, 1h-2h exception, 1m-1h retry, 30d. */
const POLICY: PollPolicy = pollPolicyFrom(loadConfig({ NODE_ENV: 'test' }))
/** Alerts that never open on their own (no stall within these tests): the record and schedule alone are checked here. */
const QUIET_ALERTS: AlertPolicy = {
  stalledBusinessDays: 10_000,
  pickupHoldDays: 10_000,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}

function record(overrides: Partial<TrackingRecord> = {}): TrackingRecord {
  return registeredRecord(overrides)
}

function view(overrides: Partial<TrackingRecord> = {}, events: TrackingEvent[] = []): StoredTracking {
  return { record: record(overrides), events }
}

function scan(code: string, occurredAt: string, status: EventStatus): TrackingEvent {
  return withEventId('laposte', NUMBER, { occurredAt, status, code, description: `scan ${code}` })
}

const PICKED_UP = scan('PC1', '2026-03-27T14:43:00+01:00', 'info_received')
const IN_TRANSIT = scan('ET1', '2026-03-28T07:34:12+01:00', 'in_transit')
const OUT = scan('MD2', '2026-03-30T08:01:00+02:00', 'out_for_delivery')
const DELIVERED = scan('DI1', '2026-03-30T11:38:00+02:00', 'delivered')
const RETURNING = scan('RE1', '2026-03-31T09:00:00+02:00', 'returned_to_sender')

function snapshot(events: TrackingEvent[], extra: Partial<CarrierSnapshot> = {}): CarrierSnapshot {
  return { carrier: 'laposte', trackingNumber: NUMBER, events, ...extra }
}

function at(ms: number, extra: Partial<PollContext> = {}): PollContext {
  return {
    now: new Date(ms),
    policy: POLICY,
    alertPolicy: QUIET_ALERTS,
    timeScale: 1,
    random: () => 0.5,
    ...extra,
  }
}

/** When `change` schedules the next poll (ms); undefined when polling stops. */
function nextDueAtMs(change: TrackingChange): number | undefined {
  return change.nextPoll === undefined || change.nextPoll === 'none' ? undefined : change.nextPoll.atMs
}

/** The delay `change` schedules, in ms after `nowMs`. */
function delayOf(change: TrackingChange, nowMs: number): number {
  const atMs = nextDueAtMs(change)
  if (atMs === undefined) throw new Error('polling stopped')
  return atMs - nowMs
}

describe('applyPollOutcome with a snapshot', () => {
  it('merges new events and sets status, lastCheckedAt, lastNewEventAt and the next poll', () => {
    const now = T0 + 2 * HOUR
    const before = view()
    const write = applyPollOutcome(before, snapshot([IN_TRANSIT, PICKED_UP]), at(now))
    const nowIso = new Date(now).toISOString()

    expect(write.before).toBe(before)
    expect(write.events).toEqual([PICKED_UP, IN_TRANSIT])
    expect(write.record).toMatchObject({
      status: 'in_transit',
      lastCheckedAt: nowIso,
      lastNewEventAt: nowIso,
      updatedAt: nowIso,
      notFoundCount: 0,
      failureCount: 0,
    })
    expect(write.record.stopped).toBeUndefined()
    expect(write.record.lastError).toBeUndefined()
    expect(delayOf(write, now)).toBe(3 * HOUR)
    expect(write.record.nextCheckAt).toBe(new Date(now + 3 * HOUR).toISOString())
  })

  it('leaves the timeline, lastNewEventAt and updatedAt alone when nothing was added', () => {
    const earlier = '2026-03-28T12:00:00.000Z'
    const before = view(
      { status: 'in_transit', lastNewEventAt: earlier, updatedAt: earlier, lastCheckedAt: earlier },
      [PICKED_UP, IN_TRANSIT],
    )
    // A Monday afternoon: a Sunday poll would wait for Monday's delivery round (scan calendar).
    const now = T0 + 3 * DAY
    const write = applyPollOutcome(before, snapshot([IN_TRANSIT, PICKED_UP]), at(now))
    expect(write.events).toBeUndefined()
    expect(write.record).toMatchObject({
      status: 'in_transit',
      lastNewEventAt: earlier,
      updatedAt: earlier,
      lastCheckedAt: new Date(now).toISOString(),
    })
    expect(delayOf(write, now)).toBe(3 * HOUR)
  })

  it('keeps events the carrier no longer sends', () => {
    const write = applyPollOutcome(
      view({ status: 'in_transit' }, [PICKED_UP, IN_TRANSIT]),
      snapshot([OUT]),
      at(T0 + 3 * DAY),
    )
    expect(write.events).toEqual([PICKED_UP, IN_TRANSIT, OUT])
    expect(write.record.status).toBe('out_for_delivery')
  })

  it('clears lastError and both counters after failed polls', () => {
    const before = view({
      notFoundCount: 4,
      failureCount: 3,
      lastError: { kind: 'unavailable', message: 'HTTP 503', at: REGISTERED },
    })
    const write = applyPollOutcome(before, snapshot([PICKED_UP]), at(T0 + HOUR))
    expect(write.record.lastError).toBeUndefined()
    expect(write.record.notFoundCount).toBe(0)
    expect(write.record.failureCount).toBe(0)
    expect(delayOf(write, T0 + HOUR)).toBe(4 * HOUR)
  })

  it('keeps the carrier facts it got before when a snapshot omits them', () => {
    const before = view({
      service: 'colissimo',
      product: 'Colissimo Expert',
      estimatedDelivery: '2026-03-30',
    })
    const write = applyPollOutcome(before, snapshot([PICKED_UP]), at(T0 + HOUR))
    expect(write.record).toMatchObject({
      service: 'colissimo',
      product: 'Colissimo Expert',
      estimatedDelivery: '2026-03-30',
    })
    const updated = applyPollOutcome(before, snapshot([PICKED_UP], { service: 'chronopost' }), at(T0 + HOUR))
    expect(updated.record.service).toBe('chronopost')
  })

  it('takes the booked delivery window with its estimate, and ends it with a later estimate without one', () => {
    const window = { from: '2026-03-30T10:00:00+02:00', to: '2026-03-30T12:00:00+02:00' }
    const booked = applyPollOutcome(
      view(),
      snapshot([PICKED_UP], { estimatedDelivery: '2026-03-30', estimatedDeliveryWindow: window }),
      at(T0 + HOUR),
    )
    expect(booked.record).toMatchObject({ estimatedDelivery: '2026-03-30', estimatedDeliveryWindow: window })
    const stored = { record: booked.record, events: booked.events ?? [] }
    const silent = applyPollOutcome(stored, snapshot([PICKED_UP, IN_TRANSIT]), at(T0 + 2 * HOUR))
    expect(silent.record).toMatchObject({ estimatedDelivery: '2026-03-30', estimatedDeliveryWindow: window })
    const moved = applyPollOutcome(
      stored,
      snapshot([PICKED_UP, IN_TRANSIT], { estimatedDelivery: '2026-04-01' }),
      at(T0 + 2 * HOUR),
    )
    expect(moved.record.estimatedDelivery).toBe('2026-04-01')
    expect(moved.record.estimatedDeliveryWindow).toBeUndefined()
  })

  it('stops polling once delivered, with no next poll and deliveredAt set', () => {
    const now = T0 + 4 * DAY
    const write = applyPollOutcome(
      view({ status: 'out_for_delivery' }, [PICKED_UP, IN_TRANSIT, OUT]),
      snapshot([PICKED_UP, IN_TRANSIT, OUT, DELIVERED]),
      at(now),
    )
    expect(write.record.status).toBe('delivered')
    expect(write.record.stopped).toBe('terminal')
    expect(nextDueAtMs(write)).toBeUndefined()
    expect(write.record.nextCheckAt).toBeUndefined()
    expect(write.record.deliveredAt).toBe(DELIVERED.occurredAt)
    expect(write.events).toHaveLength(4)
  })

  it("prefers the carrier's own delivery date", () => {
    const write = applyPollOutcome(
      view(),
      snapshot([DELIVERED], { deliveredAt: '2026-03-30T11:37:00+02:00' }),
      at(T0 + 4 * DAY),
    )
    expect(write.record.deliveredAt).toBe('2026-03-30T11:37:00+02:00')
  })

  it('keeps polling a parcel on its way back until the return is final', () => {
    const events = [PICKED_UP, IN_TRANSIT, RETURNING]
    const now = T0 + 5 * DAY
    const going = applyPollOutcome(view(), snapshot(events, { final: false }), at(now))
    expect(going.record.status).toBe('returned_to_sender')
    expect(going.record.stopped).toBeUndefined()
    expect(nextDueAtMs(going)).toBeGreaterThan(now)

    const back = applyPollOutcome(view(), snapshot(events, { final: true }), at(now))
    expect(back.record.status).toBe('returned_to_sender')
    expect(back.record.final).toBe(true)
    expect(back.record.stopped).toBe('terminal')
    expect(nextDueAtMs(back)).toBeUndefined()
  })

  it('takes up polling again on a refreshed tracking that had stopped', () => {
    const stopped = view({ status: 'in_transit', stopped: 'invalid_number' }, [PICKED_UP, IN_TRANSIT])
    const write = applyPollOutcome(stopped, snapshot([PICKED_UP, IN_TRANSIT]), at(T0 + DAY))
    expect(write.record.stopped).toBeUndefined()
    expect(nextDueAtMs(write)).toBeDefined()
  })
})

describe('applyPollOutcome with the answer the carrier gave last time', () => {
  const earlier = '2026-03-28T12:00:00.000Z'
  const answer = snapshot([PICKED_UP, IN_TRANSIT], { estimatedDelivery: '2026-03-31' })

  /**
   * A parcel whose last poll saved `first` (its digest is on the record). `sealed`: its timeline
   * throws when read, for the path that must not even decode it.
   */
  function polledWith(
    first: CarrierSnapshot,
    overrides: Partial<TrackingRecord> = {},
    sealed = false,
  ): StoredTracking {
    const saved = applyPollOutcome(view(), first, at(T0 + HOUR))
    const known = saved.events ?? []
    const record = { ...saved.record, lastCheckedAt: earlier, ...overrides }
    if (!sealed) return { record, events: known }
    return {
      record,
      get events(): TrackingEvent[] {
        throw new Error(`timeline read (${known.length} events)`)
      },
    }
  }

  it('records the poll and schedules the next one as the whole path would, without reading the timeline', () => {
    const before = polledWith(answer, {}, true)
    expect(before.record.snapshotDigest).toEqual(expect.any(String))
    const now = T0 + 3 * DAY
    // The same scans in another order: the same answer.
    const again = snapshot([IN_TRANSIT, PICKED_UP], { estimatedDelivery: '2026-03-31' })
    const write = applyPollOutcome(before, again, at(now))
    expect(write.alerts).toBeUndefined()
    expect(write.events).toBeUndefined()
    expect(write.record).toEqual({
      ...before.record,
      lastCheckedAt: new Date(now).toISOString(),
      nextCheckAt: new Date(nextDueAtMs(write) ?? 0).toISOString(),
    })
    const whole = applyPollOutcome(polledWith(answer, { snapshotDigest: 'another' }), again, at(now))
    expect(whole.alerts).toBeDefined()
    expect(whole.events).toBeUndefined()
    expect(whole.record).toEqual(write.record)
    expect(nextDueAtMs(whole)).toBe(nextDueAtMs(write))
  })

  it('takes the whole path when the answer changed in anything the tracking takes from it', () => {
    const changes: CarrierSnapshot[] = [
      snapshot([PICKED_UP, IN_TRANSIT, OUT], { estimatedDelivery: '2026-03-31' }),
      snapshot([PICKED_UP, IN_TRANSIT], { estimatedDelivery: '2026-04-01' }),
      snapshot([PICKED_UP, IN_TRANSIT], { estimatedDelivery: '2026-03-31', final: true }),
      snapshot([PICKED_UP, IN_TRANSIT], { estimatedDelivery: '2026-03-31', product: 'Colissimo Expert' }),
      snapshot([PICKED_UP, IN_TRANSIT], { estimatedDelivery: '2026-03-31', service: 'chronopost' }),
      snapshot([PICKED_UP, IN_TRANSIT], {
        estimatedDelivery: '2026-03-31',
        deliveredAt: '2026-03-30T11:38:00+02:00',
      }),
      snapshot([PICKED_UP], { estimatedDelivery: '2026-03-31' }),
      snapshot([PICKED_UP, IN_TRANSIT], {
        estimatedDelivery: '2026-03-31',
        estimatedDeliveryWindow: { from: '2026-03-31T10:00:00+02:00', to: '2026-03-31T12:00:00+02:00' },
      }),
    ]
    const digests = new Set<string | undefined>()
    for (const changed of changes) {
      const before = polledWith(answer)
      const write = applyPollOutcome(before, changed, at(T0 + 3 * DAY))
      expect(write.alerts).toBeDefined()
      expect(write.record.snapshotDigest).not.toBe(before.record.snapshotDigest)
      digests.add(write.record.snapshotDigest)
    }
    expect(digests.size).toBe(changes.length)
  })

  it('takes the whole path when an error is to clear, or when the parcel expires now', () => {
    const error = { kind: 'unavailable' as const, message: 'down', at: earlier }
    for (const overrides of [{ lastError: error, failureCount: 1 }, { notFoundCount: 2 }]) {
      const write = applyPollOutcome(polledWith(answer, overrides), answer, at(T0 + 3 * DAY))
      expect(write.alerts).toBeDefined()
      expect(write.record).toMatchObject({ failureCount: 0, notFoundCount: 0 })
      expect(write.record.lastError).toBeUndefined()
    }
    const stale = polledWith(answer, { lastNewEventAt: REGISTERED })
    const expired = applyPollOutcome(stale, answer, at(T0 + 31 * DAY))
    expect(expired.alerts).toBeDefined()
    expect(expired.record).toMatchObject({ status: 'expired', stopped: 'expired' })
  })
})

describe('applyPollOutcome with a carrier error', () => {
  it('counts not_found and backs off with the pending range, doubling up to its maximum', () => {
    let current = view()
    let now = T0
    const delays: number[] = []
    for (let poll = 1; poll <= 8; poll++) {
      const write = applyPollOutcome(current, new CarrierError('not_found', 'not scanned yet'), at(now))
      expect(write.record.notFoundCount).toBe(poll)
      expect(write.record.failureCount).toBe(0)
      expect(write.record.lastError).toBeUndefined()
      expect(write.record.status).toBe('pending')
      expect(write.record.lastCheckedAt).toBe(new Date(now).toISOString())
      expect(write.events).toBeUndefined()
      delays.push(delayOf(write, now))
      now += delayOf(write, now)
      current = { ...current, record: write.record }
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 720, 720, 720].map((minutes) => minutes * MINUTE))
  })

  it('resets failureCount on not_found', () => {
    const write = applyPollOutcome(
      view({ failureCount: 3, lastError: { kind: 'unavailable', message: 'down', at: REGISTERED } }),
      new CarrierError('not_found', 'nothing yet'),
      at(T0 + HOUR),
    )
    expect(write.record.failureCount).toBe(0)
    expect(write.record.lastError).toBeUndefined()
    expect(delayOf(write, T0 + HOUR)).toBe(30 * MINUTE)
  })

  it('stops for good on invalid_number, with lastError', () => {
    const now = T0 + HOUR
    const write = applyPollOutcome(view(), new CarrierError('invalid_number', 'unknown number'), at(now))
    expect(write.record.stopped).toBe('invalid_number')
    expect(write.record.lastError).toEqual({
      kind: 'invalid_number',
      message: 'unknown number',
      at: new Date(now).toISOString(),
    })
    expect(write.record.updatedAt).toBe(new Date(now).toISOString())
    expect(nextDueAtMs(write)).toBeUndefined()
    expect(write.record.nextCheckAt).toBeUndefined()
    expect(write.events).toBeUndefined()
  })

  it('does not let expiry overwrite an invalid_number stop', () => {
    const write = applyPollOutcome(view(), new CarrierError('invalid_number', 'unknown'), at(T0 + 40 * DAY))
    expect(write.record.stopped).toBe('invalid_number')
    expect(write.record.status).toBe('pending')
  })

  it.each(['unavailable', 'unexpected_response', 'unauthorized'] as const)(
    'keeps the stored timeline on %s, records lastError and backs off with failureCount',
    (kind: CarrierErrorKind) => {
      const earlier = '2026-03-28T12:00:00.000Z'
      let current = view({ status: 'in_transit', lastNewEventAt: earlier, updatedAt: earlier }, [
        PICKED_UP,
        IN_TRANSIT,
      ])
      let now = T0 + 2 * DAY
      const delays: number[] = []
      for (let poll = 1; poll <= 8; poll++) {
        const write = applyPollOutcome(current, new CarrierError(kind, `failure ${poll}`), at(now))
        expect(write.events).toBeUndefined()
        expect(write.record).toMatchObject({
          status: 'in_transit',
          failureCount: poll,
          lastNewEventAt: earlier,
          updatedAt: earlier,
          lastCheckedAt: new Date(now).toISOString(),
          lastError: { kind, message: `failure ${poll}`, at: new Date(now).toISOString() },
        })
        expect(write.record.stopped).toBeUndefined()
        delays.push(delayOf(write, now))
        now += delayOf(write, now)
        current = { ...current, record: write.record }
      }
      expect(delays).toEqual([1, 2, 4, 8, 16, 32, 60, 60].map((minutes) => minutes * MINUTE))

      const recovered = applyPollOutcome(current, snapshot([PICKED_UP, IN_TRANSIT]), at(now))
      expect(recovered.record.failureCount).toBe(0)
      expect(recovered.record.lastError).toBeUndefined()
    },
  )
})

describe('expiry', () => {
  it('expires a parcel 30 days after registration when nothing was ever found', () => {
    const justBefore = applyPollOutcome(
      view(),
      new CarrierError('not_found', 'nothing'),
      at(T0 + 30 * DAY - 1),
    )
    expect(justBefore.record.status).toBe('pending')
    expect(nextDueAtMs(justBefore)).toBeDefined()

    const now = T0 + 30 * DAY
    const write = applyPollOutcome(view(), new CarrierError('not_found', 'nothing'), at(now))
    expect(write.record.status).toBe('expired')
    expect(write.record.stopped).toBe('expired')
    expect(write.record.updatedAt).toBe(new Date(now).toISOString())
    expect(nextDueAtMs(write)).toBeUndefined()
    expect(write.record.nextCheckAt).toBeUndefined()
  })

  it('expires a parcel 30 days after its last new event, whatever the poll outcome', () => {
    const lastNew = new Date(T0 + 2 * DAY).toISOString()
    const stalled = view({ status: 'in_transit', lastNewEventAt: lastNew }, [PICKED_UP, IN_TRANSIT])
    const now = T0 + 32 * DAY
    for (const result of [snapshot([PICKED_UP, IN_TRANSIT]), new CarrierError('unavailable', 'down')]) {
      const write = applyPollOutcome(stalled, result, at(now))
      expect(write.record.status).toBe('expired')
      expect(write.record.stopped).toBe('expired')
      expect(nextDueAtMs(write)).toBeUndefined()
    }
    const notYet = applyPollOutcome(stalled, snapshot([PICKED_UP, IN_TRANSIT]), at(now - 1))
    expect(notYet.record.status).toBe('in_transit')
  })

  it('does not expire a parcel registered late whose carrier dates are old', () => {
    // Registered today; the carrier's scans are two months old.
    const registered = '2026-06-01T08:00:00.000Z'
    const registeredMs = Date.parse(registered)
    const late = view({ createdAt: registered, updatedAt: registered, lastNewEventAt: registered })
    const first = applyPollOutcome(late, snapshot([PICKED_UP, IN_TRANSIT]), at(registeredMs + HOUR))
    expect(first.record.status).toBe('in_transit')
    expect(first.record.stopped).toBeUndefined()
    expect(nextDueAtMs(first)).toBeDefined()
    expect(first.record.lastNewEventAt).toBe(new Date(registeredMs + HOUR).toISOString())

    const later = applyPollOutcome(
      { ...late, record: first.record, events: first.events ?? [] },
      snapshot([PICKED_UP, IN_TRANSIT]),
      at(registeredMs + 10 * DAY),
    )
    expect(later.record.status).toBe('in_transit')
    expect(later.record.stopped).toBeUndefined()
  })

  it('stops a delivered parcel as terminal, not expired', () => {
    const write = applyPollOutcome(view(), snapshot([PICKED_UP, DELIVERED]), at(T0 + 60 * DAY))
    expect(write.record.status).toBe('delivered')
    expect(write.record.stopped).toBe('terminal')
  })
})

describe('the sandbox time scale', () => {
  it('divides every delay', () => {
    const scaled = applyPollOutcome(view(), snapshot([IN_TRANSIT]), at(T0, { timeScale: 60 }))
    expect(delayOf(scaled, T0)).toBe((3 * HOUR) / 60)
    const failing = applyPollOutcome(
      view(),
      new CarrierError('not_found', 'nothing'),
      at(T0, { timeScale: 60 }),
    )
    expect(delayOf(failing, T0)).toBe((30 * MINUTE) / 60)
  })

  it('never polls one parcel twice within 100 ms, however fast the clock', () => {
    const write = applyPollOutcome(view(), snapshot([OUT]), at(T0, { timeScale: 1_000_000 }))
    expect(delayOf(write, T0)).toBe(100)
  })

  it('divides the expiry window', () => {
    const scale = 3600
    const windowMs = (30 * DAY) / scale
    const before = applyPollOutcome(
      view(),
      new CarrierError('not_found', 'x'),
      at(T0 + windowMs - 1, { timeScale: scale }),
    )
    expect(before.record.stopped).toBeUndefined()
    const after = applyPollOutcome(
      view(),
      new CarrierError('not_found', 'x'),
      at(T0 + windowMs, { timeScale: scale }),
    )
    expect(after.record.status).toBe('expired')
    expect(after.record.stopped).toBe('expired')
  })
})

describe('every scheduled delay stays within the configured range', () => {
  const draws = [0, 1e-9, 0.2, 0.5, 0.8, 0.999_999_999]

  it.each([
    ['info received', [PICKED_UP], POLICY.infoReceived],
    ['in transit', [PICKED_UP, IN_TRANSIT], POLICY.inTransit],
    ['out for delivery', [PICKED_UP, IN_TRANSIT, OUT], POLICY.nearDelivery],
    ['exception', [PICKED_UP, scan('RST', '2026-03-29T10:00:00+02:00', 'exception')], POLICY.exception],
  ] as const)('after a snapshot showing the parcel %s', (_name, events, range) => {
    for (const draw of draws) {
      const write = applyPollOutcome(view(), snapshot([...events]), at(T0, { random: () => draw }))
      const delay = delayOf(write, T0)
      expect(delay, `random=${draw}`).toBeGreaterThanOrEqual(range.minMs)
      expect(delay, `random=${draw}`).toBeLessThanOrEqual(range.maxMs)
    }
  })

  it('after not_found and failures, whatever the count', () => {
    for (const draw of draws) {
      for (const count of [0, 1, 2, 5, 50]) {
        const ctx = at(T0, { random: () => draw })
        const notFound = applyPollOutcome(
          view({ notFoundCount: count }),
          new CarrierError('not_found', 'x'),
          ctx,
        )
        expect(delayOf(notFound, T0)).toBeGreaterThanOrEqual(POLICY.pending.minMs)
        expect(delayOf(notFound, T0)).toBeLessThanOrEqual(POLICY.pending.maxMs)
        const failed = applyPollOutcome(
          view({ failureCount: count }),
          new CarrierError('unavailable', 'x'),
          ctx,
        )
        expect(delayOf(failed, T0)).toBeGreaterThanOrEqual(POLICY.retry.minMs)
        expect(delayOf(failed, T0)).toBeLessThanOrEqual(POLICY.retry.maxMs)
      }
    }
  })
})
