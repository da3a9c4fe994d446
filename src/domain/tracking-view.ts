import { consumerDeadlines } from './consumer-deadlines.js'
import type { TrackingRecord } from './tracking.js'
import type { TrackingEvent } from './tracking-event.js'
import { trackingPageUrl } from './tracking-page-url.js'

export interface TrackingViewOptions {
  /** The merchant's withdrawal period in days (at least the legal 14, the default). */
  withdrawalDays?: number
  /** PUBLIC_BASE_URL: given, the view carries the tracking's public page (`trackingPageUrl`). */
  publicBaseUrl?: string
}

/**
 * What `GET /v1/trackings/{id}` returns and webhooks carry: an allow-list, never internal counters,
 * subscriptions' secrets or the merchant id.
 */
export function toTrackingView(
  record: TrackingRecord,
  events?: readonly TrackingEvent[],
  nextDueAtMs?: number,
  options: TrackingViewOptions = {},
) {
  return {
    id: record.id,
    carrier: record.carrier,
    trackingNumber: record.trackingNumber,
    status: record.status,
    ...(events ? { events } : {}),
    service: record.service,
    product: record.product,
    estimatedDelivery: record.estimatedDelivery,
    estimatedDeliveryWindow: record.estimatedDeliveryWindow,
    promisedDeliveryDate: record.promisedDeliveryDate,
    deliveredAt: record.deliveredAt,
    consumerDeadlines:
      record.status === 'delivered' && record.deliveredAt !== undefined
        ? consumerDeadlines(record.deliveredAt, {
            postalCode: record.destinationPostalCode,
            destinationCountry: record.destinationCountry,
            withdrawalDays: options.withdrawalDays,
          })
        : undefined,
    destinationCountry: record.destinationCountry,
    destinationPostalCode: record.destinationPostalCode,
    orderId: record.orderId,
    metadata: record.metadata,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    lastCheckedAt: record.lastCheckedAt,
    nextCheckAt: record.stopped
      ? undefined
      : nextDueAtMs === undefined
        ? record.nextCheckAt
        : new Date(nextDueAtMs).toISOString(),
    pollingStopped: record.stopped,
    lastError: record.lastError,
    alerts: record.alerts ?? [],
    ...(options.publicBaseUrl === undefined
      ? {}
      : { trackingPageUrl: trackingPageUrl(options.publicBaseUrl, record.pageToken) }),
  }
}

export type TrackingView = ReturnType<typeof toTrackingView>

/**
 * `JSON.stringify(toTrackingView(record, events, nextDueAtMs, options))`, given the events' JSON text: the
 * timeline (most of the bytes) is spliced in as stored instead of being parsed and encoded again.
 * `events` sits right after `status`, as in the view.
 */
export function trackingViewJson(
  record: TrackingRecord,
  eventsJson: string,
  nextDueAtMs?: number,
  options: TrackingViewOptions = {},
): string {
  const { id, carrier, trackingNumber, status, ...rest } = toTrackingView(
    record,
    undefined,
    nextDueAtMs,
    options,
  )
  const head = JSON.stringify({ id, carrier, trackingNumber, status })
  // `rest` always holds `alerts`, so it is never `{}`.
  return `${head.slice(0, -1)},"events":${eventsJson},${JSON.stringify(rest).slice(1)}`
}
