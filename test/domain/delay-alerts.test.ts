import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addCalendarDays, endOfParisDay, parisDateOf } from '../../src/domain/business-calendar.js'
import {
  ALERT_TYPES,
  type AlertInput,
  type AlertPolicy,
  type AlertType,
  alertPolicyFor,
  type CarrierAlertFacts,
  type DelayAlert,
  evaluateAlertConditions,
  nextAlertCheckAt,
  reconcileAlerts,
} from '../../src/domain/delay-alerts.js'
import { formatInZone, PARIS } from '../../src/domain/paris-time.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import type { TrackingEvent } from '../../src/domain/tracking-event.js'
import type { EventStatus, TrackingStatus } from '../../src/domain/tracking-status.js'
import { propertyRuns } from '../support/property-runs.js'

const SECOND_MS = 1000
const DAY_MS = 86_400_000
const OUVRABLES: AlertPolicy = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}
const OUVRES: AlertPolicy = { ...OUVRABLES, dayKind: 'ouvres' }

function record(overrides: Partial<TrackingRecord> = {}): TrackingRecord {
  return {
    id: 'trk_1',
    merchantId: 'mer_1',
    carrier: 'laposte',
    trackingNumber: '6A12345678901',
    pageToken: 'q3XLm0Wvv8Y2Ue_Ol-9b1A',
    status: 'in_transit',
    destinationPostalCode: '75011',
    createdAt: '2026-05-11T09:00:00+02:00',
    updatedAt: '2026-05-11T09:00:00+02:00',
    lastNewEventAt: '2026-05-11T09:00:00+02:00',
    notFoundCount: 0,
    failureCount: 0,
    sequence: 0,
    alerts: [],
    ...overrides,
  }
}

let eventCount = 0
function event(occurredAt: string, status: EventStatus, code = 'PC1'): TrackingEvent {
  eventCount++
  return { id: `evt_${eventCount}`, occurredAt, status, code, description: `${status} scan` }
}

function input(overrides: Partial<AlertInput> & { at: string }): AlertInput {
  const { at, ...rest } = overrides
  return { record: record(), events: [], policy: OUVRABLES, nowMs: Date.parse(at), ...rest }
}

function typesAt(alertInput: AlertInput): AlertType[] {
  return [...evaluateAlertConditions(alertInput).keys()]
}

describe('alertPolicyFor', () => {
  const carrier: CarrierAlertFacts = {
    id: 'acme',
    pickupHoldDays: 7,
    deliveryDays: { default: 'ouvres', byService: { standard: 'ouvrables' } },
  }

  it.each([
    ['standard', { stalledBusinessDays: 3, pickupHoldDays: 7, pickupNoticeDays: 2, dayKind: 'ouvrables' }],
    ['express', { stalledBusinessDays: 3, pickupHoldDays: 7, pickupNoticeDays: 2, dayKind: 'ouvres' }],
    [undefined, { stalledBusinessDays: 3, pickupHoldDays: 7, pickupNoticeDays: 2, dayKind: 'ouvres' }],
  ] as const)("takes the carrier's facts (service %s)", (service, policy) => {
    expect(alertPolicyFor(carrier, service)).toEqual(policy)
  })

  it('lets overrides win per carrier and per service; without a service the carrier id names it', () => {
    const overrides = {
      stalledBusinessDays: { acme: 2 },
      pickupHoldDays: { other: 15 },
      pickupNoticeDays: 3,
      dayKinds: { standard: 'ouvres' as const, acme: 'ouvrables' as const },
    }
    expect(alertPolicyFor(carrier, 'standard', overrides)).toEqual({
      stalledBusinessDays: 2,
      pickupHoldDays: 7,
      pickupNoticeDays: 3,
      dayKind: 'ouvres',
    })
    expect(alertPolicyFor({ ...carrier, id: 'other' }, 'express', overrides)).toEqual({
      stalledBusinessDays: 3,
      pickupHoldDays: 15,
      pickupNoticeDays: 3,
      dayKind: 'ouvres',
    })
    expect(alertPolicyFor(carrier, undefined, overrides).dayKind).toBe('ouvrables')
  })
})

describe('late', () => {
  // Wednesday 20 May 2026 ends at 22:00 UTC (Paris is UTC+2 in summer).
  const promised = record({ promisedDeliveryDate: '2026-05-20' })
  const events = [event('2026-05-18T08:00:00+02:00', 'in_transit')]

  it('opens exactly at the end of the promised day in Paris, not a second earlier', () => {
    expect(typesAt(input({ record: promised, events, at: '2026-05-20T21:59:59Z' }))).not.toContain('late')
    const conditions = evaluateAlertConditions(
      input({ record: promised, events, at: '2026-05-20T22:00:00Z' }),
    )
    expect(conditions.get('late')).toEqual({
      promisedDeliveryDate: '2026-05-20',
      lateSince: '2026-05-21T00:00:00+02:00',
    })
    expect(typesAt(input({ record: promised, events, at: '2026-05-20T22:00:01Z' }))).toContain('late')
  })

  it('uses the winter offset in December', () => {
    const december = record({ promisedDeliveryDate: '2026-12-01' })
    expect(typesAt(input({ record: december, at: '2026-12-01T22:59:59Z' }))).not.toContain('late')
    expect(typesAt(input({ record: december, at: '2026-12-01T23:00:00Z' }))).toContain('late')
  })

  it('resolves once the parcel is delivered, even after its promise', () => {
    const delivered = { ...promised, status: 'delivered' as const, deliveredAt: '2026-05-22T10:00:00+02:00' }
    const at = '2026-05-22T09:00:00Z'
    const recent = [event('2026-05-21T08:00:00+02:00', 'in_transit')]
    const late = reconcileAlerts(
      [],
      evaluateAlertConditions(input({ record: promised, events: recent, at })),
      at,
      () => 'a1',
    )
    expect(late.opened.map((alert) => alert.type)).toEqual(['late'])
    const after = reconcileAlerts(
      late.alerts,
      evaluateAlertConditions(input({ record: delivered, at })),
      at,
      () => 'a2',
    )
    expect(after.resolved.map((alert) => alert.type)).toEqual(['late'])
    expect(after.opened).toEqual([])
  })

  it('needs a promise', () => {
    expect(typesAt(input({ at: '2027-01-01T00:00:00Z' }))).not.toContain('late')
  })
})

describe('at_risk', () => {
  it.each([
    ['2026-05-21', true],
    ['2026-05-20', false],
    ['2026-05-19', false],
    ['2026-05-20T23:30:00Z', true],
    ['2026-05-20T21:30:00Z', false],
    ['2026-05-21T01:00:00+02:00', true],
    ['not a date', false],
  ])('estimate %s against a promise of 2026-05-20: %s', (estimatedDelivery, atRisk) => {
    const tracking = record({ promisedDeliveryDate: '2026-05-20', estimatedDelivery })
    const conditions = evaluateAlertConditions(input({ record: tracking, at: '2026-05-18T10:00:00Z' }))
    expect(conditions.has('at_risk')).toBe(atRisk)
    if (atRisk) {
      expect(conditions.get('at_risk')).toEqual({
        source: 'carrier_estimate',
        promisedDeliveryDate: '2026-05-20',
        estimatedDelivery,
      })
    }
  })

  it('is over once the parcel is delivered', () => {
    const tracking = record({
      status: 'delivered',
      promisedDeliveryDate: '2026-05-20',
      estimatedDelivery: '2026-05-22',
    })
    expect(typesAt(input({ record: tracking, at: '2026-05-18T10:00:00Z' }))).toEqual([])
  })
})

describe('stalled', () => {
  // Last scan on Friday 22 May 2026; Monday 25 May is Whit Monday; 27 May is a holiday in Guadeloupe.
  const events = [
    event('2026-05-21T18:00:00+02:00', 'in_transit'),
    event('2026-05-22T15:00:00+02:00', 'in_transit'),
  ]

  it.each([
    // policy, postal code, the last day that still counts, one second before its end (UTC)
    ['ouvrables', OUVRABLES, '75011', '2026-05-27T21:59:59Z'],
    ['ouvrés', OUVRES, '75011', '2026-05-28T21:59:59Z'],
    ['ouvrés in Guadeloupe', OUVRES, '97110', '2026-05-29T21:59:59Z'],
  ] as const)(
    'after 3 jours %s at %s, across a weekend and a holiday',
    (_, policy, postalCode, lastSecond) => {
      const tracking = record({ destinationPostalCode: postalCode })
      const before = Date.parse(lastSecond)
      const at = (nowMs: number) => evaluateAlertConditions({ record: tracking, events, policy, nowMs })
      expect(at(before).has('stalled')).toBe(false)
      expect(at(before + SECOND_MS).get('stalled')).toEqual({
        lastEventAt: '2026-05-22T15:00:00+02:00',
        businessDays: 3,
      })
      expect(nextAlertCheckAt({ record: tracking, events, policy, nowMs: before })).toBe(before + SECOND_MS)
    },
  )

  it('reads the postal code of a French destination only: a US ZIP code 97110 is not Guadeloupe', () => {
    const abroad = record({ destinationCountry: 'US', destinationPostalCode: '97110' })
    const lastSecond = Date.parse('2026-05-28T21:59:59Z')
    const at = (nowMs: number) => evaluateAlertConditions({ record: abroad, events, policy: OUVRES, nowMs })
    expect(at(lastSecond).has('stalled')).toBe(false)
    expect(at(lastSecond + SECOND_MS).has('stalled')).toBe(true)
  })

  it('counts from the registration when the carrier never scanned the parcel', () => {
    const pending = record({ status: 'pending', createdAt: '2026-05-04T10:00:00+02:00' })
    // Mon 4 May → Tue 5, Wed 6, Thu 7 (ouvrés): stalled from Friday 8 May 00:00 in Paris.
    const policy = OUVRES
    expect(typesAt(input({ record: pending, policy, at: '2026-05-07T21:59:59Z' }))).toEqual([])
    const conditions = evaluateAlertConditions(input({ record: pending, policy, at: '2026-05-07T22:00:00Z' }))
    expect(conditions.get('stalled')).toEqual({ lastEventAt: '2026-05-04T10:00:00+02:00', businessDays: 3 })
  })

  it('measures from the latest scan, whatever the order of the events', () => {
    const shuffled = [...events].reverse()
    const conditions = evaluateAlertConditions(input({ events: shuffled, at: '2026-06-30T10:00:00Z' }))
    expect(conditions.get('stalled')).toMatchObject({ lastEventAt: '2026-05-22T15:00:00+02:00' })
  })

  it.each(['delivered', 'expired', 'available_for_pickup'] as const)(
    'never holds for a %s parcel',
    (status) => {
      expect(
        typesAt(input({ record: record({ status }), events, at: '2026-09-01T10:00:00Z' })),
      ).not.toContain('stalled')
    },
  )

  it('never holds once a return is final, but does while it is on its way', () => {
    const onItsWay = record({ status: 'returned_to_sender' })
    const final = record({ status: 'returned_to_sender', final: true })
    expect(typesAt(input({ record: onItsWay, events, at: '2026-09-01T10:00:00Z' }))).toContain('stalled')
    expect(typesAt(input({ record: final, events, at: '2026-09-01T10:00:00Z' }))).not.toContain('stalled')
  })

  it('resolves when a new scan arrives, and a second stall is a new alert', () => {
    const at1 = '2026-05-29T10:00:00Z'
    const first = reconcileAlerts(
      [],
      evaluateAlertConditions(input({ events, at: at1 })),
      at1,
      () => 'stall-1',
    )
    const rescanned = [...events, event('2026-05-29T14:00:00+02:00', 'in_transit')]
    const at2 = '2026-05-29T13:00:00Z'
    const second = reconcileAlerts(
      first.alerts,
      evaluateAlertConditions(input({ events: rescanned, at: at2 })),
      at2,
      () => 'unused',
    )
    expect(second.resolved).toEqual([{ ...first.opened[0], resolvedAt: at2 }])
    const at3 = '2026-06-30T10:00:00Z'
    const third = reconcileAlerts(
      second.alerts,
      evaluateAlertConditions(input({ events: rescanned, at: at3 })),
      at3,
      () => 'stall-2',
    )
    expect(third.opened.map((alert) => alert.id)).toEqual(['stall-2'])
    expect(third.alerts.map((alert) => [alert.id, alert.resolvedAt])).toEqual([
      ['stall-1', at2],
      ['stall-2', undefined],
    ])
  })
})

describe('status alerts', () => {
  it.each([
    ['exception', 'exception', 'RSTBRT'],
    ['failed_attempt', 'failed_attempt', 'AAR'],
    ['returned', 'returned_to_sender', 'RE1'],
  ] as const)('%s holds while the tracking is %s, with the event that caused it', (type, status, code) => {
    const cause = event('2026-05-12T10:00:00+02:00', status, code)
    const earlier = event('2026-05-11T10:00:00+02:00', status, 'OLD')
    const events = [event('2026-05-11T08:00:00+02:00', 'in_transit'), earlier, cause]
    const conditions = evaluateAlertConditions(
      input({ record: record({ status }), events, at: '2026-05-12T10:00:00Z' }),
    )
    expect(conditions.get(type)).toEqual({ eventId: cause.id, code, description: cause.description })

    const moving = [...events, event('2026-05-13T07:00:00+02:00', 'in_transit')]
    const later = input({
      record: record({ status: 'in_transit' }),
      events: moving,
      at: '2026-05-13T06:00:00Z',
    })
    expect(typesAt(later)).not.toContain(type)
  })

  it('keeps `returned` for a final return', () => {
    const returned = record({ status: 'returned_to_sender', final: true })
    expect(typesAt(input({ record: returned, at: '2026-05-12T10:00:00Z' }))).toEqual(['returned'])
  })
})

describe('pickup_expiring', () => {
  const arrived = event('2026-05-05T10:00:00+02:00', 'available_for_pickup', 'AG1')
  const events = [
    event('2026-05-04T09:00:00+02:00', 'in_transit'),
    arrived,
    event('2026-05-07T09:00:00+02:00', 'unknown', 'ZZZ'),
    event('2026-05-08T09:00:00+02:00', 'available_for_pickup', 'AG1'),
  ]
  const waiting = record({ status: 'available_for_pickup' })

  it('opens at 09:00 two days before the last collection day, counted from the first pickup scan', () => {
    // Arrived on 5 May, kept 10 days after it: the 15th is the last day, the alert opens on the 13th.
    expect(typesAt(input({ record: waiting, events, at: '2026-05-13T06:59:59Z' }))).toEqual([])
    const conditions = evaluateAlertConditions(input({ record: waiting, events, at: '2026-05-13T07:00:00Z' }))
    expect(conditions.get('pickup_expiring')).toEqual({
      waitingSince: arrived.occurredAt,
      holdDays: 10,
      lastCollectionDay: '2026-05-15',
    })
    expect(nextAlertCheckAt(input({ record: waiting, events, at: '2026-05-10T08:00:00Z' }))).toBe(
      Date.parse('2026-05-13T09:00:00+02:00'),
    )
  })

  it("uses the carrier's hold days", () => {
    const policy = alertPolicyFor(
      { id: 'acme', pickupHoldDays: 7, deliveryDays: { default: 'ouvres' } },
      undefined,
    )
    expect(typesAt(input({ record: waiting, events, policy, at: '2026-05-10T06:59:59Z' }))).toEqual([])
    expect(
      evaluateAlertConditions(input({ record: waiting, events, policy, at: '2026-05-10T07:00:00Z' })).get(
        'pickup_expiring',
      ),
    ).toEqual({ waitingSince: arrived.occurredAt, holdDays: 7, lastCollectionDay: '2026-05-12' })
  })

  /** When pickup_expiring opens for a parcel that reached its pickup point at `arrivedAt`. */
  function opening(arrivedAt: string, pickupHoldDays: number, pickupNoticeDays: number) {
    const policy: AlertPolicy = { ...OUVRABLES, pickupHoldDays, pickupNoticeDays }
    const alertInput = input({
      record: waiting,
      events: [event(arrivedAt, 'available_for_pickup', 'AG1')],
      policy,
      at: arrivedAt,
    })
    const opensAt = nextAlertCheckAt({ ...alertInput, nowMs: alertInput.nowMs - 1 }) ?? Number.NaN
    expect(evaluateAlertConditions({ ...alertInput, nowMs: opensAt - 1 }).has('pickup_expiring')).toBe(false)
    const details = evaluateAlertConditions({ ...alertInput, nowMs: opensAt }).get('pickup_expiring')
    return { opensAt, details }
  }

  it.each([
    {
      name: 'Mondial Relay, arrived in the evening (summer time ends on the 26th, after the alert)',
      arrivedAt: '2025-10-22T18:00:00+02:00',
      holdDays: 5,
      noticeDays: 2,
      opensAt: '2025-10-25T09:00:00+02:00',
      lastCollectionDay: '2025-10-27',
    },
    {
      name: 'a 1-day hold: at the arrival',
      arrivedAt: '2026-05-05T18:00:00+02:00',
      holdDays: 1,
      noticeDays: 2,
      opensAt: '2026-05-05T18:00:00+02:00',
      lastCollectionDay: '2026-05-06',
    },
    {
      name: 'notice day = arrival day, arrived after 09:00: at the arrival',
      arrivedAt: '2026-05-05T10:00:00+02:00',
      holdDays: 2,
      noticeDays: 2,
      opensAt: '2026-05-05T10:00:00+02:00',
      lastCollectionDay: '2026-05-07',
    },
    {
      name: 'notice day = arrival day, arrived before 09:00: at 09:00',
      arrivedAt: '2026-05-05T07:30:00+02:00',
      holdDays: 2,
      noticeDays: 2,
      opensAt: '2026-05-05T09:00:00+02:00',
      lastCollectionDay: '2026-05-07',
    },
    {
      name: 'no notice: 09:00 on the last day',
      arrivedAt: '2026-05-05T18:00:00+02:00',
      holdDays: 10,
      noticeDays: 0,
      opensAt: '2026-05-15T09:00:00+02:00',
      lastCollectionDay: '2026-05-15',
    },
    {
      name: 'summer time starts inside the window',
      arrivedAt: '2026-03-25T10:00:00+01:00',
      holdDays: 10,
      noticeDays: 2,
      opensAt: '2026-04-02T09:00:00+02:00',
      lastCollectionDay: '2026-04-04',
    },
    {
      name: 'summer time ends inside the window',
      arrivedAt: '2026-10-20T18:00:00+02:00',
      holdDays: 10,
      noticeDays: 2,
      opensAt: '2026-10-28T09:00:00+01:00',
      lastCollectionDay: '2026-10-30',
    },
    {
      name: 'arrived after midnight in Paris, still the day before in UTC',
      arrivedAt: '2026-05-06T00:30:00+02:00',
      holdDays: 5,
      noticeDays: 2,
      opensAt: '2026-05-09T09:00:00+02:00',
      lastCollectionDay: '2026-05-11',
    },
  ])('$name', ({ arrivedAt, holdDays, noticeDays, opensAt, lastCollectionDay }) => {
    expect(opening(arrivedAt, holdDays, noticeDays)).toEqual({
      opensAt: Date.parse(opensAt),
      details: { waitingSince: arrivedAt, holdDays, lastCollectionDay },
    })
  })

  it('opens before the end of the last collection day and never before the arrival', () => {
    const from = Date.parse('2025-01-01T00:00:00Z')
    const to = Date.parse('2028-12-31T00:00:00Z')
    fc.assert(
      fc.property(
        fc.integer({ min: from, max: to }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 0, max: 5 }),
        (arrivedMs, holdDays, noticeDays) => {
          const arrivedAt = formatInZone(Math.floor(arrivedMs / 1000) * 1000, PARIS)
          const { opensAt, details } = opening(arrivedAt, holdDays, noticeDays)
          const lastCollectionDay = addCalendarDays(parisDateOf(Date.parse(arrivedAt)), holdDays)
          expect(details).toEqual({ waitingSince: arrivedAt, holdDays, lastCollectionDay })
          expect(opensAt).toBeGreaterThanOrEqual(Date.parse(arrivedAt))
          expect(opensAt).toBeLessThan(endOfParisDay(lastCollectionDay))
          // At the arrival, or at 09:00 Paris on the notice day.
          const opensOn = formatInZone(opensAt, PARIS)
          if (opensAt !== Date.parse(arrivedAt)) {
            expect(opensOn).toMatch(/T09:00:00/)
            expect(opensOn.slice(0, 10)).toBe(addCalendarDays(lastCollectionDay, -noticeDays))
          }
        },
      ),
      { numRuns: propertyRuns(200) },
    )
  })

  it('starts a new wait after another delivery attempt', () => {
    const again = event('2026-05-20T11:00:00+02:00', 'available_for_pickup', 'AG1')
    const retried = [...events, event('2026-05-19T08:00:00+02:00', 'out_for_delivery'), again]
    const conditions = evaluateAlertConditions(
      input({ record: waiting, events: retried, at: '2026-06-01T10:00:00Z' }),
    )
    expect(conditions.get('pickup_expiring')).toEqual({
      waitingSince: again.occurredAt,
      holdDays: 10,
      lastCollectionDay: '2026-05-30',
    })
  })

  it('resolves once the parcel is collected', () => {
    const collected = record({ status: 'delivered' })
    expect(typesAt(input({ record: collected, events, at: '2026-06-01T10:00:00Z' }))).toEqual([])
  })
})

describe('reconcileAlerts', () => {
  const NOW = '2026-05-20T10:00:00+02:00'
  const LATER = '2026-05-21T10:00:00+02:00'
  const ids = () => {
    let next = 0
    return (type: AlertType) => `alt_${type}_${++next}`
  }

  it('opens one alert per holding condition, in ALERT_TYPES order', () => {
    const conditions = new Map<AlertType, Record<string, unknown>>([
      ['stalled', { businessDays: 3 }],
      ['late', { promisedDeliveryDate: '2026-05-19' }],
    ])
    const result = reconcileAlerts([], conditions, NOW, ids())
    expect(result.opened).toEqual([
      { id: 'alt_late_1', type: 'late', openedAt: NOW, details: { promisedDeliveryDate: '2026-05-19' } },
      { id: 'alt_stalled_2', type: 'stalled', openedAt: NOW, details: { businessDays: 3 } },
    ])
    expect(result.alerts).toEqual(result.opened)
    expect(result.resolved).toEqual([])
  })

  it('leaves an open alert untouched, details included, while its condition holds', () => {
    const first = reconcileAlerts([], new Map([['late', { n: 1 }]]), NOW, ids())
    const again = reconcileAlerts(first.alerts, new Map([['late', { n: 2 }]]), LATER, ids())
    expect(again).toEqual({ alerts: first.alerts, opened: [], resolved: [] })
  })

  it('resolves an alert whose condition is gone, once', () => {
    const first = reconcileAlerts([], new Map([['exception', {}]]), NOW, ids())
    const cleared = reconcileAlerts(first.alerts, new Map(), LATER, ids())
    expect(cleared.resolved).toEqual([{ ...first.opened[0], resolvedAt: LATER }])
    const still = reconcileAlerts(cleared.alerts, new Map(), '2026-05-22T10:00:00+02:00', ids())
    expect(still).toEqual({ alerts: cleared.alerts, opened: [], resolved: [] })
  })

  it('closes a duplicate open alert of one type should the input hold one', () => {
    const open = (id: string): DelayAlert => ({ id, type: 'late', openedAt: NOW, details: {} })
    const result = reconcileAlerts([open('a'), open('b')], new Map([['late', {}]]), LATER, ids())
    expect(result.alerts).toEqual([open('a'), { ...open('b'), resolvedAt: LATER }])
    expect(result.opened).toEqual([])
  })

  it('does not change its input', () => {
    const first = reconcileAlerts([], new Map([['late', {}]]), NOW, ids())
    const snapshot = structuredClone(first.alerts)
    reconcileAlerts(first.alerts, new Map(), LATER, ids())
    expect(first.alerts).toEqual(snapshot)
  })

  const conditionSets = fc.array(fc.subarray([...ALERT_TYPES]), { minLength: 1, maxLength: 12 })
  const toConditions = (types: AlertType[]) => new Map(types.map((type) => [type, { type }] as const))

  it('changes nothing when the same conditions are reconciled twice', () => {
    fc.assert(
      fc.property(conditionSets, (steps) => {
        let alerts: DelayAlert[] = []
        steps.forEach((types, index) => {
          const nowIso = new Date(Date.UTC(2026, 4, 1) + index * DAY_MS).toISOString()
          alerts = reconcileAlerts(alerts, toConditions(types), nowIso, ids()).alerts
          const repeat = reconcileAlerts(alerts, toConditions(types), `${nowIso}+1`, ids())
          expect(repeat).toEqual({ alerts, opened: [], resolved: [] })
        })
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('keeps one open alert per holding type, never reopens or rewrites history', () => {
    fc.assert(
      fc.property(conditionSets, (steps) => {
        let alerts: DelayAlert[] = []
        const newId = ids()
        steps.forEach((types, index) => {
          const nowIso = new Date(Date.UTC(2026, 4, 1) + index * DAY_MS).toISOString()
          const result = reconcileAlerts(alerts, toConditions(types), nowIso, newId)
          expect(result.alerts.slice(0, alerts.length).filter((_, i) => alerts[i]?.resolvedAt)).toEqual(
            alerts.filter((alert) => alert.resolvedAt),
          )
          alerts = result.alerts
          const open = alerts.filter((alert) => alert.resolvedAt === undefined).map((alert) => alert.type)
          expect(open.sort()).toEqual([...types].sort())
          expect(new Set(alerts.map((alert) => alert.id)).size).toBe(alerts.length)
        })
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})

describe('nextAlertCheckAt', () => {
  // Promise Wednesday 20 May; last scan Monday 18 May; 3 jours ouvrables → stalled after Thursday 21.
  const tracking = record({ promisedDeliveryDate: '2026-05-20' })
  const events = [event('2026-05-18T10:00:00+02:00', 'in_transit')]
  const endOf20 = Date.parse('2026-05-20T22:00:00Z')
  const endOf21 = Date.parse('2026-05-21T22:00:00Z')

  it.each([
    ['2026-05-19T12:00:00Z', endOf20],
    ['2026-05-20T21:59:59Z', endOf20],
    ['2026-05-20T22:00:00Z', endOf21],
    ['2026-05-21T22:00:00Z', undefined],
  ])('at %s → %s', (at, expected) => {
    expect(nextAlertCheckAt(input({ record: tracking, events, at }))).toBe(expected)
  })

  it('has nothing to wait for once the parcel is delivered', () => {
    const delivered = record({ status: 'delivered', promisedDeliveryDate: '2026-05-20' })
    expect(nextAlertCheckAt(input({ record: delivered, events, at: '2026-05-19T12:00:00Z' }))).toBeUndefined()
  })

  const statuses: TrackingStatus[] = [
    'pending',
    'in_transit',
    'available_for_pickup',
    'delivered',
    'exception',
  ]
  const scenarios = fc.record({
    status: fc.constantFrom(...statuses),
    promiseDay: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
    scanOffsetsMs: fc.array(fc.integer({ min: 0, max: 30 * DAY_MS }), { maxLength: 3 }),
    nowOffsetMs: fc.integer({ min: 0, max: 60 * DAY_MS }),
    policy: fc.record({
      stalledBusinessDays: fc.integer({ min: 0, max: 6 }),
      pickupHoldDays: fc.integer({ min: 1, max: 12 }),
      pickupNoticeDays: fc.integer({ min: 0, max: 3 }),
      dayKind: fc.constantFrom('ouvrables' as const, 'ouvres' as const),
    }),
    postalCode: fc.constantFrom('75011', '67000', '97110'),
  })

  it('no condition changes before the instant it gives, and one does at it', () => {
    const origin = Date.parse('2026-03-20T00:00:00+01:00')
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const promisedDeliveryDate =
          scenario.promiseDay === undefined
            ? undefined
            : new Date(origin + scenario.promiseDay * DAY_MS).toISOString().slice(0, 10)
        const alertInput: AlertInput = {
          record: record({
            status: scenario.status,
            createdAt: new Date(origin).toISOString(),
            lastNewEventAt: new Date(origin).toISOString(),
            destinationPostalCode: scenario.postalCode,
            ...(promisedDeliveryDate ? { promisedDeliveryDate } : {}),
          }),
          events: scenario.scanOffsetsMs.map((offset) =>
            event(new Date(origin + offset).toISOString(), 'available_for_pickup'),
          ),
          nowMs: origin + scenario.nowOffsetMs,
          policy: scenario.policy,
        }
        const next = nextAlertCheckAt(alertInput)
        const now = typesAt(alertInput)
        if (next === undefined) {
          expect(typesAt({ ...alertInput, nowMs: alertInput.nowMs + 400 * DAY_MS })).toEqual(now)
          return
        }
        expect(next).toBeGreaterThan(alertInput.nowMs)
        expect(typesAt({ ...alertInput, nowMs: next - 1 })).toEqual(now)
        expect(typesAt({ ...alertInput, nowMs: next }).length).toBeGreaterThan(now.length)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
