import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset, instantOf, normalizeCarrierTimestamp } from '../../src/domain/paris-time.js'
import { dropRepeatedEvents } from '../../src/domain/timeline.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import type { Logger } from '../../src/logger.js'
import { reportUnknownCode } from '../code-table.js'
import { CarrierError, type UnknownCodeHook } from '../contract.js'
import { findRelaisColisStatus, RELAISCOLIS_FINAL_RETURN_CODES, relaisColisCode } from './event-codes.js'
import type { RelaisColisEvent } from './raw-schema.js'

export const RELAISCOLIS_CARRIER_ID = 'relaiscolis'

/** `GMT+1`, `GMT+01:00`, `UTC-3`, `GMT`: the hours (and minutes) east of UTC, ISO sign convention. */
const GMT_OFFSET = /^(?:GMT|UTC)?\s*(?:([+-])\s*(\d{1,2})(?::?([0-5]\d))?)?$/i
const MAX_OFFSET_HOURS = 14

/**
 * `GMT+1` as `+01:00`. The sign is read as in ISO 8601 (`GMT+1` is one hour ahead of UTC, Paris in
 * winter), not as in the POSIX zone names `Etc/GMT+1`, which mean the opposite. Undefined when unreadable.
 */
export function readGmtOffset(gmt: string): string | undefined {
  const match = GMT_OFFSET.exec(gmt.trim())
  if (!match || gmt.trim() === '') return undefined
  const [, sign = '+', hours = '0', minutes = '00'] = match
  if (Number(hours) > MAX_OFFSET_HOURS || (Number(hours) === MAX_OFFSET_HOURS && minutes !== '00'))
    return undefined
  return `${sign}${hours.padStart(2, '0')}:${minutes}`
}

/**
 * An event's instant from its naive `Date` and its `GMT` offset, the offset kept. A `Date` with an offset
 * of its own keeps it; without a readable `GMT`, the time is Paris wall clock.
 */
export function readRelaisColisTime(date: string, gmt: string): string | undefined {
  const text = date.trim()
  if (hasOffset(text)) return normalizeCarrierTimestamp(text)
  const offset = readGmtOffset(gmt)
  return normalizeCarrierTimestamp(offset ? `${text}${offset}` : text)
}

/**
 * One parcel's `getPackagesStatus` events as a snapshot, oldest first. Throws only `unexpected_response`
 * (an unreadable date refuses the whole parcel: a half-read history is never stored).
 */
export function mapRelaisColisParcel(
  parcelNumber: string,
  rawEvents: readonly RelaisColisEvent[],
  logger: Pick<Logger, 'warn'>,
  onUnknownCode?: UnknownCodeHook,
): CarrierSnapshot {
  const events = dropRepeatedEvents(orderEvents(parcelNumber, rawEvents, logger, onUnknownCode))
  const delivered = events.find((event) => event.status === 'delivered')
  const snapshot: CarrierSnapshot = {
    carrier: RELAISCOLIS_CARRIER_ID,
    trackingNumber: parcelNumber,
    events,
    final: events.some(
      (event) => event.status === 'delivered' || RELAISCOLIS_FINAL_RETURN_CODES.has(event.code),
    ),
  }
  if (delivered) snapshot.deliveredAt = delivered.occurredAt
  return snapshot
}

/** By instant; events of the same instant by their `Etape`, then as sent. */
function orderEvents(
  parcelNumber: string,
  rawEvents: readonly RelaisColisEvent[],
  logger: Pick<Logger, 'warn'>,
  onUnknownCode: UnknownCodeHook | undefined,
): TrackingEvent[] {
  return rawEvents
    .map((raw, index) => {
      const event = mapRelaisColisEvent(parcelNumber, raw, logger, onUnknownCode)
      return {
        event,
        index,
        instant: instantOf(event.occurredAt),
        step: raw.Etape ?? Number.POSITIVE_INFINITY,
      }
    })
    .sort((a, b) => a.instant - b.instant || a.step - b.step || a.index - b.index)
    .map(({ event }) => event)
}

function mapRelaisColisEvent(
  parcelNumber: string,
  event: RelaisColisEvent,
  logger: Pick<Logger, 'warn'>,
  onUnknownCode: UnknownCodeHook | undefined,
): TrackingEvent {
  const code = relaisColisCode(event.CodeEVT, event.CodeJUS)
  const occurredAt = readRelaisColisTime(event.Date, event.GMT)
  if (!occurredAt) {
    throw new CarrierError('unexpected_response', `Relais Colis event ${code} has an unreadable date`)
  }
  let status = findRelaisColisStatus(event.CodeEVT, event.CodeJUS)
  if (!status) {
    reportUnknownCode(logger, RELAISCOLIS_CARRIER_ID, code, onUnknownCode)
    status = 'unknown'
  }
  const description = event.Libelle || event.LibelleDetaille || event.Categorie
  const draft = { occurredAt, status, code, description }
  const details = detailsOf(event, description)
  return withEventId(RELAISCOLIS_CARRIER_ID, parcelNumber, details ? { ...draft, details } : draft)
}

/** The long wording when it says more, the status category and the coarse `CodeTrack` (`AN`…). */
function detailsOf(event: RelaisColisEvent, description: string): Record<string, string> | undefined {
  const details: Record<string, string> = {}
  if (event.LibelleDetaille && event.LibelleDetaille !== description)
    details.LibelleDetaille = event.LibelleDetaille
  if (event.Categorie) details.Categorie = event.Categorie
  if (event.CodeTrack) details.CodeTrack = event.CodeTrack
  return Object.keys(details).length > 0 ? details : undefined
}
