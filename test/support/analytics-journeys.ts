import { expect } from 'vitest'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { type Finish, markFinished, type Scan } from './finished-tracking.js'

/** A sandbox parcel from registration to its end, with what the scorecard must make of it. */
export interface Journey {
  number: string
  postalCode: string
  promisedDeliveryDate?: string
  finish: Finish
  scans: Scan[]
  /** What the test expects, worked out by hand from the scans. */
  expected: {
    onTime?: boolean
    firstAttempt?: boolean
    atPickupPoint?: boolean
    exception: boolean
    transitDays?: number
    transitHours?: number
    collectionHours?: number
  }
}

/** Handed over in 2026-W47 (Monday 16 November), Monday-to-Saturday carrier, no holiday in between. */
export const MERCHANT_A_JOURNEYS: Journey[] = [
  {
    number: 'SBXDELIVERED101',
    postalCode: '75001',
    promisedDeliveryDate: '2026-11-18',
    finish: 'delivered',
    scans: [
      { occurredAt: '2026-11-16T08:00:00+01:00', status: 'in_transit' },
      { occurredAt: '2026-11-18T14:00:00+01:00', status: 'delivered' },
    ],
    expected: { onTime: true, firstAttempt: true, exception: false, transitDays: 2, transitHours: 54 },
  },
  {
    number: 'SBXDELIVERED102',
    postalCode: '75001',
    promisedDeliveryDate: '2026-11-17',
    finish: 'delivered',
    scans: [
      { occurredAt: '2026-11-16T08:00:00+01:00', status: 'in_transit' },
      { occurredAt: '2026-11-17T10:00:00+01:00', status: 'failed_attempt' },
      { occurredAt: '2026-11-19T12:00:00+01:00', status: 'delivered' },
    ],
    expected: { onTime: false, firstAttempt: false, exception: false, transitDays: 3, transitHours: 76 },
  },
  {
    number: 'SBXDELIVERED103',
    postalCode: '75001',
    finish: 'delivered',
    scans: [
      { occurredAt: '2026-11-16T08:00:00+01:00', status: 'in_transit' },
      { occurredAt: '2026-11-17T09:00:00+01:00', status: 'available_for_pickup' },
      { occurredAt: '2026-11-18T18:00:00+01:00', status: 'delivered' },
    ],
    expected: {
      firstAttempt: true,
      atPickupPoint: true,
      exception: false,
      transitDays: 2,
      transitHours: 58,
      collectionHours: 33,
    },
  },
  {
    number: 'SBXRETURNED104',
    postalCode: '69001',
    promisedDeliveryDate: '2026-11-19',
    finish: 'returned',
    scans: [
      { occurredAt: '2026-11-17T08:00:00+01:00', status: 'in_transit' },
      { occurredAt: '2026-11-18T09:00:00+01:00', status: 'exception' },
      { occurredAt: '2026-11-20T10:00:00+01:00', status: 'returned_to_sender' },
    ],
    expected: { exception: true },
  },
  {
    number: 'SBXSTALLED105',
    postalCode: '69001',
    finish: 'expired',
    scans: [{ occurredAt: '2026-11-17T08:00:00+01:00', status: 'in_transit' }],
    expected: { exception: false },
  },
]

/** Another merchant's one parcel, handed over in 2026-W48. */
export const MERCHANT_B_JOURNEYS: Journey[] = [
  {
    number: 'SBXDELIVERED201',
    postalCode: '75001',
    promisedDeliveryDate: '2026-11-27',
    finish: 'delivered',
    scans: [
      { occurredAt: '2026-11-23T08:00:00+01:00', status: 'in_transit' },
      { occurredAt: '2026-11-25T10:00:00+01:00', status: 'delivered' },
    ],
    expected: { onTime: true, firstAttempt: true, exception: false, transitDays: 2, transitHours: 50 },
  },
]

/** Registers each journey through the API with the merchant's key, then saves its whole timeline and end. */
export async function playJourneys(
  request: (path: string, init: RequestInit) => Promise<Response>,
  store: Pick<TrackingStore, 'loadForPoll' | 'save'>,
  journeys: readonly Journey[],
): Promise<void> {
  for (const journey of journeys) {
    const response = await request('/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({
        trackingNumber: journey.number,
        carrier: 'sandbox',
        destinationPostalCode: journey.postalCode,
        ...(journey.promisedDeliveryDate ? { promisedDeliveryDate: journey.promisedDeliveryDate } : {}),
      }),
    })
    expect(response.status, await response.clone().text()).toBe(201)
    const { id } = (await response.json()) as { id: string }
    await markFinished(store, id, journey.finish, journey.scans)
  }
}

const share = (yes: number, of: number) => (of === 0 ? undefined : yes / of)

/** The counts and rates of a group of journeys, worked out from what each journey expects. */
export function expectedCounts(journeys: readonly Journey[]) {
  const delivered = journeys.filter((journey) => journey.finish === 'delivered')
  const promised = delivered.filter((journey) => journey.expected.onTime !== undefined)
  const returned = journeys.filter((journey) => journey.finish === 'returned').length
  return {
    parcels: journeys.length,
    delivered: delivered.length,
    returned,
    expired: journeys.filter((journey) => journey.finish === 'expired').length,
    onTime: {
      rate: share(promised.filter((journey) => journey.expected.onTime).length, promised.length),
      sample: promised.length,
    },
    firstAttempt: {
      rate: share(delivered.filter((journey) => journey.expected.firstAttempt).length, delivered.length),
      sample: delivered.length,
    },
    pickupShare: share(
      delivered.filter((journey) => journey.expected.atPickupPoint).length,
      delivered.length,
    ),
    returnRate: share(returned, journeys.length),
    exceptionRate: share(journeys.filter((journey) => journey.expected.exception).length, journeys.length),
  }
}
