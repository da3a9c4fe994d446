import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import {
  type DurationRange,
  isExpired,
  nextPollDelayMs,
  type PollPolicy,
  type PollState,
} from '../../src/domain/poll-schedule.js'
import { TRACKING_STATUSES, type TrackingStatus } from '../../src/domain/tracking-status.js'
import { DEFAULT_POLL_CALENDAR, pollCalendarFrom, pollPolicyFrom } from '../../src/main/policies.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** The policy a deployment gets with no POLL_* setting: 30m-12h, 3h-5h, 2h-4h, 15m-30m, 1h-2h, 1m-1h, 30d. */
const POLICY: PollPolicy = pollPolicyFrom(loadConfig({ NODE_ENV: 'test' }))

/** Random draws from one end of [0, 1) to the other. */
const DRAWS = [0, 1e-9, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999_999]

const constant = (value: number) => () => value

function state(status: TrackingStatus, counts: Partial<Omit<PollState, 'status'>> = {}): PollState {
  return { status, notFoundCount: 0, failureCount: 0, ...counts }
}

function rangeFor(status: TrackingStatus): DurationRange {
  switch (status) {
    case 'pending':
      return POLICY.pending
    case 'info_received':
      return POLICY.infoReceived
    case 'out_for_delivery':
    case 'failed_attempt':
    case 'available_for_pickup':
      return POLICY.nearDelivery
    case 'exception':
      return POLICY.exception
    default:
      return POLICY.inTransit
  }
}

describe('the default policy', () => {
  it('is the documented one', () => {
    expect(POLICY).toEqual({
      pending: { minMs: 30 * MINUTE, maxMs: 12 * HOUR },
      infoReceived: { minMs: 3 * HOUR, maxMs: 5 * HOUR },
      inTransit: { minMs: 2 * HOUR, maxMs: 4 * HOUR },
      nearDelivery: { minMs: 15 * MINUTE, maxMs: 30 * MINUTE },
      exception: { minMs: HOUR, maxMs: 2 * HOUR },
      retry: { minMs: MINUTE, maxMs: HOUR },
      expireAfterMs: 30 * DAY,
      calendar: DEFAULT_POLL_CALENDAR,
    })
  })
})

describe('nextPollDelayMs', () => {
  it.each([
    ['info_received', 3 * HOUR, 5 * HOUR],
    ['in_transit', 2 * HOUR, 4 * HOUR],
    ['out_for_delivery', 15 * MINUTE, 30 * MINUTE],
    ['failed_attempt', 15 * MINUTE, 30 * MINUTE],
    ['available_for_pickup', 15 * MINUTE, 30 * MINUTE],
    ['exception', HOUR, 2 * HOUR],
    ['returned_to_sender', 2 * HOUR, 4 * HOUR],
  ] as const)('picks %s delays across its whole range', (status, minMs, maxMs) => {
    expect(nextPollDelayMs(state(status), POLICY, constant(0))).toBe(minMs)
    expect(nextPollDelayMs(state(status), POLICY, constant(0.5))).toBe((minMs + maxMs) / 2)
    expect(nextPollDelayMs(state(status), POLICY, constant(0.999_999_999))).toBeCloseTo(maxMs, -1)
  })

  it('backs off a pending parcel, doubling with each not-found poll, up to the maximum', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8, 20, 1000].map((notFoundCount) =>
      nextPollDelayMs(state('pending', { notFoundCount }), POLICY, constant(0.5)),
    )
    // 0.5 is the middle of the ±20 % jitter: the delay is the bare backoff.
    expect(delays).toEqual([
      30 * MINUTE,
      30 * MINUTE,
      60 * MINUTE,
      120 * MINUTE,
      240 * MINUTE,
      480 * MINUTE,
      12 * HOUR,
      12 * HOUR,
      12 * HOUR,
      12 * HOUR,
      12 * HOUR,
    ])
  })

  it('jitters a pending backoff by ±20 %, without leaving the configured range', () => {
    const at = (notFoundCount: number, draw: number) =>
      nextPollDelayMs(state('pending', { notFoundCount }), POLICY, constant(draw))
    expect(at(3, 0)).toBeCloseTo(0.8 * 120 * MINUTE)
    expect(at(3, 0.999_999_999)).toBeCloseTo(1.2 * 120 * MINUTE, -1)
    expect(at(1, 0)).toBe(30 * MINUTE)
    expect(at(50, 0.999_999_999)).toBe(12 * HOUR)
    expect(at(50, 0)).toBeCloseTo(0.8 * 12 * HOUR)
  })

  it('backs off failed polls with the retry range, whatever the stage', () => {
    for (const status of TRACKING_STATUSES) {
      const delays = [1, 2, 3, 4, 5, 6, 7, 8, 100].map((failureCount) =>
        nextPollDelayMs(state(status, { failureCount, notFoundCount: 3 }), POLICY, constant(0.5)),
      )
      expect(delays).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60].map((minutes) => minutes * MINUTE))
    }
  })

  it('keeps every delay, of every stage, within its configured range', () => {
    const problems: string[] = []
    for (const status of TRACKING_STATUSES) {
      for (const draw of DRAWS) {
        for (const notFoundCount of [0, 1, 2, 5, 40]) {
          const delay = nextPollDelayMs(state(status, { notFoundCount }), POLICY, constant(draw))
          const range = rangeFor(status)
          if (!(delay >= range.minMs && delay <= range.maxMs)) {
            problems.push(`${status} notFound=${notFoundCount} random=${draw}: ${delay} ms`)
          }
        }
        for (const failureCount of [1, 2, 5, 40]) {
          const delay = nextPollDelayMs(state(status, { failureCount }), POLICY, constant(draw))
          if (!(delay >= POLICY.retry.minMs && delay <= POLICY.retry.maxMs)) {
            problems.push(`${status} failures=${failureCount} random=${draw}: ${delay} ms`)
          }
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('works with a range of one value', () => {
    const fixed = { minMs: 5 * MINUTE, maxMs: 5 * MINUTE }
    const policy: PollPolicy = { ...POLICY, pending: fixed, retry: fixed, inTransit: fixed }
    for (const draw of DRAWS) {
      expect(nextPollDelayMs(state('pending', { notFoundCount: 4 }), policy, constant(draw))).toBe(5 * MINUTE)
      expect(nextPollDelayMs(state('in_transit', { failureCount: 3 }), policy, constant(draw))).toBe(
        5 * MINUTE,
      )
      expect(nextPollDelayMs(state('in_transit'), policy, constant(draw))).toBe(5 * MINUTE)
    }
  })

  it('uses Math.random by default, within the range', () => {
    for (let round = 0; round < 200; round++) {
      const delay = nextPollDelayMs(state('in_transit'), POLICY)
      expect(delay).toBeGreaterThanOrEqual(2 * HOUR)
      expect(delay).toBeLessThanOrEqual(4 * HOUR)
    }
  })
})

describe('isExpired', () => {
  const t0 = Date.parse('2026-03-01T00:00:00Z')

  it('expires after expireAfterMs without a new event, not a millisecond before', () => {
    expect(isExpired(t0, t0 + 30 * DAY - 1, POLICY)).toBe(false)
    expect(isExpired(t0, t0 + 30 * DAY, POLICY)).toBe(true)
    expect(isExpired(t0, t0, POLICY)).toBe(false)
  })

  it('divides the window by the time scale', () => {
    expect(isExpired(t0, t0 + (30 * DAY) / 3600 - 1, POLICY, 3600)).toBe(false)
    expect(isExpired(t0, t0 + (30 * DAY) / 3600, POLICY, 3600)).toBe(true)
  })
})

describe('nextPollDelayMs with the current time (scan calendar, Europe/Paris)', () => {
  /** An instant from Paris wall-clock with its offset, e.g. `2026-03-24T08:00+01:00`. */
  const paris = (text: string) => Date.parse(text)
  const delayAt = (status: TrackingStatus, nowIso: string, draw = 0.5) =>
    nextPollDelayMs(state(status), POLICY, constant(draw), paris(nowIso))

  it('has the documented defaults, from the configuration', () => {
    expect(DEFAULT_POLL_CALENDAR).toEqual({
      scanHours: { startMinute: 6 * 60, endMinute: 21 * 60 },
      scanDays: 'ouvrables',
      roundHours: { startMinute: 7 * 60, endMinute: 10 * 60 },
      inTransitRound: { minMs: 20 * MINUTE, maxMs: 30 * MINUTE },
    })
    expect(pollCalendarFrom(loadConfig({ NODE_ENV: 'test' }))).toEqual(DEFAULT_POLL_CALENDAR)
  })

  it('keeps the stage delay when the next poll falls within the scan hours', () => {
    expect(delayAt('info_received', '2026-03-24T12:00+01:00')).toBe(4 * HOUR)
    expect(delayAt('in_transit', '2026-03-24T11:00+01:00')).toBe(3 * HOUR)
    expect(delayAt('exception', '2026-03-24T15:00+01:00')).toBe(1.5 * HOUR)
  })

  it('polls out_for_delivery and pickup parcels every 15–30 min during the delivery day', () => {
    for (const status of ['out_for_delivery', 'failed_attempt', 'available_for_pickup'] as const) {
      for (const time of ['12:00', '18:30']) {
        expect(delayAt(status, `2026-03-24T${time}+01:00`, 0)).toBe(15 * MINUTE)
        expect(delayAt(status, `2026-03-24T${time}+01:00`, 0.999_999_999)).toBeCloseTo(30 * MINUTE, -1)
      }
    }
    expect(delayAt('out_for_delivery', '2026-03-24T08:10+01:00', 0)).toBe(15 * MINUTE)
  })

  it('keeps the delivery round for the parcels that can leave or be delivered in it: the others poll after it', () => {
    // 08:10 + 15 min is in the round (07:00–10:00): moved by the round's 3 h, keeping its spread.
    for (const status of ['failed_attempt', 'available_for_pickup'] as const) {
      expect(delayAt(status, '2026-03-24T08:10+01:00', 0)).toBe(15 * MINUTE + 3 * HOUR)
    }
    expect(delayAt('info_received', '2026-03-24T04:30+01:00', 0)).toBe(3 * HOUR + 3 * HOUR)
    expect(delayAt('exception', '2026-03-24T07:30+01:00', 0)).toBe(HOUR + 3 * HOUR)
    // A pending number keeps its backoff at any hour, but not inside the round.
    expect(
      nextPollDelayMs(
        state('pending', { notFoundCount: 1 }),
        POLICY,
        constant(0),
        paris('2026-03-24T07:00+01:00'),
      ),
    ).toBe(30 * MINUTE + 3 * HOUR)
    expect(
      nextPollDelayMs(
        state('pending', { notFoundCount: 1 }),
        POLICY,
        constant(0),
        paris('2026-03-24T23:00+01:00'),
      ),
    ).toBe(30 * MINUTE)
    // On a Sunday there is no round to keep.
    expect(delayAt('exception', '2026-03-22T07:30+01:00', 0)).toBe(
      paris('2026-03-23T06:00+01:00') - paris('2026-03-22T07:30+01:00'),
    )
  })

  it('looks once a day, early in the round, at an in_transit parcel the carrier expects on a later day', () => {
    const inTransit = (estimatedDelivery: string | undefined, nowIso: string, draw: number) =>
      nextPollDelayMs({ ...state('in_transit'), estimatedDelivery }, POLICY, constant(draw), paris(nowIso))
    // Tuesday 07:20, expected Thursday: next look Wednesday 07:00 plus a draw of the round's 30 min.
    expect(inTransit('2026-03-26', '2026-03-24T07:20+01:00', 0.5)).toBe(
      paris('2026-03-25T07:15+01:00') - paris('2026-03-24T07:20+01:00'),
    )
    expect(inTransit('2026-03-26T12:00:00+01:00', '2026-03-24T05:00+01:00', 0)).toBe(2 * HOUR)
    // Saturday evening, expected Tuesday: Monday's round (Sunday has none).
    expect(inTransit('2026-03-24', '2026-03-21T19:00+01:00', 0)).toBe(
      paris('2026-03-23T07:00+01:00') - paris('2026-03-21T19:00+01:00'),
    )
    // Expected today, an unreadable estimate, or a past one (the parcel is late): the round's cadence.
    for (const estimate of ['2026-03-24', '2026-03-24T18:00:00+01:00', 'soon', '2026-03-20', undefined]) {
      expect(inTransit(estimate, '2026-03-24T07:20+01:00', 0)).toBe(20 * MINUTE)
    }
  })

  it('moves a poll that would fall at night to the next morning, spread over the stage delay', () => {
    const now = paris('2026-03-24T20:00+01:00')
    // 3.4 h of info_received (draw 0.2 of 3–5 h) would be night: Wednesday 06:00 plus a draw of the 3.4 h…
    expect(delayAt('info_received', '2026-03-24T20:00+01:00', 0.2)).toBe(
      paris('2026-03-25T06:00+01:00') + 0.2 * 3.4 * HOUR - now,
    )
    // …and after the delivery round when the draw lands in it (4 h: 06:00 + 2 h = 08:00 → 11:00).
    expect(delayAt('info_received', '2026-03-24T20:00+01:00', 0.5)).toBe(
      paris('2026-03-25T11:00+01:00') - now,
    )
    expect(delayAt('out_for_delivery', '2026-03-24T20:50+01:00', 0)).toBe(
      paris('2026-03-25T06:00+01:00') - paris('2026-03-24T20:50+01:00') + 0,
    )
  })

  it('sleeps in_transit parcels until the delivery round, polled every 20–30 min during it', () => {
    const evening = paris('2026-03-24T19:30+01:00')
    // 3 h after 19:30 is night: the next poll is in Wednesday's round, at a random point of its first 30 min.
    expect(delayAt('in_transit', '2026-03-24T19:30+01:00', 0)).toBe(paris('2026-03-25T07:00+01:00') - evening)
    expect(delayAt('in_transit', '2026-03-24T19:30+01:00', 0.5)).toBe(
      paris('2026-03-25T07:00+01:00') + 15 * MINUTE - evening,
    )
    expect(delayAt('in_transit', '2026-03-25T07:20+01:00', 0)).toBe(20 * MINUTE)
    expect(delayAt('in_transit', '2026-03-25T09:40+01:00', 0.5)).toBe(25 * MINUTE)
    // Polled at 05:00 (just registered), it does not jump over the round.
    expect(delayAt('in_transit', '2026-03-25T05:00+01:00', 0)).toBe(2 * HOUR)
    expect(delayAt('in_transit', '2026-03-25T06:00+01:00', 0.5)).toBe(HOUR + 15 * MINUTE)
    // After the round, the usual in_transit cadence.
    expect(delayAt('in_transit', '2026-03-25T10:00+01:00', 0.5)).toBe(3 * HOUR)
  })

  it('skips Sundays and public holidays: Saturday evening waits for Monday', () => {
    const saturday = paris('2026-03-21T19:00+01:00')
    expect(delayAt('info_received', '2026-03-21T19:00+01:00', 0)).toBe(
      paris('2026-03-23T06:00+01:00') - saturday,
    )
    // Easter Monday (6 April 2026) is a public holiday: Saturday 4 → Tuesday 7.
    const easter = paris('2026-04-04T20:00+02:00')
    expect(delayAt('in_transit', '2026-04-04T20:00+02:00', 0)).toBe(paris('2026-04-07T07:00+02:00') - easter)
  })

  it('follows Paris DST: the Sunday of the change is skipped and Monday starts at 06:00 summer time', () => {
    // 29 March 2026: 02:00 → 03:00. Saturday 20:30 +01:00 → Monday 06:00 +02:00 is 32 h 30 later (33 h 30 without the change).
    expect(delayAt('exception', '2026-03-28T20:30+01:00', 0)).toBe(
      paris('2026-03-30T06:00+02:00') - paris('2026-03-28T20:30+01:00'),
    )
    expect(paris('2026-03-30T06:00+02:00') - paris('2026-03-28T20:30+01:00')).toBe(32.5 * HOUR)
    // 25 October 2026: 03:00 → 02:00; Monday's round at 07:00 +01:00.
    expect(delayAt('in_transit', '2026-10-24T20:00+02:00', 0)).toBe(
      paris('2026-10-26T07:00+01:00') - paris('2026-10-24T20:00+02:00'),
    )
    expect(paris('2026-10-26T07:00+01:00') - paris('2026-10-24T20:00+02:00')).toBe(36 * HOUR)
  })

  it('on the DST Sunday itself, with every day a scan day, wakes at 06:00 local time', () => {
    const policy: PollPolicy = { ...POLICY, calendar: { ...DEFAULT_POLL_CALENDAR, scanDays: 'all' } }
    const now = paris('2026-03-28T22:00+01:00')
    expect(nextPollDelayMs(state('exception'), policy, constant(0), now)).toBe(
      paris('2026-03-29T06:00+02:00') - now,
    )
    expect(paris('2026-03-29T06:00+02:00') - now).toBe(7 * HOUR)
  })

  it('leaves pending backoff and failure retries alone at night', () => {
    expect(
      nextPollDelayMs(
        state('pending', { notFoundCount: 3 }),
        POLICY,
        constant(0.5),
        paris('2026-03-24T23:00+01:00'),
      ),
    ).toBe(2 * HOUR)
    expect(
      nextPollDelayMs(
        state('in_transit', { failureCount: 2 }),
        POLICY,
        constant(0.5),
        paris('2026-03-22T03:00+01:00'),
      ),
    ).toBe(2 * MINUTE)
  })

  it('can be turned off: all day, every day', () => {
    const policy: PollPolicy = {
      ...POLICY,
      calendar: {
        ...DEFAULT_POLL_CALENDAR,
        scanHours: { startMinute: 0, endMinute: 1440 },
        scanDays: 'all',
        roundHours: { startMinute: 0, endMinute: 0 },
      },
    }
    for (const status of ['info_received', 'exception', 'out_for_delivery'] as const) {
      expect(nextPollDelayMs(state(status), policy, constant(0), paris('2026-03-22T03:00+01:00'))).toBe(
        rangeFor(status).minMs,
      )
    }
  })

  it('never polls sooner than the stage minimum, except in_transit parcels in the round', () => {
    const problems: string[] = []
    const start = paris('2026-03-27T00:00+01:00')
    for (let hour = 0; hour < 24 * 5; hour += 0.75) {
      for (const status of TRACKING_STATUSES) {
        if (status === 'in_transit') continue
        for (const draw of DRAWS) {
          const delay = nextPollDelayMs(state(status), POLICY, constant(draw), start + hour * HOUR)
          if (delay < rangeFor(status).minMs) problems.push(`${status} +${hour}h ${draw}: ${delay}`)
        }
      }
    }
    expect(problems).toEqual([])
  })
})
