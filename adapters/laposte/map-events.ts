import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { normalizeCarrierTimestamp } from '../../src/domain/paris-time.js'
import { dropRepeatedEvents, sortEvents } from '../../src/domain/timeline.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import type { Logger } from '../../src/logger.js'
import { statusOfCode } from '../code-table.js'
import { CarrierError, type UnknownCodeHook } from '../contract.js'
import { LAPOSTE_STATUS_BY_CODE } from './event-codes.js'
import type { LaPosteEvent, LaPosteShipment } from './raw-schema.js'

export const LAPOSTE_CARRIER_ID = 'laposte'

// `holder` is "Holder in charge"; 2 (courrier international) comes from suivi-poste only.
const SERVICE_BY_HOLDER = new Map<number, string>([
  [1, 'courrier'],
  [2, 'courrier'],
  [3, 'chronopost'],
  [4, 'colissimo'],
])

/** One Suivi v2 `shipment` as a snapshot, oldest event first; throws only `unexpected_response`. */
export function mapLaPosteShipment(
  shipment: LaPosteShipment,
  logger: Logger,
  onUnknownCode?: UnknownCodeHook,
): CarrierSnapshot {
  const trackingNumber = shipment.idShip
  // La Poste lists events newest first: reversing keeps same-instant scans in wire order.
  const wireOldestFirst = [...(shipment.event ?? [])].reverse()
  const events = sortEvents(
    wireOldestFirst.map((event) => mapLaPosteEvent(trackingNumber, event, logger, onUnknownCode)),
  )
  const snapshot: CarrierSnapshot = {
    carrier: LAPOSTE_CARRIER_ID,
    trackingNumber,
    events: dropRepeatedEvents(events),
  }
  const estimatedDelivery = readOptionalTimestamp(shipment.estimDate, 'estimDate')
  // Some answers have the delivery scan (DI1…) without deliveryDate: the scan dates the delivery then.
  const deliveredAt =
    readOptionalTimestamp(shipment.deliveryDate, 'deliveryDate') ??
    events.findLast((event) => event.status === 'delivered')?.occurredAt
  const service = shipment.holder == null ? undefined : SERVICE_BY_HOLDER.get(shipment.holder)
  if (estimatedDelivery) snapshot.estimatedDelivery = estimatedDelivery
  if (deliveredAt) snapshot.deliveredAt = deliveredAt
  if (service) snapshot.service = service
  if (shipment.product) snapshot.product = shipment.product
  if (shipment.isFinal != null) snapshot.final = shipment.isFinal
  return snapshot
}

function mapLaPosteEvent(
  trackingNumber: string,
  event: LaPosteEvent,
  logger: Logger,
  onUnknownCode: UnknownCodeHook | undefined,
): TrackingEvent {
  const occurredAt = normalizeCarrierTimestamp(event.date)
  if (!occurredAt) {
    throw new CarrierError('unexpected_response', `La Poste event ${event.code} has an unreadable date`)
  }
  const status = statusOfCode(LAPOSTE_STATUS_BY_CODE, LAPOSTE_CARRIER_ID, event.code, logger, onUnknownCode)
  return withEventId(LAPOSTE_CARRIER_ID, trackingNumber, {
    occurredAt,
    status,
    code: event.code,
    description: event.label ?? '',
  })
}

function readOptionalTimestamp(raw: string | null | undefined, field: string): string | undefined {
  if (raw == null || raw.trim() === '') return undefined
  const timestamp = normalizeCarrierTimestamp(raw)
  if (!timestamp) throw new CarrierError('unexpected_response', `La Poste ${field} is not a date`)
  return timestamp
}
