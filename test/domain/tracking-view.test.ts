import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { consumerDeadlines } from '../../src/domain/consumer-deadlines.js'
import { ALERT_TYPES } from '../../src/domain/delay-alerts.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import { TRACKING_STATUSES } from '../../src/domain/tracking-status.js'
import { toTrackingView, trackingViewJson } from '../../src/domain/tracking-view.js'
import { anyEvent, anyText } from '../support/arbitraries.js'
import { propertyRuns } from '../support/property-runs.js'
import { registeredRecord } from '../support/tracking-record.js'

const text = anyText(40)
const json = fc.jsonValue({ maxDepth: 2 })
const timestamp = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((ms) => new Date(ms).toISOString())

const recordArb: fc.Arbitrary<TrackingRecord> = fc.record(
  {
    id: text,
    merchantId: text,
    carrier: text,
    trackingNumber: text,
    pageToken: text,
    status: fc.oneof(fc.constant('delivered' as const), fc.constantFrom(...TRACKING_STATUSES)),
    final: fc.boolean(),
    service: text,
    product: text,
    estimatedDelivery: text,
    estimatedDeliveryWindow: fc.record({ from: text, to: text }),
    promisedDeliveryDate: text,
    destinationPostalCode: fc.oneof(text, fc.constantFrom('75011', '57000', '97110', '98000')),
    deliveredAt: fc.oneof(text, timestamp),
    orderId: text,
    metadata: fc.dictionary(text, json, { maxKeys: 4 }),
    createdAt: text,
    updatedAt: text,
    lastCheckedAt: text,
    nextCheckAt: text,
    lastNewEventAt: text,
    lastError: fc.record({
      kind: fc.constantFrom('unavailable', 'unexpected_response', 'unauthorized'),
      message: text,
      at: text,
    }),
    stopped: fc.constantFrom('terminal', 'expired', 'invalid_number'),
    notFoundCount: fc.nat(),
    failureCount: fc.nat(),
    sequence: fc.nat(),
    alerts: fc.array(
      fc.record(
        {
          id: text,
          type: fc.constantFrom(...ALERT_TYPES),
          openedAt: text,
          resolvedAt: text,
          details: fc.dictionary(text, json, { maxKeys: 3 }),
        },
        { requiredKeys: ['id', 'type', 'openedAt', 'details'] },
      ),
      { maxLength: 3 },
    ),
    reportingLag: fc
      .tuple(fc.nat(100), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }))
      .map(([first, counts]) => [first, ...counts]),
  },
  {
    requiredKeys: [
      'id',
      'merchantId',
      'carrier',
      'trackingNumber',
      'pageToken',
      'status',
      'createdAt',
      'updatedAt',
      'lastNewEventAt',
      'notFoundCount',
      'failureCount',
      'sequence',
      'alerts',
    ],
  },
) as fc.Arbitrary<TrackingRecord>

describe('toTrackingView', () => {
  it('shows the delivery window the carrier booked', () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        expect(toTrackingView(record).estimatedDeliveryWindow).toEqual(record.estimatedDeliveryWindow)
      }),
      { numRuns: propertyRuns(100) },
    )
  })

  it("never shows the reporting lags the polls counted (the analytics' own)", () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const view = toTrackingView(record, [])
        expect(view).not.toHaveProperty('reportingLag')
        expect(JSON.parse(trackingViewJson(record, '[]'))).not.toHaveProperty('reportingLag')
      }),
      { numRuns: propertyRuns(100) },
    )
  })
})

describe("toTrackingView: the consumer's deadlines", () => {
  const DELIVERED_AT = '2025-12-11T15:00:00+01:00'
  const delivered = (overrides: Partial<TrackingRecord> = {}) =>
    registeredRecord({
      status: 'delivered',
      deliveredAt: DELIVERED_AT,
      destinationPostalCode: '57000',
      ...overrides,
    })

  it('shows them once the parcel is delivered, on the calendar of its destination', () => {
    expect(toTrackingView(delivered()).consumerDeadlines).toEqual({
      withdrawalUntil: '2025-12-29',
      carrierProtestUntil: '2025-12-14',
      conformityGuaranteeUntil: '2027-12-11',
    })
  })

  it("counts the merchant's longer withdrawal period when given one, 14 days otherwise", () => {
    const record = delivered()
    expect(toTrackingView(record, undefined, undefined, { withdrawalDays: 30 }).consumerDeadlines).toEqual(
      consumerDeadlines(DELIVERED_AT, { postalCode: '57000', withdrawalDays: 30 }),
    )
    expect(
      toTrackingView(record, undefined, undefined, { withdrawalDays: 30 }).consumerDeadlines?.withdrawalUntil,
    ).toBe('2026-01-12')
    expect(toTrackingView(record, undefined, undefined, {}).consumerDeadlines).toEqual(
      toTrackingView(record).consumerDeadlines,
    )
  })

  it('leaves them out before delivery, without a delivery time, and for a destination abroad', () => {
    for (const record of [
      delivered({ status: 'out_for_delivery' }),
      delivered({ status: 'returned_to_sender' }),
      delivered({ deliveredAt: undefined }),
      delivered({ destinationCountry: 'BE', destinationPostalCode: '1000' }),
    ]) {
      const view = toTrackingView(record)
      expect(view.consumerDeadlines).toBeUndefined()
      expect(JSON.stringify(view)).not.toContain('consumerDeadlines')
    }
  })
})

describe('trackingViewJson', () => {
  it('writes exactly JSON.stringify(toTrackingView(...)), the stored events text spliced in', () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.array(anyEvent(40), { maxLength: 25 }),
        fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
        fc.record({ withdrawalDays: fc.integer({ min: 14, max: 60 }) }, { requiredKeys: [] }),
        (record, events, nextDueAtMs, options) => {
          expect(trackingViewJson(record, JSON.stringify(events), nextDueAtMs, options)).toBe(
            JSON.stringify(toTrackingView(record, events, nextDueAtMs, options)),
          )
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })
})
