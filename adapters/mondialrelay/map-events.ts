import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { normalizeCarrierTimestamp } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus, dropRepeatedEvents, sortEvents } from '../../src/domain/timeline.js'
import { createEventId, type EventLocation, type TrackingEvent } from '../../src/domain/tracking-event.js'
import type { EventStatus, TrackingStatus } from '../../src/domain/tracking-status.js'
import type { Logger } from '../../src/logger.js'
import { reportUnknownCode } from '../code-table.js'
import { CarrierError, type UnknownCodeHook } from '../contract.js'
import { deriveEventCode } from '../generic/map-events.js'
import { findLabelStatus } from './event-labels.js'
import type { MondialRelayResult, MondialRelaySlot } from './raw-schema.js'
import { MONDIALRELAY_STATUS_BY_CODE, PARCEL_STATE_WORDING, type ParcelStateCode } from './stat-codes.js'

export const MONDIALRELAY_CARRIER_ID = 'mondialrelay'

const DATE = /^(\d{2})\/(\d{2})\/(\d{2})$/
const TIME = /^(\d{2}):(\d{2})$/

export interface MondialRelayMappingDeps {
  logger: Pick<Logger, 'warn'>
  onUnknownCode?: UnknownCodeHook
}

/** The relay the parcel is delivered to, as the answer's summary names it. */
interface DeliveryRelay {
  number?: string
  name?: string
}

/**
 * One tracing answer as a snapshot, oldest event first: the labelled events (empty padding slots
 * skipped), then the parcel-level state `STAT` gives, kept as an event of its own (`STAT_82`…) when the
 * labels do not already show it. Throws only `unexpected_response`, for a slot it cannot read whole.
 */
export function mapMondialRelayResult(
  trackingNumber: string,
  result: MondialRelayResult,
  stateCode: ParcelStateCode | undefined,
  deps: MondialRelayMappingDeps,
): CarrierSnapshot {
  const relay: DeliveryRelay | undefined =
    result.Relais_Num || result.Relais_Libelle
      ? { number: result.Relais_Num, name: result.Relais_Libelle }
      : undefined
  const scans = sortEvents(
    result.slots.flatMap((slot, index) => {
      const event = mapSlot(trackingNumber, slot, index, relay, deps)
      return event ? [event] : []
    }),
  )
  const state = stateCode && mapParcelState(trackingNumber, stateCode, scans, result, relay)
  const events = dropRepeatedEvents(state ? [...scans, state] : scans)
  const snapshot: CarrierSnapshot = {
    carrier: MONDIALRELAY_CARRIER_ID,
    trackingNumber,
    events,
    // STAT 82 ends the parcel's life, a return's included; a return under way is not over yet.
    final: stateCode === 'STAT_82',
  }
  const delivered = events.findLast((event) => event.status === 'delivered')
  if (delivered && deriveTrackingStatus(events) === 'delivered') snapshot.deliveredAt = delivered.occurredAt
  return snapshot
}

function mapSlot(
  trackingNumber: string,
  slot: MondialRelaySlot,
  index: number,
  relay: DeliveryRelay | undefined,
  deps: MondialRelayMappingDeps,
): TrackingEvent | undefined {
  const { Libelle: label, Date: date, Heure: time } = slot
  if (!label && !date && !time) return undefined
  if (!label || !date || !time) throw unexpected(`event ${index + 1} lacks its label, date or time`)
  const occurredAt = readParisTime(date, time)
  if (!occurredAt) throw unexpected(`event ${index + 1} has an unreadable date "${date} ${time}"`)
  const code = deriveEventCode(label)
  if (!code) throw unexpected(`event ${index + 1} has a label without letters or digits`)
  let status = findLabelStatus(label)
  if (!status) {
    reportUnknownCode(deps.logger, MONDIALRELAY_CARRIER_ID, code, deps.onUnknownCode)
    status = 'unknown'
  }
  // The id rests on what the scan itself says: the relay's name comes from the summary, which may change.
  const scanned: EventLocation = {}
  if (slot.Emplacement) scanned.name = slot.Emplacement
  if (slot.Relais_Pays) scanned.countryCode = slot.Relais_Pays
  const event: TrackingEvent = {
    id: createEventId(MONDIALRELAY_CARRIER_ID, trackingNumber, { code, occurredAt, location: scanned }),
    occurredAt,
    status,
    code,
    description: label,
  }
  const atRelay =
    relay !== undefined &&
    (slot.Relais_Num ? slot.Relais_Num === relay.number : status === 'available_for_pickup')
  const location = atRelay && relay.name ? { ...scanned, name: relay.name } : scanned
  if (Object.keys(location).length > 0) event.location = location
  const details: Record<string, string> = {}
  const relayNumber = slot.Relais_Num ?? (atRelay ? relay.number : undefined)
  if (relayNumber) details.Relais_Num = relayNumber
  if (slot.Emplacement && location.name !== slot.Emplacement) details.Emplacement = slot.Emplacement
  if (Object.keys(details).length > 0) event.details = details
  return event
}

/** `dd/mm/yy` + `HH:MM`, French wall clock; two-digit years are 20yy. */
function readParisTime(date: string, time: string): string | undefined {
  const day = DATE.exec(date)
  const clock = TIME.exec(time)
  if (!day || !clock) return undefined
  return normalizeCarrierTimestamp(`20${day[3]}-${day[2]}-${day[1]}T${clock[1]}:${clock[2]}:00`)
}

/**
 * The parcel-level state as an event, when the labels do not show it yet: "delivered" under STAT 82
 * without a delivery label, "anomaly" under STAT 83… It is dated like the newest scan, the latest time
 * the answer vouches for; without any scan there is nothing to date it by.
 */
function mapParcelState(
  trackingNumber: string,
  code: ParcelStateCode,
  scans: readonly TrackingEvent[],
  result: MondialRelayResult,
  relay: DeliveryRelay | undefined,
): TrackingEvent | undefined {
  const newest = scans.at(-1)
  const status = MONDIALRELAY_STATUS_BY_CODE[code]
  if (!newest || shownBy(deriveTrackingStatus(scans), status)) return undefined
  const occurredAt = newest.occurredAt
  const summary = [result.Libelle01, result.Libelle02].filter(Boolean).join(' — ')
  const event: TrackingEvent = {
    id: createEventId(MONDIALRELAY_CARRIER_ID, trackingNumber, { code, occurredAt }),
    occurredAt,
    status,
    code,
    description: summary || PARCEL_STATE_WORDING[code],
  }
  if (code === 'STAT_82' && relay?.name) event.location = { name: relay.name }
  if (code === 'STAT_82' && relay?.number) event.details = { Relais_Num: relay.number }
  return event
}

/** Whether the labels' own status already says what a parcel-level state says. */
function shownBy(labelled: TrackingStatus, state: EventStatus): boolean {
  switch (state) {
    case 'info_received':
      return labelled !== 'pending'
    case 'in_transit':
      return labelled !== 'pending' && labelled !== 'info_received'
    case 'delivered':
      // A return delivered back to its sender ends under STAT 82 too: the return stays.
      return labelled === 'delivered' || labelled === 'returned_to_sender'
    case 'unknown':
      return false
    default:
      return labelled === state
  }
}

function unexpected(why: string): CarrierError {
  return new CarrierError('unexpected_response', `Mondial Relay answer: ${why}`)
}
