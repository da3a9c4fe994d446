import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CarrierError } from '../../../adapters/contract.js'
import { loadConfig } from '../../../src/config.js'
import { countOf, HOUR_BUCKETS, histogramOf } from '../../../src/domain/analytics/histogram.js'
import { addReportingLags, reportingLagHistogram } from '../../../src/domain/analytics/reporting-lag.js'
import type { AlertPolicy } from '../../../src/domain/delay-alerts.js'
import { formatInZone, PARIS } from '../../../src/domain/paris-time.js'
import { type TrackingEvent, withEventId } from '../../../src/domain/tracking-event.js'
import {
  applyPollOutcome,
  type CarrierOutcome,
  type StoredTracking,
} from '../../../src/domain/tracking-lifecycle.js'
import { EVENT_STATUSES } from '../../../src/domain/tracking-status.js'
import { pollPolicyFrom } from '../../../src/main/policies.js'
import { propertyRuns } from '../../support/property-runs.js'
import { LAPOSTE_NUMBER, REGISTERED_AT, registeredRecord } from '../../support/tracking-record.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const T0 = Date.parse(REGISTERED_AT)
const POLICY = pollPolicyFrom(loadConfig({ NODE_ENV: 'test' }))
const QUIET_ALERTS: AlertPolicy = {
  stalledBusinessDays: 10_000,
  pickupHoldDays: 10_000,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}

function scan(code: string, occurredAtMs: number, status: TrackingEvent['status'] = 'in_transit') {
  return withEventId('laposte', LAPOSTE_NUMBER, {
    occurredAt: formatInZone(occurredAtMs, PARIS),
    status,
    code,
    description: `scan ${code}`,
  })
}

describe('addReportingLags', () => {
  it('counts the lag of each event that occurred after registration, in its hour bucket', () => {
    const events = [
      scan('A', T0 - HOUR),
      scan('B', T0 + 10 * MINUTE),
      scan('C', T0 + 2 * HOUR),
      scan('D', T0 + 3 * HOUR),
    ]
    // Stored at T0 + 3h20: lags 3h10 (bucket of 3 h, index 6), 1h20 (index 4), 20 min (index 1).
    const counts = addReportingLags(undefined, REGISTERED_AT, events, T0 + 3 * HOUR + 20 * MINUTE)
    expect(counts).toEqual([1, 1, 0, 0, 1, 0, 1])
    expect(countOf(reportingLagHistogram(counts))).toBe(3)
  })

  it('counts a scan stored before its own time (the carrier clock ahead) as 0, and the registration instant in', () => {
    expect(addReportingLags(undefined, REGISTERED_AT, [scan('A', T0 + HOUR)], T0)).toEqual([0, 1])
    expect(addReportingLags([0, 1], REGISTERED_AT, [scan('B', T0)], T0 + 5 * MINUTE)).toEqual([0, 2])
  })

  it('leaves the counts as they are when no event counts: absent until one does', () => {
    expect(addReportingLags(undefined, REGISTERED_AT, [], T0)).toBeUndefined()
    expect(addReportingLags(undefined, REGISTERED_AT, [scan('A', T0 - 1000)], T0)).toBeUndefined()
    const kept = [3, 1]
    expect(addReportingLags(kept, REGISTERED_AT, [scan('A', T0 - 1000)], T0)).toBe(kept)
    expect(reportingLagHistogram(undefined)).toEqual(histogramOf(HOUR_BUCKETS, []))
  })
})

/** One poll: after `gapMs`, the carrier answers the pool's events at `shown` (indexes), or fails. */
interface Poll {
  gapMs: number
  answer: { shown: number[] } | { failure: 'not_found' | 'unavailable' } | 'same as last'
}

const POOL_SIZE = 12

const arbitraryPool = fc.array(
  fc.record({
    // From two days before registration to ten days after, to the second as carriers write it.
    offsetMs: fc.integer({ min: -48 * HOUR, max: 240 * HOUR }),
    status: fc.constantFrom(...EVENT_STATUSES),
  }),
  { minLength: POOL_SIZE, maxLength: POOL_SIZE },
)

const arbitraryPoll: fc.Arbitrary<Poll> = fc.record({
  gapMs: fc.integer({ min: 0, max: 72 * HOUR }),
  answer: fc.oneof(
    { weight: 4, arbitrary: fc.record({ shown: fc.subarray([...Array(POOL_SIZE).keys()]) }) },
    {
      weight: 1,
      arbitrary: fc.record({ failure: fc.constantFrom('not_found' as const, 'unavailable' as const) }),
    },
    { weight: 1, arbitrary: fc.constant('same as last' as const) },
  ),
})

describe('the reporting lags polls record on a tracking', () => {
  it('count each event a poll adds that occurred after registration once, at the lag of the poll that added it', () => {
    fc.assert(
      fc.property(
        arbitraryPool,
        fc.array(arbitraryPoll, { maxLength: 12 }),
        fc.integer({ min: 0, max: 999 }),
        (pool, polls, registrationMs) => {
          const registeredAt = new Date(T0 + registrationMs).toISOString()
          const events = pool.map(({ offsetMs, status }, index) => scan(`E${index}`, T0 + offsetMs, status))
          let stored: StoredTracking = { record: registeredRecord({ createdAt: registeredAt }), events: [] }
          let nowMs = T0 + registrationMs
          let lastAnswer: CarrierOutcome | undefined
          const seenAtMs = new Map<string, number>()
          for (const { gapMs, answer } of polls) {
            nowMs += gapMs
            const outcome: CarrierOutcome =
              answer === 'same as last'
                ? (lastAnswer ?? new CarrierError('not_found', 'not yet'))
                : 'failure' in answer
                  ? new CarrierError(answer.failure, 'no answer')
                  : {
                      carrier: 'laposte',
                      trackingNumber: LAPOSTE_NUMBER,
                      events: answer.shown.map((index) => events[index] as TrackingEvent),
                    }
            lastAnswer = outcome
            if ('events' in outcome) {
              for (const event of outcome.events) if (!seenAtMs.has(event.id)) seenAtMs.set(event.id, nowMs)
            }
            const change = applyPollOutcome(stored, outcome, {
              now: new Date(nowMs),
              policy: POLICY,
              alertPolicy: QUIET_ALERTS,
              timeScale: 1,
              random: () => 0.5,
            })
            stored = { record: change.record, events: change.events ?? stored.events }
          }
          // Worked out from the events and the poll times alone: every event stored, once.
          const registeredMs = Date.parse(registeredAt)
          const lags = events.flatMap((event) => {
            const seen = seenAtMs.get(event.id)
            const occurred = Date.parse(event.occurredAt)
            return seen === undefined || occurred < registeredMs ? [] : [Math.max(0, seen - occurred) / HOUR]
          })
          expect(stored.events).toHaveLength(seenAtMs.size)
          const recorded = reportingLagHistogram(stored.record.reportingLag)
          expect(countOf(recorded)).toBe(lags.length)
          expect(recorded.counts).toEqual(histogramOf(HOUR_BUCKETS, lags).counts)
          if (lags.length === 0) expect(stored.record.reportingLag).toBeUndefined()
        },
      ),
      { numRuns: propertyRuns(300) },
    )
  })

  it('count nothing again when the same answer is replayed', () => {
    const answer = {
      carrier: 'laposte',
      trackingNumber: LAPOSTE_NUMBER,
      events: [scan('A', T0 + HOUR), scan('B', T0 + 2 * HOUR, 'delivered')],
    }
    const ctx = (ms: number) => ({
      now: new Date(ms),
      policy: POLICY,
      alertPolicy: QUIET_ALERTS,
      timeScale: 1,
    })
    const first = applyPollOutcome({ record: registeredRecord(), events: [] }, answer, ctx(T0 + 3 * HOUR))
    expect(first.record.reportingLag).toEqual([4, 1, 1])
    const stored = { record: first.record, events: first.events ?? [] }
    for (const replayed of [answer, { ...answer, events: [...answer.events].reverse() }]) {
      expect(applyPollOutcome(stored, replayed, ctx(T0 + 30 * HOUR)).record.reportingLag).toEqual([4, 1, 1])
    }
  })
})
