import type { TrackingRecord } from '../../src/domain/tracking.js'

/** A valid La Poste number (Colissimo, check digit right). */
export const LAPOSTE_NUMBER = '8K00009775862'
export const REGISTERED_AT = '2026-03-27T10:00:00.000Z'

/** A La Poste parcel just registered (pending, nothing polled yet), as the store keeps it. */
export function registeredRecord(overrides: Partial<TrackingRecord> = {}): TrackingRecord {
  return {
    id: 'trk_AAAAAAAAAAAAAAAAAAAA',
    merchantId: 'shop-a',
    carrier: 'laposte',
    trackingNumber: LAPOSTE_NUMBER,
    pageToken: 'q3XLm0Wvv8Y2Ue_Ol-9b1A',
    status: 'pending',
    createdAt: REGISTERED_AT,
    updatedAt: REGISTERED_AT,
    lastNewEventAt: REGISTERED_AT,
    nextCheckAt: REGISTERED_AT,
    notFoundCount: 0,
    failureCount: 0,
    sequence: 0,
    alerts: [],
    ...overrides,
  }
}
