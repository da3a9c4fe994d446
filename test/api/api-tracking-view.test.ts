import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { apiTrackingViewJson, toApiTrackingView } from '../../src/api/api-tracking-view.js'
import { FORECAST_LEVELS } from '../../src/domain/forecast/forecast-model.js'
import { TRACKING_STATUSES } from '../../src/domain/tracking-status.js'
import { anyEvent } from '../support/arbitraries.js'
import { propertyRuns } from '../support/property-runs.js'
import { registeredRecord } from '../support/tracking-record.js'

const FORECAST = fc.record({
  from: fc.constant('2026-12-02'),
  to: fc.constant('2026-12-04'),
  mostLikely: fc.constant('2026-12-03'),
  probability: fc.constant(0.8),
  basis: fc.record({ level: fc.constantFrom(...FORECAST_LEVELS), samples: fc.nat() }),
})

const token = fc.base64String({ minLength: 24, maxLength: 24 }).map((text) => text.slice(0, 22))

describe('the API view of a tracking', () => {
  it('adds the page link and the forecast to the domain view, the same whether the timeline is spliced in or encoded', () => {
    fc.assert(
      fc.property(
        token,
        fc.constantFrom('https://track.example.com', 'http://localhost:3000', 'https://shop.example/colis'),
        fc.constantFrom(...TRACKING_STATUSES),
        fc.array(anyEvent(40), { maxLength: 10 }),
        fc.option(fc.integer({ min: 0, max: 4_102_444_800_000 }), { nil: undefined }),
        fc.option(FORECAST, { nil: undefined }),
        (pageToken, base, status, events, nextDueAtMs, deliveryForecast) => {
          const record = registeredRecord({ pageToken, status })
          const view = toApiTrackingView(record, base, events, nextDueAtMs, {}, { deliveryForecast })
          expect(view.trackingPageUrl).toBe(`${base}/t/${pageToken}`)
          expect(view).not.toHaveProperty('pageToken')
          expect(view.deliveryForecast).toEqual(deliveryForecast)
          expect(
            apiTrackingViewJson(record, base, JSON.stringify(events), nextDueAtMs, {}, { deliveryForecast }),
          ).toBe(JSON.stringify(view))
        },
      ),
      { numRuns: propertyRuns(300) },
    )
  })
})
