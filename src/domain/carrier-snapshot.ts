import { hash } from 'node:crypto'
import type { TrackingEvent } from './tracking-event.js'

/** When the carrier plans to deliver: RFC 3339 times with the carrier's offset, `from` before `to`. */
export interface DeliveryWindow {
  from: string
  to: string
}

/** What one carrier says about one parcel at one moment: its whole current history, oldest first. */
export interface CarrierSnapshot {
  carrier: string
  trackingNumber: string
  events: TrackingEvent[]
  /** The carrier's own delivery estimate, when it gives one. */
  estimatedDelivery?: string
  /** The time window the carrier booked for that delivery (an appointment), with `estimatedDelivery`. */
  estimatedDeliveryWindow?: DeliveryWindow
  deliveredAt?: string
  /** The carrier's business unit that handles the parcel, lower case; its delivery days may depend on it. */
  service?: string
  /** The carrier's own product name, as sent (`Courrier international`, `Lettre Recommandée`…). */
  product?: string
  /** The carrier says this parcel's life is over. */
  final?: boolean
}

/**
 * What a poll takes from a snapshot, in a few bytes: its events (the set of their ids: merging keeps a
 * known event as first seen and places new ones by instant) and the fields copied onto the tracking.
 * Two snapshots with the same digest change a tracking in the same way, so a poll whose answer has the
 * digest of the last one changes nothing.
 */
export function snapshotDigest(snapshot: CarrierSnapshot): string {
  const {
    final,
    estimatedDelivery,
    estimatedDeliveryWindow: window,
    deliveredAt,
    service,
    product,
  } = snapshot
  const ids = snapshot.events.map((event) => event.id).sort()
  const fields = [final, estimatedDelivery, deliveredAt, service, product, ids]
  // Only a snapshot with a window has it in its text: the digests stored before windows existed still match.
  if (window) fields.push(window.from, window.to)
  // JSON: no value, whatever its characters, can pass for another one or for a separator.
  const text = JSON.stringify(fields)
  return hash('sha1', text, 'base64url')
}
