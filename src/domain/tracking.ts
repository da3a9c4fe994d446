import type { DelayAlert } from './alert.js'
import type { ReportingLagCounts } from './analytics/reporting-lag.js'
import type { CarrierErrorKind } from './carrier-error-kind.js'
import type { DeliveryWindow } from './carrier-snapshot.js'
import type { TrackingEvent } from './tracking-event.js'
import type { TrackingStatus } from './tracking-status.js'

export interface TrackingError {
  kind: CarrierErrorKind
  message: string
  at: string
}

/** A parcel a merchant asked colis to follow. Stored without its events; they live beside it. */
export interface TrackingRecord {
  id: string
  merchantId: string
  carrier: string
  trackingNumber: string
  /** The secret in the URL of the parcel's public page; a new one kills the old URL. Never shown on its own. */
  pageToken: string
  status: TrackingStatus
  /** The carrier said this parcel's life is over (return delivered to the sender, …). */
  final?: boolean
  service?: string
  product?: string
  estimatedDelivery?: string
  /** The carrier's booked delivery window; it goes with `estimatedDelivery`. */
  estimatedDeliveryWindow?: DeliveryWindow
  promisedDeliveryDate?: string
  /** The merchant's promise, when given as shipping time + business days (promisedDeliveryDate is derived). */
  promise?: { shippedAt: string; businessDays: number; dayKind?: 'ouvrables' | 'ouvres' }
  /** ISO 3166-1 alpha-2; France when absent. */
  destinationCountry?: string
  destinationPostalCode?: string
  deliveredAt?: string
  orderId?: string
  metadata?: Record<string, unknown>
  createdAt: string
  updatedAt: string
  lastCheckedAt?: string
  nextCheckAt?: string
  /** When colis last learned of a new event (registration time until then): drives expiry. */
  lastNewEventAt: string
  lastError?: TrackingError
  /** `snapshotDigest` of the last answer the carrier gave: the same answer again changes nothing. */
  snapshotDigest?: string
  /** Polling stopped for good; why. */
  stopped?: 'terminal' | 'expired' | 'invalid_number'
  notFoundCount: number
  failureCount: number
  /** Increases with every notification about this tracking, so receivers can order and drop stale ones. */
  sequence: number
  /** Every alert episode of this parcel, open ones without `resolvedAt`. */
  alerts: DelayAlert[]
  /**
   * The delivery forecast's window when it was last worked out, to tell a move from the same window
   * again; absent while there is none. Written by `encodeForecastWindow` (first day's number and the days
   * to the last, `20516+2`); records saved before hold an ISO 8601 interval (`2026-03-04/2026-03-06`),
   * read too. Never shown: the forecast itself is.
   */
  forecastWindow?: string
  /**
   * How late colis learned of each event that occurred after registration, counted per bucket when a
   * poll stores it (the analytics' reporting lag); absent until one is. Never shown.
   */
  reportingLag?: ReportingLagCounts
}

export interface Tracking extends TrackingRecord {
  events: TrackingEvent[]
}
