import { expect } from 'vitest'
import type { AlertType, DelayAlert } from '../../src/domain/alert.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { laPosteNumber } from '../api/tracking-api.js'
import { type Finish, markFinished, type Scan } from './finished-tracking.js'

/** A finished parcel of the dashboard's tests, with what it should count as, worked out by hand. */
export interface DashboardParcel {
  carrier: 'sandbox' | 'laposte'
  number: string
  postalCode: string
  /** `2026-W47`: the week of its handover. */
  week: string
  finish: Finish
  promisedDeliveryDate?: string
  scans: Scan[]
  /** Delivered by its promised date, for a delivered parcel that had one. */
  onTime?: boolean
}

/** Mondays of the weeks the parcels were handed over in: 16, 23 and 30 November 2026. */
const WEEKS = [
  { week: '2026-W47', monday: '2026-11-16' },
  { week: '2026-W48', monday: '2026-11-23' },
  { week: '2026-W49', monday: '2026-11-30' },
]
const POSTAL_CODES = ['75001', '69001', '33000', '13001']

const plusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)

/**
 * Six parcels per carrier and week, handed over on Monday or Tuesday, delivered one to four days later,
 * most with a promise of two days: some are on time, some late, one has no promise. One La Poste parcel
 * is returned and one sandbox parcel expires.
 */
export function dashboardParcels(): DashboardParcel[] {
  const parcels: DashboardParcel[] = []
  let serial = 0
  for (const [carrierIndex, carrier] of (['sandbox', 'laposte'] as const).entries()) {
    for (const [weekIndex, { week, monday }] of WEEKS.entries()) {
      for (let index = 0; index < 6; index++) {
        serial++
        const handedOver = plusDays(monday, index % 2)
        const transitDays = 1 + ((index + weekIndex + carrierIndex) % 4)
        const delivered = plusDays(handedOver, transitDays)
        const promisedDeliveryDate = index === 5 ? undefined : plusDays(handedOver, 2)
        const returned = carrier === 'laposte' && weekIndex === 1 && index === 4
        const expired = carrier === 'sandbox' && weekIndex === 2 && index === 3
        const finish: Finish = returned ? 'returned' : expired ? 'expired' : 'delivered'
        const scans: Scan[] = [{ occurredAt: `${handedOver}T08:00:00+01:00`, status: 'in_transit' }]
        if (returned) scans.push({ occurredAt: `${delivered}T10:00:00+01:00`, status: 'returned_to_sender' })
        if (finish === 'delivered')
          scans.push({ occurredAt: `${delivered}T14:00:00+01:00`, status: 'delivered' })
        parcels.push({
          carrier,
          number:
            carrier === 'sandbox' ? `SBXDELIVERED${String(300 + serial)}` : laPosteNumber(9_000 + serial),
          postalCode: POSTAL_CODES[(index + weekIndex) % POSTAL_CODES.length] ?? '75001',
          week,
          finish,
          ...(promisedDeliveryDate ? { promisedDeliveryDate } : {}),
          scans,
          ...(finish === 'delivered' && promisedDeliveryDate
            ? { onTime: delivered <= promisedDeliveryDate }
            : {}),
        })
      }
    }
  }
  return parcels
}

type Request = (path: string, init: RequestInit) => Promise<Response>

async function register(request: Request, body: Record<string, unknown>): Promise<string> {
  const response = await request('/v1/trackings', { method: 'POST', body: JSON.stringify(body) })
  expect(response.status, await response.clone().text()).toBe(201)
  return ((await response.json()) as { id: string }).id
}

/** Registers each parcel through the API with the merchant's key, then saves its whole timeline and end. */
export async function playDashboardParcels(
  request: Request,
  store: Pick<TrackingStore, 'loadForPoll' | 'save'>,
  parcels: readonly DashboardParcel[],
): Promise<void> {
  for (const parcel of parcels) {
    const id = await register(request, {
      trackingNumber: parcel.number,
      carrier: parcel.carrier,
      destinationPostalCode: parcel.postalCode,
      ...(parcel.promisedDeliveryDate ? { promisedDeliveryDate: parcel.promisedDeliveryDate } : {}),
    })
    await markFinished(store, id, parcel.finish, parcel.scans)
  }
}

/** Registers a parcel on its way and opens alerts of the given types on it, as the sweep would. */
export async function openAlerts(
  request: Request,
  store: Pick<TrackingStore, 'loadForPoll' | 'save'>,
  number: string,
  types: readonly AlertType[],
): Promise<void> {
  const id = await register(request, { trackingNumber: number, carrier: 'sandbox' })
  const [view] = await store.loadForPoll([id])
  if (!view) throw new Error(`${number} not stored`)
  const alerts: DelayAlert[] = types.map((type, index) => ({
    id: `alr_${number}${index}`,
    type,
    openedAt: '2026-12-04T09:00:00.000Z',
    details: {},
  }))
  const [saved] = await store.save([
    { before: view, record: { ...view.record, alerts }, alerts: { opened: alerts, resolved: [] } },
  ])
  if (saved !== 'saved') throw new Error(`${number}: ${saved}`)
}

/** The share of on-time parcels among those with an answer, and how many had one. */
export function onTimeOf(parcels: readonly DashboardParcel[]): { rate: number | undefined; sample: number } {
  const measured = parcels.filter((parcel) => parcel.onTime !== undefined)
  const onTime = measured.filter((parcel) => parcel.onTime).length
  return { rate: measured.length === 0 ? undefined : onTime / measured.length, sample: measured.length }
}
