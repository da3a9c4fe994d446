import type { TrackingEvent } from './tracking-event.js'

/** What one carrier says about one parcel at one moment: its whole current history, oldest first. */
export interface CarrierSnapshot {
  carrier: string
  trackingNumber: string
  events: TrackingEvent[]
  /** The carrier's own delivery estimate (La Poste `estimDate`, Chronopost "livraison prévue"). */
  estimatedDelivery?: string
  deliveredAt?: string
  /** The carrier's business unit that handles the parcel: `colissimo`, `chronopost`, `courrier`… */
  service?: string
  /** The carrier's own product name, as sent (`Courrier international`, `Lettre Recommandée`…). */
  product?: string
  /** The carrier says this parcel's life is over (La Poste `isFinal`). */
  final?: boolean
}
