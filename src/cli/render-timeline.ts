import type { CarrierSnapshot } from '../domain/carrier-snapshot.js'
import type { TrackingStatus } from '../domain/tracking-status.js'

/** A plain, readable timeline for a terminal (newest last, like a carrier's own page). */
export function renderTimeline(snapshot: CarrierSnapshot, status: TrackingStatus): string {
  const lines = [`${snapshot.carrier} ${snapshot.trackingNumber}: ${status}`]
  if (snapshot.estimatedDelivery) lines.push(`estimated delivery: ${snapshot.estimatedDelivery}`)
  for (const event of snapshot.events) {
    const place = [event.location?.name, event.location?.city, event.location?.countryCode]
      .filter(Boolean)
      .join(', ')
    lines.push(
      `  ${event.occurredAt}  ${event.status.padEnd(20)} ${event.description}${place ? ` (${place})` : ''}`,
    )
  }
  return lines.join('\n')
}
