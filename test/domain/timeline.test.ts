import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  formatWithOffset,
  hasOffset,
  instantOf,
  normalizeCarrierTimestamp,
} from '../../src/domain/paris-time.js'
import {
  deriveTrackingStatus,
  dropRepeatedEvents,
  mergeTimeline,
  sortEvents,
} from '../../src/domain/timeline.js'
import {
  type EventDraft,
  type EventLocation,
  type TrackingEvent,
  withEventId,
} from '../../src/domain/tracking-event.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import { propertyRuns } from '../support/property-runs.js'

const CARRIER = 'laposte'
const NUMBER = '6A15602676300'

function scan(
  code: string,
  status: EventStatus,
  occurredAt: string,
  extra: Partial<Omit<EventDraft, 'code' | 'status' | 'occurredAt'>> = {},
): TrackingEvent {
  return withEventId(CARRIER, NUMBER, { occurredAt, status, code, description: `${code} label`, ...extra })
}

function ids(events: readonly TrackingEvent[]): string[] {
  return events.map((event) => event.id)
}

function merged(...snapshots: (readonly TrackingEvent[])[]): TrackingEvent[] {
  return snapshots.reduce<TrackingEvent[]>((stored, snapshot) => mergeTimeline(stored, snapshot).events, [])
}

function expectSorted(events: readonly TrackingEvent[]): void {
  for (let index = 1; index < events.length; index++) {
    const previous = events[index - 1]
    const current = events[index]
    if (!previous || !current) throw new Error('unreachable')
    expect(instantOf(previous.occurredAt)).toBeLessThanOrEqual(instantOf(current.occurredAt))
  }
}

// One Colissimo parcel, oldest first.
const PRIS_EN_CHARGE = scan('PC1', 'info_received', '2023-03-07T18:02:00+01:00')
const EN_TRANSIT = scan('ET1', 'in_transit', '2023-03-08T04:15:00+01:00', { location: { city: 'Wissous' } })
const EN_LIVRAISON = scan('MD2', 'out_for_delivery', '2023-03-09T08:10:00+01:00')
const LIVRE = scan('DI1', 'delivered', '2023-03-09T09:38:00+01:00')
const HISTORY = [PRIS_EN_CHARGE, EN_TRANSIT, EN_LIVRAISON, LIVRE]

describe('mergeTimeline', () => {
  it('merges nothing into nothing', () => {
    expect(mergeTimeline([], [])).toEqual({ events: [], added: [] })
  })

  it('sorts newest-first (La Poste) and oldest-first (Chronopost) histories the same way', () => {
    const newestFirst = mergeTimeline([], [...HISTORY].reverse())
    const oldestFirst = mergeTimeline([], HISTORY)
    expect(ids(newestFirst.events)).toEqual(ids(HISTORY))
    expect(ids(oldestFirst.events)).toEqual(ids(HISTORY))
    expect(ids(newestFirst.added)).toEqual(ids(HISTORY))
  })

  it('sorts by instant, not by the text of the timestamp', () => {
    const summerMorning = scan('ET1', 'in_transit', '2023-07-09T10:00:00+02:00') // 08:00Z
    const ukMorning = scan('ET2', 'in_transit', '2023-07-09T09:30:00+01:00') // 08:30Z
    const newYorkNight = scan('ET3', 'in_transit', '2023-07-09T03:45:00-05:00') // 08:45Z
    const utc = scan('ET4', 'in_transit', '2023-07-09T07:00:00Z')
    const { events } = mergeTimeline([], [newYorkNight, ukMorning, summerMorning, utc])
    expect(ids(events)).toEqual(ids([utc, summerMorning, ukMorning, newYorkNight]))
  })

  it('is idempotent: polling the same history again adds nothing', () => {
    const first = mergeTimeline([], HISTORY)
    const second = mergeTimeline(first.events, HISTORY)
    const reversed = mergeTimeline(first.events, [...HISTORY].reverse())
    expect(second).toEqual({ events: first.events, added: [] })
    expect(reversed).toEqual({ events: first.events, added: [] })
  })

  it('adds only the new scans, each in its place, and reports them in order', () => {
    const stored = merged([PRIS_EN_CHARGE, LIVRE])
    const result = mergeTimeline(stored, [LIVRE, EN_LIVRAISON, EN_TRANSIT, PRIS_EN_CHARGE])
    expect(ids(result.events)).toEqual(ids(HISTORY))
    expect(ids(result.added)).toEqual(ids([EN_TRANSIT, EN_LIVRAISON]))
  })

  it('does not add a scan again when only its wording or language changed, and keeps the first wording', () => {
    const stored = merged(HISTORY)
    const english = HISTORY.map(({ id: _id, ...draft }) =>
      withEventId(CARRIER, NUMBER, { ...draft, description: `${draft.code} in English` }),
    )
    const result = mergeTimeline(stored, english)
    expect(result.added).toEqual([])
    expect(result.events.map((event) => event.description)).toEqual(HISTORY.map((e) => e.description))
  })

  it('does not add a scan again when the same instant comes with another offset', () => {
    const stored = merged([scan('DI1', 'delivered', '2023-03-09T10:00:00+01:00')])
    const inUtc = scan('DI1', 'delivered', '2023-03-09T09:00:00Z')
    const result = mergeTimeline(stored, [inUtc])
    expect(result.added).toEqual([])
    expect(result.events).toEqual(stored)
    expect(result.events[0]?.occurredAt).toBe('2023-03-09T10:00:00+01:00')
  })

  it('keeps each event’s own offset', () => {
    const winter = scan('ET1', 'in_transit', '2023-03-09T09:38:00+01:00')
    const newYork = scan('ET2', 'in_transit', '2023-03-09T05:00:00-05:00')
    const { events } = mergeTimeline([], [newYork, winter])
    expect(events.map((event) => event.occurredAt)).toEqual([
      '2023-03-09T09:38:00+01:00',
      '2023-03-09T05:00:00-05:00',
    ])
  })

  it('adds a scan the carrier sends late at its place in time', () => {
    const stored = merged([PRIS_EN_CHARGE, EN_LIVRAISON, LIVRE])
    const result = mergeTimeline(stored, [EN_TRANSIT])
    expect(ids(result.events)).toEqual(ids(HISTORY))
    expect(result.added).toEqual([EN_TRANSIT])
  })

  it('keeps the carrier’s order for scans of the same instant', () => {
    const sorting = scan('ET1', 'in_transit', '2023-03-08T04:15:00+01:00')
    const leaving = scan('ET2', 'in_transit', '2023-03-08T04:15:00+01:00')
    expect(ids(mergeTimeline([], [sorting, leaving]).events)).toEqual(ids([sorting, leaving]))
    expect(ids(mergeTimeline([], [leaving, sorting]).events)).toEqual(ids([leaving, sorting]))
  })

  it('places a new scan after the stored scans of the same instant', () => {
    const stored = merged([PRIS_EN_CHARGE, EN_TRANSIT, LIVRE])
    const sameInstant = scan('ET9', 'in_transit', EN_TRANSIT.occurredAt)
    const { events } = mergeTimeline(stored, [sameInstant])
    expect(ids(events)).toEqual(ids([PRIS_EN_CHARGE, EN_TRANSIT, sameInstant, LIVRE]))
  })

  it('keeps one copy of a scan the carrier lists twice', () => {
    const { events, added } = mergeTimeline([], [EN_TRANSIT, LIVRE, EN_TRANSIT])
    expect(ids(events)).toEqual(ids([EN_TRANSIT, LIVRE]))
    expect(ids(added)).toEqual(ids([EN_TRANSIT, LIVRE]))
  })

  it('does not mutate its inputs', () => {
    const stored = merged([PRIS_EN_CHARGE, LIVRE])
    const incoming = [LIVRE, EN_TRANSIT]
    const storedCopy = structuredClone(stored)
    const incomingCopy = structuredClone(incoming)
    mergeTimeline(stored, incoming)
    expect(stored).toEqual(storedCopy)
    expect(incoming).toEqual(incomingCopy)
  })
})

describe('sortEvents', () => {
  it('sorts by instant and keeps the given order of equal instants', () => {
    const a = scan('A', 'in_transit', '2023-03-09T10:00:00+01:00')
    const b = scan('B', 'in_transit', '2023-03-09T09:00:00Z') // same instant as a
    const c = scan('C', 'in_transit', '2023-03-09T08:00:00Z')
    expect(ids(sortEvents([a, b, c]))).toEqual(ids([c, a, b]))
    expect(ids(sortEvents([b, c, a]))).toEqual(ids([c, b, a]))
  })
})

describe('deriveTrackingStatus', () => {
  const at = (minute: number) => formatWithOffset(Date.UTC(2023, 2, 9, 8, minute), 60)

  it('is pending without events', () => {
    expect(deriveTrackingStatus([])).toBe('pending')
  })

  it('is pending when every code is unknown', () => {
    expect(deriveTrackingStatus([scan('ZZ1', 'unknown', at(0)), scan('ZZ2', 'unknown', at(1))])).toBe(
      'pending',
    )
  })

  it.each<[EventStatus[], string]>([
    [['info_received'], 'info_received'],
    [['info_received', 'in_transit'], 'in_transit'],
    [['info_received', 'in_transit', 'out_for_delivery'], 'out_for_delivery'],
    [['in_transit', 'out_for_delivery', 'failed_attempt'], 'failed_attempt'],
    [['failed_attempt', 'available_for_pickup'], 'available_for_pickup'],
    [['in_transit', 'exception'], 'exception'],
    [['in_transit', 'exception', 'in_transit'], 'in_transit'],
    [['in_transit', 'delivered'], 'delivered'],
  ])('follows the latest meaningful scan: %j → %s', (statuses, expected) => {
    const events = statuses.map((status, index) => scan(`C${index}`, status, at(index)))
    expect(deriveTrackingStatus(events)).toBe(expected)
  })

  it('reads the timeline by time, not by the order it is given in', () => {
    expect(deriveTrackingStatus([...HISTORY].reverse())).toBe('delivered')
    const events = [scan('ET1', 'in_transit', at(5)), scan('PC1', 'info_received', at(0))]
    expect(deriveTrackingStatus(events)).toBe('in_transit')
  })

  it('stays delivered when "delivered" is scanned a minute before "out for delivery"', () => {
    const events = [
      scan('ET1', 'in_transit', at(0)),
      scan('DI1', 'delivered', at(30)),
      scan('MD2', 'out_for_delivery', at(31)),
    ]
    expect(deriveTrackingStatus(events)).toBe('delivered')
    expect(deriveTrackingStatus([...events].reverse())).toBe('delivered')
  })

  it('stays delivered when "delivered" and "out for delivery" share the same instant', () => {
    const events = [scan('DI1', 'delivered', at(30)), scan('MD2', 'out_for_delivery', at(30))]
    expect(deriveTrackingStatus(events)).toBe('delivered')
  })

  it('stays delivered whatever non-return scan follows', () => {
    const events = [
      scan('DI1', 'delivered', at(0)),
      scan('ET1', 'in_transit', at(1)),
      scan('ND1', 'failed_attempt', at(2)),
      scan('PB1', 'exception', at(3)),
    ]
    expect(deriveTrackingStatus(events)).toBe('delivered')
  })

  it('stays returned_to_sender through the in-transit scans of the return leg', () => {
    const events = [
      scan('ET1', 'in_transit', at(0)),
      scan('ND1', 'failed_attempt', at(1)),
      scan('RE1', 'returned_to_sender', at(2)),
      scan('ET1', 'in_transit', at(3)),
      scan('ET2', 'in_transit', at(4)),
      scan('MD2', 'out_for_delivery', at(5)),
    ]
    expect(deriveTrackingStatus(events)).toBe('returned_to_sender')
  })

  it('stays returned_to_sender once the parcel is delivered back to the sender (La Poste DI2)', () => {
    const events = [
      scan('ET1', 'in_transit', at(0)),
      scan('RE1', 'returned_to_sender', at(1)),
      scan('ET1', 'in_transit', at(2)),
      scan('DI2', 'returned_to_sender', at(3)),
    ]
    expect(deriveTrackingStatus(events)).toBe('returned_to_sender')
  })

  it('turns returned_to_sender when a return starts after a delivery', () => {
    const events = [scan('DI1', 'delivered', at(0)), scan('RE1', 'returned_to_sender', at(5))]
    expect(deriveTrackingStatus(events)).toBe('returned_to_sender')
  })

  it('turns delivered when the returned parcel is finally delivered to the recipient', () => {
    const events = [scan('RE1', 'returned_to_sender', at(0)), scan('DI1', 'delivered', at(5))]
    expect(deriveTrackingStatus(events)).toBe('delivered')
  })

  it('never lets an unknown code move the status', () => {
    const unknown = (minute: number) => scan(`ZZ${minute}`, 'unknown', at(minute))
    expect(deriveTrackingStatus([scan('ET1', 'in_transit', at(0)), unknown(1)])).toBe('in_transit')
    expect(deriveTrackingStatus([unknown(0), scan('PC1', 'info_received', at(1)), unknown(2)])).toBe(
      'info_received',
    )
    expect(deriveTrackingStatus([scan('DI1', 'delivered', at(0)), unknown(1)])).toBe('delivered')
    expect(deriveTrackingStatus([scan('RE1', 'returned_to_sender', at(0)), unknown(1)])).toBe(
      'returned_to_sender',
    )
  })
})

describe('deriveTrackingStatus: scans that only resume', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 5, 27, 8, minute)).toISOString()
  const resuming = (code: string, status: EventStatus, minute: number) =>
    scan(code, status, at(minute), { resumesOnly: true })

  it('keeps available_for_pickup when a drop-off scan follows the pickup point arrival', () => {
    const events = [
      scan('TA', 'out_for_delivery', at(0)),
      scan('AB', 'available_for_pickup', at(10)),
      resuming('RB', 'in_transit', 11),
    ]
    expect(deriveTrackingStatus(events)).toBe('available_for_pickup')
    expect(deriveTrackingStatus(events.map(({ resumesOnly: _, ...event }) => event))).toBe('in_transit')
  })

  it('moves a failed attempt or an exception back toward delivery', () => {
    const failed = [scan('TA', 'out_for_delivery', at(0)), scan('P', 'failed_attempt', at(5))]
    expect(deriveTrackingStatus([...failed, resuming('CL', 'in_transit', 8)])).toBe('in_transit')
    const stuck = [scan('SC', 'in_transit', at(0)), scan('SK', 'exception', at(5))]
    expect(deriveTrackingStatus([...stuck, resuming('CL', 'in_transit', 8)])).toBe('in_transit')
  })

  it('gives a first status, but never moves a status reached on the way', () => {
    expect(deriveTrackingStatus([resuming('EA', 'info_received', 0)])).toBe('info_received')
    for (const reached of ['info_received', 'in_transit', 'out_for_delivery'] as const) {
      const events = [scan('X1', reached, at(0)), resuming('CL', 'in_transit', 1)]
      expect(deriveTrackingStatus(events), reached).toBe(reached)
    }
    const announced = [scan('SC', 'in_transit', at(0)), resuming('EA', 'info_received', 1)]
    expect(deriveTrackingStatus(announced)).toBe('in_transit')
    expect(deriveTrackingStatus([scan('D', 'delivered', at(0)), resuming('CL', 'in_transit', 1)])).toBe(
      'delivered',
    )
  })

  it('lets the next ordinary scan move the status as usual', () => {
    const events = [
      scan('AB', 'available_for_pickup', at(0)),
      resuming('RB', 'in_transit', 1),
      scan('D', 'delivered', at(60)),
    ]
    expect(deriveTrackingStatus(events)).toBe('delivered')
  })
})

describe('timeline properties', () => {
  const NUM_RUNS = propertyRuns(1000)
  const BASE = Date.UTC(2026, 9, 24, 22, 0)

  const CODES = [
    ['PC1', 'info_received'],
    ['ET1', 'in_transit'],
    ['ET2', 'in_transit'],
    ['MD2', 'out_for_delivery'],
    ['ND1', 'failed_attempt'],
    ['AG1', 'available_for_pickup'],
    ['DI1', 'delivered'],
    ['RE1', 'returned_to_sender'],
    ['DI2', 'returned_to_sender'],
    ['PB1', 'exception'],
    ['ZZ9', 'unknown'],
  ] as const satisfies readonly (readonly [string, EventStatus])[]

  const LOCATIONS: (EventLocation | undefined)[] = [
    undefined,
    { city: 'Wissous', postalCode: '91320', countryCode: 'FR' },
    { name: 'Agence Paris 15', city: 'Paris' },
  ]

  const codeArb = fc.constantFrom(...CODES)
  const offsetArb = fc.constantFrom(60, 120, 0, -300)

  /** A scan within a few hours (few minutes apart: many share an instant), written with any offset. */
  const eventArb = fc
    .record({
      code: codeArb,
      minute: fc.integer({ min: 0, max: 40 }),
      offset: offsetArb,
      location: fc.constantFrom(...LOCATIONS),
      description: fc.string({ maxLength: 10 }),
    })
    .map(({ code: [code, status], minute, offset, location, description }) =>
      withEventId(CARRIER, NUMBER, {
        occurredAt: formatWithOffset(BASE + minute * 60_000, offset),
        status,
        code,
        description,
        ...(location ? { location } : {}),
      }),
    )

  /** One true history as a carrier lists it oldest first; instants may repeat. */
  const chronologicalHistoryArb = fc
    .uniqueArray(eventArb, { selector: (event) => event.id, maxLength: 25 })
    .map((events) => sortEvents(events))

  /** A history whose scans all have distinct instants. */
  const distinctInstantsHistoryArb = fc.uniqueArray(eventArb, {
    selector: (event) => instantOf(event.occurredAt),
    maxLength: 25,
  })

  it(`sortEvents is the stable sort by instant, whether the events come in order or not (${NUM_RUNS} runs)`, () => {
    const byInstant = (a: TrackingEvent, b: TrackingEvent) =>
      instantOf(a.occurredAt) - instantOf(b.occurredAt)
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 25 }), fc.boolean(), (drawn, inOrder) => {
        // Array.prototype.sort is stable: the reference keeps the given order of equal instants.
        const events = inOrder ? [...drawn].sort(byInstant) : drawn
        const expected = [...events].sort(byInstant)
        const sorted = sortEvents(events)
        expect(sorted.map((event) => events.indexOf(event))).toEqual(
          expected.map((event) => events.indexOf(event)),
        )
        expect(sorted).not.toBe(events)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`merge is idempotent (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(fc.array(eventArb, { maxLength: 15 }), { maxLength: 4 }), (snapshots) => {
        const stored = merged(...snapshots)
        for (const snapshot of snapshots) {
          const again = mergeTimeline(stored, snapshot)
          expect(again.added).toEqual([])
          expect(again.events).toEqual(stored)
        }
        const once = mergeTimeline([], snapshots.flat())
        expect(mergeTimeline(once.events, snapshots.flat()).events).toEqual(once.events)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`re-polls of growing prefixes give the same timeline in any delivery order (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        chronologicalHistoryArb.chain((history) =>
          fc.tuple(
            fc.constant(history),
            fc.array(fc.integer({ min: 0, max: history.length }), { minLength: 1, maxLength: 6 }),
          ),
        ),
        ([history, prefixLengths]) => {
          const polls = prefixLengths.map((length) => history.slice(0, length))
          const shorter = Math.min(...prefixLengths)
          const longer = Math.max(...prefixLengths)
          const p1 = history.slice(0, shorter)
          const p2 = history.slice(0, longer)
          expect(merged(p2, p1)).toEqual(merged(p1, p2))
          expect(merged(p1, p2)).toEqual(p2)
          expect(merged(...polls)).toEqual(p2)
          expect(merged(...[...polls].reverse())).toEqual(p2)
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it(`shuffled snapshots and polls give the same ids in the same order when instants are distinct (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        distinctInstantsHistoryArb.chain((history) =>
          fc.tuple(
            fc.constant(history),
            fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }),
            fc.array(fc.shuffledSubarray(history), { maxLength: 5 }),
          ),
        ),
        ([history, shuffled, partialPolls]) => {
          const expected = ids(sortEvents(history))
          expect(ids(mergeTimeline([], shuffled).events)).toEqual(expected)
          expect(ids(mergeTimeline([], history).events)).toEqual(expected)
          expect(ids(merged(...partialPolls, shuffled))).toEqual(expected)
          expect(ids(merged(shuffled, ...partialPolls))).toEqual(expected)
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it(`the timeline is always sorted, without duplicates, and loses nothing (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(fc.array(eventArb, { maxLength: 15 }), { maxLength: 5 }), (snapshots) => {
        let stored: TrackingEvent[] = []
        const seen = new Set<string>()
        for (const snapshot of snapshots) {
          const before = new Set(ids(stored))
          const result = mergeTimeline(stored, snapshot)
          for (const event of snapshot) seen.add(event.id)
          expectSorted(result.events)
          expectSorted(result.added)
          expect(new Set(ids(result.events)).size).toBe(result.events.length)
          expect(new Set(ids(result.events))).toEqual(seen)
          expect(new Set(ids(result.added))).toEqual(new Set([...seen].filter((id) => !before.has(id))))
          // stored events keep their relative order
          expect(ids(result.events).filter((id) => before.has(id))).toEqual(ids(stored))
          stored = result.events
        }
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`ids are stable: rebuilding any merged event from its draft gives its id (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(eventArb, { maxLength: 15 }), { maxLength: 4 }),
        offsetArb,
        (snapshots, offset) => {
          for (const { id, ...draft } of merged(...snapshots)) {
            expect(withEventId(CARRIER, NUMBER, draft).id).toBe(id)
            const rewritten = formatWithOffset(instantOf(draft.occurredAt), offset)
            expect(
              withEventId(CARRIER, NUMBER, { ...draft, occurredAt: rewritten, description: 'x' }).id,
            ).toBe(id)
          }
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  /** A raw carrier timestamp: with an offset, or a Paris wall-clock time (DST gaps and overlaps included). */
  const rawTimestampArb = fc.oneof(
    fc
      .record({
        instant: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        offset: fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 15),
      })
      .map(({ instant, offset }) => ({
        raw: formatWithOffset(instant, offset),
        offset: offset as number | undefined,
      })),
    fc
      .record({
        year: fc.integer({ min: 2020, max: 2030 }),
        month: fc.constantFrom(1, 3, 7, 10, 12),
        day: fc.integer({ min: 24, max: 31 }),
        hour: fc.integer({ min: 0, max: 4 }),
        minute: fc.integer({ min: 0, max: 59 }),
        separator: fc.constantFrom('T', ' '),
      })
      .map(({ year, month, day, hour, minute, separator }) => ({
        raw: `${year}-${String(month).padStart(2, '0')}-${day}${separator}${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`,
        offset: undefined as number | undefined,
      })),
  )

  it(`every occurredAt in a merged timeline has an offset, and carrier offsets are kept (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(rawTimestampArb, codeArb), { maxLength: 20 }), (raws) => {
        const events = raws.map(([{ raw, offset }, [code, status]]) => {
          const occurredAt = normalizeCarrierTimestamp(raw)
          expect(occurredAt).toBeDefined()
          if (offset !== undefined) expect(occurredAt).toBe(raw)
          return withEventId(CARRIER, NUMBER, {
            occurredAt: occurredAt ?? '',
            status,
            code,
            description: raw,
          })
        })
        for (const event of mergeTimeline([], events).events) {
          expect(hasOffset(event.occurredAt)).toBe(true)
          expect(event.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/)
        }
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`the status does not depend on the order events are given in, when instants are distinct (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        distinctInstantsHistoryArb.chain((history) =>
          fc.tuple(fc.constant(history), fc.shuffledSubarray(history, { minLength: history.length })),
        ),
        ([history, shuffled]) => {
          expect(deriveTrackingStatus(shuffled)).toBe(deriveTrackingStatus(history))
        },
      ),
      { numRuns: NUM_RUNS },
    )
  })

  it(`unknown events never change the status (${NUM_RUNS} runs)`, () => {
    const unknownArb = eventArb.map(({ id: _id, ...draft }) =>
      withEventId(CARRIER, NUMBER, { ...draft, code: `?${draft.code}`, status: 'unknown' }),
    )
    fc.assert(
      fc.property(chronologicalHistoryArb, fc.array(unknownArb, { maxLength: 10 }), (history, unknowns) => {
        const known = history.filter((event) => event.status !== 'unknown')
        // unknown scans go after the known ones of the same instant, so ties keep their order
        expect(deriveTrackingStatus(merged(known, unknowns))).toBe(deriveTrackingStatus(known))
        expect(deriveTrackingStatus(merged(history, unknowns))).toBe(deriveTrackingStatus(known))
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it(`a delivery is never undone by later scans other than a return (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(chronologicalHistoryArb, (history) => {
        const status = deriveTrackingStatus(history)
        const settled = history
          .filter((e) => e.status === 'delivered' || e.status === 'returned_to_sender')
          .at(-1)
        if (settled) expect(status).toBe(settled.status)
        else expect(['delivered', 'returned_to_sender']).not.toContain(status)
        if (history.every((e) => e.status === 'unknown')) expect(status).toBe('pending')
      }),
      { numRuns: NUM_RUNS },
    )
  })
})

describe('dropRepeatedEvents', () => {
  it('keeps the first of the scans a carrier sends twice, in the given order', () => {
    const reworded = { ...LIVRE, description: 'Delivered' }
    expect(dropRepeatedEvents([EN_TRANSIT, LIVRE, EN_TRANSIT, reworded, PRIS_EN_CHARGE])).toEqual([
      EN_TRANSIT,
      LIVRE,
      PRIS_EN_CHARGE,
    ])
  })
})
