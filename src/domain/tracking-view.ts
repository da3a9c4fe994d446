import type { TrackingRecord } from './tracking.js'
import type { TrackingEvent } from './tracking-event.js'

/**
 * What `GET /v1/trackings/{id}` returns and webhooks carry: an allow-list, never internal counters,
 * subscriptions' secrets or the merchant id.
 */
export function toTrackingView(
  record: TrackingRecord,
  events?: readonly TrackingEvent[],
  nextDueAtMs?: number,
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
    promisedDeliveryDate: record.promisedDeliveryDate,
    deliveredAt: record.deliveredAt,
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
  }
}

export type TrackingView = ReturnType<typeof toTrackingView>
