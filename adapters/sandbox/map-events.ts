import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { normalizeCarrierTimestamp } from '../../src/domain/paris-time.js'
import { sortEvents } from '../../src/domain/timeline.js'
import { type EventLocation, type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import { CarrierError } from '../contract.js'
import { SANDBOX_FINAL_CODES, statusOfSandboxCode } from './event-codes.js'
import type { SandboxDocument } from './raw-schema.js'

export interface SandboxMapping {
  snapshot: CarrierSnapshot
  /** Codes missing from the code table, mapped to `unknown`: the caller warns and counts. */
  unknownCodes: string[]
}

type RawEvent = SandboxDocument['events'][number]

function mapLocation(event: RawEvent): EventLocation | undefined {
  const location: EventLocation = {}
  const city = event.city?.trim()
  const postalCode = event.postalCode?.trim()
  const countryCode = event.countryCode?.trim().toUpperCase()
  if (city) location.city = city
  if (postalCode) location.postalCode = postalCode
  if (countryCode) location.countryCode = countryCode
  return Object.keys(location).length > 0 ? location : undefined
}

export function mapSandboxDocument(document: SandboxDocument): SandboxMapping {
  const { trackingNumber } = document
  const unknownCodes: string[] = []
  const events = document.events.map((raw): TrackingEvent => {
    const occurredAt = normalizeCarrierTimestamp(raw.at)
    if (!occurredAt) {
      throw new CarrierError(
        'unexpected_response',
        `sandbox event ${raw.code} has an unreadable time "${raw.at}"`,
      )
    }
    const status = statusOfSandboxCode(raw.code)
    if (!status) unknownCodes.push(raw.code)
    const location = mapLocation(raw)
    return withEventId('sandbox', trackingNumber, {
      occurredAt,
      status: status ?? 'unknown',
      code: raw.code,
      description: raw.label.trim(),
      ...(location ? { location } : {}),
    })
  })
  const sorted = sortEvents(events)
  const delivered = sorted.find((event) => event.status === 'delivered')
  const snapshot: CarrierSnapshot = {
    carrier: 'sandbox',
    trackingNumber,
    events: sorted,
    final: sorted.some((event) => SANDBOX_FINAL_CODES.has(event.code)),
    ...(delivered ? { deliveredAt: delivered.occurredAt } : {}),
  }
  return { snapshot, unknownCodes }
}
