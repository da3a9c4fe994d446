import { z } from '@hono/zod-openapi'
import { CARRIER_ERROR_KINDS } from '../domain/carrier-error-kind.js'
import { ALERT_TYPES } from '../domain/delay-alerts.js'
import { FORECAST_LEVELS } from '../domain/forecast/forecast-model.js'
import { EVENT_STATUSES, TRACKING_STATUSES } from '../domain/tracking-status.js'

/** RFC 3339 with the offset the carrier gave (never rewritten to UTC). */
const Timestamp = z.iso.datetime({ offset: true }).openapi({ example: '2026-03-09T09:38:00+01:00' })

export const TrackingEventSchema = z
  .object({
    id: z.string().openapi({ example: 'evt_3q9ZbE1bV0qS1m2kq7xYtA' }),
    occurredAt: Timestamp,
    status: z.enum(EVENT_STATUSES),
    code: z.string().describe("The carrier's own event code").openapi({ example: 'DI1' }),
    description: z.string().openapi({ example: 'Votre colis est livré.' }),
    location: z
      .object({
        name: z.string().optional(),
        city: z.string().optional(),
        postalCode: z.string().optional(),
        countryCode: z.string().optional(),
      })
      .optional(),
    details: z.record(z.string(), z.string()).optional().describe('Extra carrier facts as name/value pairs'),
    resumesOnly: z
      .literal(true)
      .optional()
      .describe(
        'This scan moves the status only out of pending, failed_attempt or exception; otherwise the status stays',
      ),
  })
  .openapi('TrackingEvent')

export const DelayAlertSchema = z
  .object({
    id: z.string(),
    type: z.enum(ALERT_TYPES),
    openedAt: Timestamp,
    resolvedAt: Timestamp.optional().describe('Absent while the alert is open'),
    details: z
      .record(z.string(), z.unknown())
      .describe(
        'Why it opened, by type: `late` {promisedDeliveryDate, lateSince}; `at_risk` {source: ' +
          "'carrier_estimate', promisedDeliveryDate, estimatedDelivery} when the carrier's estimate is after " +
          "the promise, {source: 'forecast', promisedDeliveryDate, probabilityLate, forecast {from, to, " +
          "mostLikely}, basis} when colis's forecast says late is more likely than not; `stalled` {lastEventAt, businessDays}; `exception`, `failed_attempt`, `returned` " +
          '{eventId, code, description} of the scan (empty without one); `pickup_expiring` {waitingSince, ' +
          'holdDays, lastCollectionDay}: the parcel can be collected until the end of lastCollectionDay ' +
          '(YYYY-MM-DD, Europe/Paris)',
      )
      .openapi({
        example: { waitingSince: '2025-10-22T18:00:00+02:00', holdDays: 5, lastCollectionDay: '2025-10-27' },
      }),
  })
  .openapi('DelayAlert')

/** A day at the destination, the last one on which the consumer can act (until the end of that day). */
const LastDay = z.iso.date()

export const ConsumerDeadlinesSchema = z
  .object({
    withdrawalUntil: LastDay.describe(
      'Last day to withdraw from the purchase (Code de la consommation L221-18): 14 days, or the ' +
        "merchant's longer period, after the day of receipt; a period ending on a Saturday, Sunday or " +
        'public holiday runs to the next working day',
    ).openapi({ example: '2026-03-23' }),
    carrierProtestUntil: LastDay.describe(
      'Last day to send the carrier a reasoned protest for damage or partial loss (Code de commerce ' +
        'L133-3): 3 days after the day of receipt, public holidays not counted',
    ).openapi({ example: '2026-03-12' }),
    conformityGuaranteeUntil: LastDay.describe(
      'Last day of the legal guarantee of conformity (Code de la consommation L217-3): 2 years from ' +
        'delivery; a delivery on 29 February ends on 28 February',
    ).openapi({ example: '2028-03-09' }),
  })
  .openapi('ConsumerDeadlines')

/** The fields of a tracking wherever colis shows one. */
const TrackingFields = z.object({
  id: z.string().openapi({ example: 'trk_7Hc2pQx9LmA4zR8tVb1N' }),
  carrier: z.string().openapi({ example: 'laposte' }),
  trackingNumber: z.string().openapi({ example: '6A15602676300' }),
  status: z.enum(TRACKING_STATUSES),
  events: z.array(TrackingEventSchema).readonly().optional().describe('Oldest first; left out of list pages'),
  service: z.string().optional(),
  product: z.string().optional(),
  estimatedDelivery: z
    .union([z.iso.date(), Timestamp])
    .optional()
    .describe("The carrier's estimate: a day (`YYYY-MM-DD`) or a time, as the carrier gives it")
    .openapi({ example: '2026-03-12' }),
  estimatedDeliveryWindow: z
    .object({ from: Timestamp, to: Timestamp })
    .optional()
    .describe('The delivery window the carrier booked (an appointment), with the offsets it gave'),
  promisedDeliveryDate: z.iso.date().optional().openapi({ example: '2026-03-12' }),
  deliveredAt: Timestamp.optional(),
  consumerDeadlines: ConsumerDeadlinesSchema.optional().describe(
    'Once delivered (status `delivered` with `deliveredAt`), to a destination under French law (France and ' +
      'its overseas departments): the last day on which the consumer can still act. Absent otherwise. ' +
      'Information, not legal advice: see docs/consumer-deadlines.md',
  ),
  destinationCountry: z.string().optional().describe('ISO 3166-1 alpha-2, when given at registration'),
  destinationPostalCode: z.string().optional(),
  orderId: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastCheckedAt: Timestamp.optional().describe('Last poll, whatever its outcome'),
  nextCheckAt: Timestamp.optional().describe('Next poll; absent once polling stopped'),
  pollingStopped: z.enum(['terminal', 'expired', 'invalid_number']).optional(),
  lastError: z
    .object({ kind: z.enum(CARRIER_ERROR_KINDS), message: z.string(), at: Timestamp })
    .optional()
    .describe('Why the last poll failed; the last good timeline stays in place'),
  alerts: z.array(DelayAlertSchema).describe('Every alert episode, open ones without `resolvedAt`'),
})

const ForecastDay = z.iso.date()

export const DeliveryForecastSchema = z
  .object({
    from: ForecastDay.describe('First day of the window (Paris date)').openapi({ example: '2026-03-11' }),
    to: ForecastDay.describe('Last day of the window (Paris date), `from` or later').openapi({
      example: '2026-03-13',
    }),
    mostLikely: ForecastDay.describe('The most probable day inside the window').openapi({
      example: '2026-03-12',
    }),
    probability: z
      .number()
      .gt(0)
      .lte(1)
      .describe('The parcel arrives within the window with at least this probability (0.8)')
      .openapi({ example: 0.8 }),
    basis: z
      .object({
        level: z
          .enum([...FORECAST_LEVELS, 'stage'])
          .describe(
            'The history the window comes from: past parcels of the same carrier, service and region ' +
              '(`carrier_service_region`), else carrier and service, else carrier; `stage` when the ' +
              "parcel's own state says the day (out for delivery, at a pickup point: today)",
          ),
        samples: z
          .number()
          .int()
          .min(0)
          .describe(
            'Delivered parcels the window rests on, those that took at least as long as this one has; 0 for `stage`',
          ),
      })
      .describe('What the window rests on'),
  })
  .openapi('DeliveryForecast')

export const TrackingSchema = TrackingFields.extend({
  deliveryForecast: DeliveryForecastSchema.optional().describe(
    "colis's own delivery window for a parcel on its way (handed over to its carrier, not delivered, " +
      'returned or expired), from the transit times of similar past parcels and conditioned on where it ' +
      "stands now; absent without enough history. The carrier's own `estimatedDelivery` stays beside it. " +
      'See docs/forecasts.md',
  ),
  trackingPageUrl: z
    .url()
    .describe(
      "The parcel's public page, for the shopper (no API key; `POST /v1/trackings/{id}/page-token` gives a new one and kills this one)",
    )
    .openapi({ example: 'https://track.example.com/t/q3XLm0Wvv8Y2Ue_Ol-9b1A' }),
}).openapi('Tracking')
