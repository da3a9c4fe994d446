import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ALERT_TYPES } from '../../src/domain/delay-alerts.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import { TRACKING_STATUSES } from '../../src/domain/tracking-status.js'
import { toTrackingView, trackingViewJson } from '../../src/domain/tracking-view.js'
import { anyEvent, anyText } from '../support/arbitraries.js'

const text = anyText(40)
const json = fc.jsonValue({ maxDepth: 2 })

const recordArb: fc.Arbitrary<TrackingRecord> = fc.record(
  {
    id: text,
    merchantId: text,
    carrier: text,
    trackingNumber: text,
    pageToken: text,
    status: fc.constantFrom(...TRACKING_STATUSES),
    final: fc.boolean(),
    service: text,
    product: text,
    estimatedDelivery: text,
    estimatedDeliveryWindow: fc.record({ from: text, to: text }),
    promisedDeliveryDate: text,
    destinationPostalCode: text,
    deliveredAt: text,
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
      { numRuns: 100 },
    )
  })
})

describe('trackingViewJson', () => {
  it('writes exactly JSON.stringify(toTrackingView(...)), the stored events text spliced in', () => {
    fc.assert(
      fc.property(
        recordArb,
        fc.array(anyEvent(40), { maxLength: 25 }),
        fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
        (record, events, nextDueAtMs) => {
          expect(trackingViewJson(record, JSON.stringify(events), nextDueAtMs)).toBe(
            JSON.stringify(toTrackingView(record, events, nextDueAtMs)),
          )
        },
      ),
      { numRuns: 1000 },
    )
  })
})
