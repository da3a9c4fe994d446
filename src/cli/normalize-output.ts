import { CarrierError } from '../../adapters/contract.js'
import type { CarrierSnapshot } from '../domain/carrier-snapshot.js'
import { deriveTrackingStatus } from '../domain/timeline.js'

/** The normalized snapshot printed by `colis normalize` and `colis track --json`. */
export function toNormalizedJson(snapshot: CarrierSnapshot) {
  return {
    carrier: snapshot.carrier,
    trackingNumber: snapshot.trackingNumber,
    status: deriveTrackingStatus(snapshot.events),
    events: snapshot.events,
    estimatedDelivery: snapshot.estimatedDelivery,
    estimatedDeliveryWindow: snapshot.estimatedDeliveryWindow,
    deliveredAt: snapshot.deliveredAt,
    service: snapshot.service,
    product: snapshot.product,
  }
}

export function toNormalizedItem(item: CarrierSnapshot | CarrierError) {
  if (item instanceof CarrierError) return { error: { kind: item.kind, message: item.message } }
  return toNormalizedJson(item)
}
