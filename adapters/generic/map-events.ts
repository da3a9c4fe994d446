import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { dropRepeatedEvents, sortEvents } from '../../src/domain/timeline.js'
import { type EventLocation, type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import { CarrierError } from '../contract.js'
import type { DocumentField } from './extraction-schema.js'
import { foldAccents, type StatusMapper } from './map-status.js'
import { type CompiledDateFormat, parseCarrierDate } from './parse-date.js'

/** What a definition can read inside one event. */
export const EVENT_FIELDS = [
  'code',
  'description',
  'date',
  'time',
  'city',
  'postalCode',
  'countryCode',
  'locationName',
] as const
export type EventField = (typeof EVENT_FIELDS)[number]

/** Texts read from one carrier event, before any interpretation. */
export type RawGenericEvent = Partial<Record<EventField, string>>

/** Texts read from a whole body, events oldest first (an extractor puts a newest-first list in order). */
export type RawGenericDocument = Partial<Record<DocumentField, string>> & { events: RawGenericEvent[] }

/** What an extractor found in a body: the carrier's "no such parcel" answer, or a document. */
export type ExtractedBody = { found: false } | { found: true; document: RawGenericDocument }

export interface GenericMappingContext {
  carrier: string
  trackingNumber: string
  formats: readonly CompiledDateFormat[]
  timeZone: string
  mapStatus: StatusMapper
  /** The status of the carrier's own parcel status (`statusMapping.parcelStatus`); undefined when unmapped. */
  mapParcelStatus: (parcelStatus: string) => EventStatus | undefined
}

const DERIVED_CODE_LENGTH = 40

/** A field's text, trimmed and cut by its pattern (group 1, else the whole match); undefined when empty. */
export function cutFieldText(text: string | undefined, pattern: RegExp | undefined): string | undefined {
  const trimmed = text?.trim()
  if (!trimmed) return undefined
  if (!pattern) return trimmed
  const match = trimmed.match(pattern)
  return (match?.[1] ?? match?.[0])?.trim() || undefined
}

/**
 * The code of an event the carrier sends without one: its description folded to upper-case letters and
 * digits joined by `_`, cut to 40 characters ("Colis livré !" → `COLIS_LIVRE`). It keeps event ids stable
 * across polls; the price is that a reworded label becomes a new event.
 */
export function deriveEventCode(description: string): string {
  const words = foldAccents(description)
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
  return Array.from(words).slice(0, DERIVED_CODE_LENGTH).join('').replace(/_+$/, '')
}

/**
 * Maps a whole document, oldest event first; any unreadable date refuses the whole body, so that
 * half-read data is never stored. Also returns the codes (or derived codes) no mapping knew.
 */
export function mapGenericDocument(
  document: RawGenericDocument,
  context: GenericMappingContext,
): { snapshot: CarrierSnapshot; unmapped: string[] } {
  const unmapped: string[] = []
  const events = document.events.map((raw, index) => {
    const { event, mapped } = mapGenericEvent(raw, index, context)
    if (!mapped) unmapped.push(event.code)
    return event
  })
  const sorted = dropRepeatedEvents(sortEvents(events))
  const parcelStatus = document.parcelStatus && context.mapParcelStatus(document.parcelStatus)
  const snapshot: CarrierSnapshot = {
    carrier: context.carrier,
    trackingNumber: context.trackingNumber,
    events: parcelStatus ? settleNewest(sorted, parcelStatus) : sorted,
  }
  if (document.service) snapshot.service = document.service.toLowerCase()
  if (document.estimatedDelivery) {
    const estimate = parseCarrierDate(document.estimatedDelivery, context.formats, context.timeZone)
    if (!estimate)
      throw unexpected(context, `unreadable estimated delivery "${cut(document.estimatedDelivery)}"`)
    snapshot.estimatedDelivery = estimate
  }
  return { snapshot, unmapped }
}

function mapGenericEvent(
  raw: RawGenericEvent,
  index: number,
  context: GenericMappingContext,
): { event: TrackingEvent; mapped: boolean } {
  const description = raw.description ?? ''
  const carrierCode = raw.code || undefined
  const code = carrierCode ?? deriveEventCode(description)
  if (!code) throw unexpected(context, `event ${index + 1} has neither a code nor a description`)
  const dateText = raw.time ? `${raw.date ?? ''} ${raw.time}` : (raw.date ?? '')
  const occurredAt = parseCarrierDate(dateText, context.formats, context.timeZone)
  if (!occurredAt) throw unexpected(context, `event ${index + 1} has an unreadable date "${cut(dateText)}"`)
  const status = context.mapStatus(carrierCode, description)
  const location = readLocation(raw)
  const event = withEventId(context.carrier, context.trackingNumber, {
    occurredAt,
    status: status ?? 'unknown',
    code,
    description,
    ...(location ? { location } : {}),
  })
  return { event, mapped: status !== undefined }
}

/**
 * The carrier's status of the whole parcel says what its newest event means when that event's own
 * status is `unknown` (a wording no pattern knows); it changes nothing else.
 */
function settleNewest(events: TrackingEvent[], status: EventStatus): TrackingEvent[] {
  const newest = events.at(-1)
  if (newest?.status !== 'unknown') return events
  return [...events.slice(0, -1), { ...newest, status }]
}

function readLocation(raw: RawGenericEvent): EventLocation | undefined {
  const location: EventLocation = {}
  if (raw.locationName) location.name = raw.locationName
  if (raw.city) location.city = raw.city
  if (raw.postalCode) location.postalCode = raw.postalCode
  if (raw.countryCode) location.countryCode = raw.countryCode
  return Object.keys(location).length > 0 ? location : undefined
}

function cut(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

function unexpected(context: GenericMappingContext, why: string): CarrierError {
  return new CarrierError('unexpected_response', `${context.carrier}: ${why}`)
}
