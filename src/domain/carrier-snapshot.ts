import { hash } from 'node:crypto'
import type { TrackingEvent } from './tracking-event.js'

/** What one carrier says about one parcel at one moment: its whole current history, oldest first. */
export interface CarrierSnapshot {
  carrier: string
  trackingNumber: string
  events: TrackingEvent[]
  /** The carrier's own delivery estimate, when it gives one. */
  estimatedDelivery?: string
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
  const { final, estimatedDelivery, deliveredAt, service, product } = snapshot
  const ids = snapshot.events.map((event) => event.id).sort()
  // JSON: no value, whatever its characters, can pass for another one or for a separator.
  const text = JSON.stringify([final, estimatedDelivery, deliveredAt, service, product, ids])
  return hash('sha1', text, 'base64url')
}
