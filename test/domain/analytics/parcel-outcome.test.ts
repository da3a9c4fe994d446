import { describe, expect, it } from 'vitest'
import type { DelayAlert } from '../../../src/domain/alert.js'
import { destinationCellOf, isoWeekOf } from '../../../src/domain/analytics/analytics-cell.js'
import { countOf, emptyHistogram, HOUR_BUCKETS, quantileOf } from '../../../src/domain/analytics/histogram.js'
import {
  type OutcomeFacts,
  type ParcelMetrics,
  parcelOutcome,
} from '../../../src/domain/analytics/parcel-outcome.js'
import type { TrackingRecord } from '../../../src/domain/tracking.js'
import type { TrackingEvent } from '../../../src/domain/tracking-event.js'
import type { EventStatus } from '../../../src/domain/tracking-status.js'

const WEEKDAYS: OutcomeFacts = { deliveryDays: { default: 'ouvres' } }
const WITH_SATURDAYS: OutcomeFacts = { deliveryDays: { default: 'ouvrables' } }

function delivered(overrides: Partial<TrackingRecord> = {}): TrackingRecord {
  return {
    id: 'trk_1',
    merchantId: 'shop-a',
    carrier: 'acme',
    trackingNumber: 'AC123',
    pageToken: 'q3XLm0Wvv8Y2Ue_Ol-9b1A',
    status: 'delivered',
    stopped: 'terminal',
    service: 'express',
    destinationPostalCode: '75011',
    createdAt: '2026-03-02T09:00:00+01:00',
    updatedAt: '2026-03-04T11:00:00+01:00',
    lastNewEventAt: '2026-03-04T11:00:00+01:00',
    notFoundCount: 0,
    failureCount: 0,
    sequence: 4,
    alerts: [],
    ...overrides,
  }
}

let eventCount = 0
function scan(occurredAt: string, status: EventStatus): TrackingEvent {
  eventCount++
  return { id: `evt_${eventCount}`, occurredAt, status, code: status.toUpperCase(), description: status }
}

/** A parcel's first scan is its handover, its second its delivery. */
function handedOverThenDelivered(handedOverAt: string, deliveredAt: string) {
  return { events: [scan(handedOverAt, 'in_transit'), scan(deliveredAt, 'delivered')], handedOverAt }
}

const LABEL = scan('2026-03-02T08:00:00+01:00', 'info_received')
const HANDOVER = scan('2026-03-02T18:00:00+01:00', 'in_transit')
const OUT = scan('2026-03-04T07:00:00+01:00', 'out_for_delivery')
const DELIVERED = scan('2026-03-04T11:00:00+01:00', 'delivered')
const JOURNEY = [LABEL, HANDOVER, OUT, DELIVERED]

/** What a plain delivered parcel records, for the rows below to override. */
const PLAIN: ParcelMetrics = {
  outcome: 'delivered',
  transitBusinessDays: 2,
  transitHours: 41,
  firstScanLagHours: 9,
  firstAttemptSuccess: true,
  atPickupPoint: false,
  returned: false,
  exception: false,
  stalled: false,
  reportingLag: emptyHistogram(HOUR_BUCKETS),
}

const stalledAlert: DelayAlert = {
  id: 'alt_1',
  type: 'stalled',
  openedAt: '2026-03-09T00:00:00+01:00',
  resolvedAt: '2026-03-10T08:00:00+01:00',
  details: {},
}

interface Row {
  name: string
  record: TrackingRecord
  events: TrackingEvent[]
  facts?: OutcomeFacts
  handedOverAt?: string
  week?: string
  metrics: ParcelMetrics
}

const ROWS: Row[] = [
  {
    name: 'delivered on time',
    record: delivered({ promisedDeliveryDate: '2026-03-05' }),
    events: JOURNEY,
    metrics: { ...PLAIN, onTime: true },
  },
  {
    name: 'delivered on the promised day',
    record: delivered({ promisedDeliveryDate: '2026-03-04' }),
    events: JOURNEY,
    metrics: { ...PLAIN, onTime: true },
  },
  {
    name: 'delivered late',
    record: delivered({ promisedDeliveryDate: '2026-03-03' }),
    events: JOURNEY,
    metrics: { ...PLAIN, onTime: false },
  },
  {
    name: 'delivered without a promise: no on-time answer',
    record: delivered(),
    events: JOURNEY,
    metrics: PLAIN,
  },
  {
    name: 'collected at a pickup point after a failed attempt',
    record: delivered({ promisedDeliveryDate: '2026-03-06' }),
    events: [
      LABEL,
      HANDOVER,
      OUT,
      scan('2026-03-04T12:00:00+01:00', 'failed_attempt'),
      scan('2026-03-05T10:00:00+01:00', 'available_for_pickup'),
      scan('2026-03-07T15:00:00+01:00', 'delivered'),
    ],
    metrics: {
      ...PLAIN,
      transitBusinessDays: 5,
      transitHours: 117,
      onTime: false,
      firstAttemptSuccess: false,
      atPickupPoint: true,
      collectionHours: 53,
    },
  },
  {
    name: 'returned to the sender, with an exception on the way',
    record: delivered({ status: 'returned_to_sender', final: true }),
    events: [
      LABEL,
      HANDOVER,
      scan('2026-03-03T09:00:00+01:00', 'exception'),
      scan('2026-03-05T09:00:00+01:00', 'returned_to_sender'),
    ],
    metrics: {
      outcome: 'returned',
      firstScanLagHours: 9,
      firstAttemptSuccess: false,
      atPickupPoint: false,
      returned: true,
      exception: true,
      stalled: false,
      reportingLag: emptyHistogram(HOUR_BUCKETS),
    },
  },
  {
    name: 'expired after a stall',
    record: delivered({ status: 'expired', stopped: 'expired', alerts: [stalledAlert] }),
    events: [LABEL, HANDOVER],
    metrics: {
      outcome: 'expired',
      firstScanLagHours: 9,
      firstAttemptSuccess: false,
      atPickupPoint: false,
      returned: false,
      exception: false,
      stalled: true,
      reportingLag: emptyHistogram(HOUR_BUCKETS),
    },
  },
  {
    name: 'handed over on the Friday before Whit Monday: the holiday is no business day',
    record: delivered({ createdAt: '2026-05-22T09:00:00+02:00' }),
    ...handedOverThenDelivered('2026-05-22T17:00:00+02:00', '2026-05-26T10:00:00+02:00'),
    week: '2026-W21',
    metrics: { ...PLAIN, transitBusinessDays: 1, transitHours: 89, firstScanLagHours: 8 },
  },
  {
    name: 'the same parcel with a carrier that delivers on Saturdays',
    record: delivered({ createdAt: '2026-05-22T09:00:00+02:00' }),
    ...handedOverThenDelivered('2026-05-22T17:00:00+02:00', '2026-05-26T10:00:00+02:00'),
    facts: WITH_SATURDAYS,
    week: '2026-W21',
    metrics: { ...PLAIN, transitBusinessDays: 2, transitHours: 89, firstScanLagHours: 8 },
  },
  {
    name: 'to Metz: 26 December is a holiday in Moselle',
    record: delivered({ destinationPostalCode: '57000', createdAt: '2026-12-24T08:00:00+01:00' }),
    ...handedOverThenDelivered('2026-12-24T10:00:00+01:00', '2026-12-28T10:00:00+01:00'),
    facts: WITH_SATURDAYS,
    week: '2026-W52',
    metrics: { ...PLAIN, transitBusinessDays: 1, transitHours: 96, firstScanLagHours: 2 },
  },
  {
    name: 'to Paris the same days: 26 December is a business day there',
    record: delivered({ createdAt: '2026-12-24T08:00:00+01:00' }),
    ...handedOverThenDelivered('2026-12-24T10:00:00+01:00', '2026-12-28T10:00:00+01:00'),
    facts: WITH_SATURDAYS,
    week: '2026-W52',
    metrics: { ...PLAIN, transitBusinessDays: 2, transitHours: 96, firstScanLagHours: 2 },
  },
  {
    name: 'events given out of order',
    record: delivered({ promisedDeliveryDate: '2026-03-05' }),
    events: [DELIVERED, OUT, LABEL, HANDOVER],
    metrics: { ...PLAIN, onTime: true },
  },
  {
    name: 'only label events, never scanned: no handover, no transit, the week of registration',
    record: delivered({ status: 'expired', stopped: 'expired', createdAt: '2026-02-27T09:00:00+01:00' }),
    events: [LABEL, scan('2026-03-03T08:00:00+01:00', 'info_received')],
    handedOverAt: undefined,
    week: '2026-W09',
    metrics: {
      outcome: 'expired',
      firstAttemptSuccess: false,
      atPickupPoint: false,
      returned: false,
      exception: false,
      stalled: false,
      reportingLag: emptyHistogram(HOUR_BUCKETS),
    },
  },
  {
    name: 'an unmapped scan before the first real one is no handover',
    record: delivered(),
    events: [LABEL, scan('2026-03-02T12:00:00+01:00', 'unknown'), HANDOVER, OUT, DELIVERED],
    metrics: PLAIN,
  },
  {
    name: 'registered after the carrier had it: no first-scan lag',
    record: delivered({ createdAt: '2026-03-03T09:00:00+01:00' }),
    events: JOURNEY,
    metrics: { ...PLAIN, firstScanLagHours: undefined },
  },
  {
    name: 'handed over on 29 December 2025: week 1 of 2026',
    record: delivered({ createdAt: '2025-12-29T08:00:00+01:00' }),
    ...handedOverThenDelivered('2025-12-29T16:00:00+01:00', '2025-12-31T16:00:00+01:00'),
    week: '2026-W01',
    metrics: { ...PLAIN, transitBusinessDays: 2, transitHours: 48, firstScanLagHours: 8 },
  },
]

describe('parcelOutcome', () => {
  it.each(ROWS)('$name', (row) => {
    const outcome = parcelOutcome(row.record, row.events, row.facts ?? WEEKDAYS)
    const expectedMetrics = Object.fromEntries(
      Object.entries(row.metrics).filter(([, value]) => value !== undefined),
    )
    expect(outcome?.metrics).toStrictEqual(expectedMetrics)
    expect(outcome?.handedOverAt).toBe('handedOverAt' in row ? row.handedOverAt : HANDOVER.occurredAt)
    expect(outcome?.cell).toEqual({
      merchantId: 'shop-a',
      carrier: 'acme',
      service: 'express',
      destination: row.record.destinationPostalCode === '57000' ? 'FR-57' : 'FR-75',
      week: row.week ?? '2026-W10',
    })
  })

  it('records nothing while the parcel is not terminal, nor for a number the carrier rejected', () => {
    for (const record of [
      delivered({ status: 'in_transit', stopped: undefined }),
      delivered({ status: 'returned_to_sender', stopped: undefined }),
      delivered({ status: 'pending', stopped: 'invalid_number' }),
    ]) {
      expect(parcelOutcome(record, JOURNEY, WEEKDAYS)).toBeUndefined()
    }
  })

  it('counts in the day kind of the service, as the carrier declares it', () => {
    const record = delivered({ createdAt: '2026-05-22T09:00:00+02:00', service: 'Samedi' })
    const events = [
      scan('2026-05-22T17:00:00+02:00', 'in_transit'),
      scan('2026-05-26T10:00:00+02:00', 'delivered'),
    ]
    const facts: OutcomeFacts = { deliveryDays: { default: 'ouvres', byService: { samedi: 'ouvrables' } } }
    expect(parcelOutcome(record, events, facts)?.metrics.transitBusinessDays).toBe(2)
    expect(
      parcelOutcome(record, events, { ...facts, dayKinds: { samedi: 'ouvres' } })?.metrics
        .transitBusinessDays,
    ).toBe(1)
  })

  it('counts the delivery day as one when it is no business day of the carrier', () => {
    const events = [
      scan('2026-03-06T17:00:00+01:00', 'in_transit'),
      scan('2026-03-07T11:00:00+01:00', 'delivered'),
    ]
    expect(parcelOutcome(delivered(), events, WEEKDAYS)?.metrics.transitBusinessDays).toBe(1)
    const sameDay = [
      scan('2026-03-06T08:00:00+01:00', 'in_transit'),
      scan('2026-03-06T17:00:00+01:00', 'delivered'),
    ]
    expect(parcelOutcome(delivered(), sameDay, WEEKDAYS)?.metrics.transitBusinessDays).toBe(0)
  })

  it('names the service, else the product, else a dash', () => {
    const cellOf = (record: TrackingRecord) => parcelOutcome(record, JOURNEY, WEEKDAYS)?.cell.service
    expect(cellOf(delivered({ service: undefined, product: 'parcel-plus' }))).toBe('parcel-plus')
    expect(cellOf(delivered({ service: undefined }))).toBe('-')
  })

  it('adds the reporting lags the polls counted on the record, each read to its bucket', () => {
    // Two lags in [0.25 h, 0.5 h), one in [2 h, 3 h).
    const outcome = parcelOutcome(delivered({ reportingLag: [1, 2, 0, 0, 0, 1] }), JOURNEY, WEEKDAYS)
    const lag = outcome?.metrics.reportingLag
    expect(lag && countOf(lag)).toBe(3)
    expect(lag && quantileOf(lag, 0)).toBe(0.25)
    expect(lag && quantileOf(lag, 0.5)).toBeCloseTo(0.4375, 9)
    expect(lag && quantileOf(lag, 1)).toBe(3)
    expect(lag?.sumMilli).toBe(2 * 375 + 2500)
  })
})

describe('destinationCellOf', () => {
  it.each([
    [{ destinationPostalCode: '75011' }, 'FR-75'],
    [{ destinationPostalCode: '75 011' }, 'FR-75'],
    [{ destinationCountry: 'FR', destinationPostalCode: '01000' }, 'FR-01'],
    [{ destinationPostalCode: '20000' }, 'FR-2A'],
    [{ destinationPostalCode: '20167' }, 'FR-2A'],
    [{ destinationPostalCode: '20200' }, 'FR-2B'],
    [{ destinationPostalCode: '20600' }, 'FR-2B'],
    [{ destinationPostalCode: '97110' }, 'FR-971'],
    [{ destinationPostalCode: '97600' }, 'FR-976'],
    [{ destinationCountry: 'GP', destinationPostalCode: '97110' }, 'FR-971'],
    [{ destinationCountry: 'RE' }, 'FR-974'],
    [{ destinationPostalCode: '98000' }, 'MC'],
    [{ destinationCountry: 'MC', destinationPostalCode: '98000' }, 'MC'],
    [{ destinationCountry: 'NC', destinationPostalCode: '98800' }, 'NC'],
    [{}, 'FR'],
    [{ destinationPostalCode: 'unknown' }, 'FR'],
    [{ destinationCountry: 'be', destinationPostalCode: '1000' }, 'BE'],
    [{ destinationCountry: 'DE', destinationPostalCode: '75011' }, 'DE'],
  ])('%o is %s', (destination, cell) => {
    expect(destinationCellOf(destination)).toBe(cell)
  })
})

describe('isoWeekOf', () => {
  it.each([
    ['2025-12-28', '2025-W52'],
    ['2025-12-29', '2026-W01'],
    ['2026-01-04', '2026-W01'],
    ['2026-01-05', '2026-W02'],
    ['2026-03-02', '2026-W10'],
    ['2027-01-01', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2021-01-03', '2020-W53'],
  ])('%s is in %s', (date, week) => {
    expect(isoWeekOf(date)).toBe(week)
  })
})
