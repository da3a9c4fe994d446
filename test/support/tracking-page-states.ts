import type { TrackingPageInput } from '../../src/api/tracking-page/render.js'
import { type AlertPolicy, evaluateAlertConditions, reconcileAlerts } from '../../src/domain/delay-alerts.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import {
  type EventDraft,
  type EventLocation,
  type TrackingEvent,
  withEventId,
} from '../../src/domain/tracking-event.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import { LAPOSTE_NUMBER, registeredRecord } from './tracking-record.js'

/** Every state a shopper's tracking page has to show, as the browser tests walk them. */
export const PAGE_STATES = [
  'pending',
  'info_received',
  'in_transit',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'delivered',
  'returned',
  'exception',
  'late',
] as const
export type PageState = (typeof PAGE_STATES)[number]

/** What only the merchant and colis may know: a page must never show any of it. */
export const PRIVATE_FACTS = {
  recipientName: 'DUPONT',
  metadataValue: 'Jeanne Martin',
  destinationPostalCode: '33370',
  orderId: 'CMD-20431',
  doorCode: '4521B',
} as const

const PLACES = {
  paris: { name: 'Plateforme Paris Nord', city: 'Paris', postalCode: '75018', countryCode: 'FR' },
  lyon: { city: 'Lyon', postalCode: '69007', countryCode: 'FR' },
  bordeaux: { city: 'Bordeaux', postalCode: PRIVATE_FACTS.destinationPostalCode, countryCode: 'FR' },
  relay: { name: 'Tabac du Port', city: 'Bordeaux', postalCode: '33300', countryCode: 'FR' },
  montreal: { city: 'Montréal', postalCode: 'H4T 1A1', countryCode: 'CA' },
  roissy: { city: 'Roissy-en-France', postalCode: '95700', countryCode: 'FR' },
} as const satisfies Record<string, EventLocation>

function scan(
  occurredAt: string,
  status: EventStatus,
  code: string,
  description: string,
  location?: EventLocation,
): TrackingEvent {
  const draft: EventDraft = { occurredAt, status, code, description, ...(location ? { location } : {}) }
  return withEventId('laposte', LAPOSTE_NUMBER, draft)
}

const LABEL = scan(
  '2026-12-04T09:12:00+01:00',
  'info_received',
  'DR1',
  "Étiquette créée : colis annoncé par l'expéditeur",
)
const TAKEN = scan(
  '2026-12-04T17:40:00+01:00',
  'in_transit',
  'PC1',
  'Colis pris en charge par le transporteur',
  PLACES.paris,
)
const LYON = scan(
  '2026-12-05T04:55:00+01:00',
  'in_transit',
  'ET1',
  'Colis trié sur la plateforme de Lyon',
  PLACES.lyon,
)
const SORTED = scan(
  '2026-12-07T06:30:00+01:00',
  'in_transit',
  'ET3',
  'Colis arrivé sur son site de distribution',
  PLACES.bordeaux,
)
const OUT = scan(
  '2026-12-08T07:45:00+01:00',
  'out_for_delivery',
  'MD2',
  'Colis en cours de livraison',
  PLACES.bordeaux,
)
const DELIVERED = scan(
  '2026-12-08T11:05:00+01:00',
  'delivered',
  'DI1',
  `Colis livré, remis à M. ${PRIVATE_FACTS.recipientName} (code porte ${PRIVATE_FACTS.doorCode})`,
  PLACES.bordeaux,
)
const ABSENT = scan(
  '2026-12-08T11:20:00+01:00',
  'failed_attempt',
  'AG1',
  'Destinataire absent : avis de passage déposé',
  PLACES.bordeaux,
)
const AT_RELAY = scan(
  '2026-12-09T10:02:00+01:00',
  'available_for_pickup',
  'RE1',
  'Colis disponible dans votre point de retrait',
  PLACES.relay,
)
const RETURNING = scan(
  '2026-12-20T08:15:00+01:00',
  'returned_to_sender',
  'RT1',
  "Colis non retiré : retour vers l'expéditeur",
  PLACES.relay,
)
const RETURN_TRANSIT = scan(
  '2026-12-21T05:10:00+01:00',
  'in_transit',
  'RT2',
  "Colis en retour vers l'expéditeur",
  PLACES.lyon,
)

const CUSTOMS_JOURNEY = [
  scan(
    '2026-12-01T14:00:00-05:00',
    'info_received',
    'DR1',
    "Étiquette créée : colis annoncé par l'expéditeur",
    PLACES.montreal,
  ),
  scan(
    '2026-12-01T22:00:00-05:00',
    'in_transit',
    'PC1',
    'Colis pris en charge par le transporteur',
    PLACES.montreal,
  ),
  scan(
    '2026-12-02T10:00:00-05:00',
    'in_transit',
    'EX1',
    "Colis expédié depuis le pays d'origine",
    PLACES.montreal,
  ),
  scan(
    '2026-12-03T07:30:00+01:00',
    'in_transit',
    'AR1',
    'Colis arrivé dans le pays de destination',
    PLACES.roissy,
  ),
  scan('2026-12-03T09:45:00+01:00', 'in_transit', 'DO1', 'Colis présenté en douane', PLACES.roissy),
  scan(
    '2026-12-03T15:20:00+01:00',
    'exception',
    'DO2',
    'Colis retenu en douane : documents manquants',
    PLACES.roissy,
  ),
]

interface StateFacts {
  events: TrackingEvent[]
  now: string
  record?: Partial<TrackingRecord>
}

const STATE_FACTS: Record<PageState, StateFacts> = {
  pending: { events: [], now: '2026-12-04T09:05:00+01:00', record: { promisedDeliveryDate: '2026-12-09' } },
  info_received: {
    events: [LABEL],
    now: '2026-12-04T12:00:00+01:00',
    record: { promisedDeliveryDate: '2026-12-09' },
  },
  in_transit: {
    events: [LABEL, TAKEN, LYON, SORTED],
    now: '2026-12-07T09:00:00+01:00',
    record: { estimatedDelivery: '2026-12-08', promisedDeliveryDate: '2026-12-09' },
  },
  out_for_delivery: {
    events: [LABEL, TAKEN, LYON, SORTED, OUT],
    now: '2026-12-08T08:30:00+01:00',
    record: {
      estimatedDelivery: '2026-12-08T10:00:00+01:00',
      estimatedDeliveryWindow: { from: '2026-12-08T10:00:00+01:00', to: '2026-12-08T12:00:00+01:00' },
      promisedDeliveryDate: '2026-12-09',
    },
  },
  failed_attempt: { events: [LABEL, TAKEN, LYON, SORTED, OUT, ABSENT], now: '2026-12-08T14:00:00+01:00' },
  available_for_pickup: {
    events: [LABEL, TAKEN, LYON, SORTED, OUT, ABSENT, AT_RELAY],
    now: '2026-12-17T10:00:00+01:00',
  },
  delivered: {
    events: [LABEL, TAKEN, LYON, SORTED, OUT, DELIVERED],
    now: '2026-12-08T18:00:00+01:00',
    record: { deliveredAt: DELIVERED.occurredAt, promisedDeliveryDate: '2026-12-09' },
  },
  returned: {
    events: [LABEL, TAKEN, LYON, SORTED, OUT, ABSENT, AT_RELAY, RETURNING, RETURN_TRANSIT],
    now: '2026-12-21T12:00:00+01:00',
  },
  exception: {
    events: CUSTOMS_JOURNEY,
    now: '2026-12-04T10:00:00+01:00',
    record: { destinationCountry: 'FR' },
  },
  late: {
    events: [LABEL, TAKEN, LYON],
    now: '2026-12-08T14:00:00+01:00',
    record: { promisedDeliveryDate: '2026-12-07', estimatedDelivery: '2026-12-10' },
  },
}

const POLICY: AlertPolicy = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}

/** Sample deadlines of a parcel delivered on Tuesday 8 December 2026. */
export const SAMPLE_DEADLINES = {
  withdrawalUntil: '2026-12-22',
  carrierProtestUntil: '2026-12-11',
  conformityGuaranteeUntil: '2028-12-08',
} as const

/** The record of a state as the store would hold it: status from its timeline, alerts from the domain. */
export function stateRecord(state: PageState): {
  record: TrackingRecord
  events: TrackingEvent[]
  nowMs: number
} {
  const facts = STATE_FACTS[state]
  const nowMs = Date.parse(facts.now)
  const base = registeredRecord({
    status: deriveTrackingStatus(facts.events),
    orderId: PRIVATE_FACTS.orderId,
    destinationPostalCode: PRIVATE_FACTS.destinationPostalCode,
    metadata: { customer: PRIVATE_FACTS.metadataValue },
    createdAt: '2026-12-04T09:00:00+01:00',
    lastNewEventAt: facts.events.at(-1)?.occurredAt ?? '2026-12-04T09:00:00+01:00',
    ...facts.record,
  })
  const conditions = evaluateAlertConditions({ record: base, events: facts.events, nowMs, policy: POLICY })
  const { alerts } = reconcileAlerts([], conditions, new Date(nowMs).toISOString(), (type) => `alr_${type}`)
  return { record: { ...base, alerts }, events: facts.events, nowMs }
}

export function pageInput(
  state: PageState,
  lang: 'fr' | 'en',
  overrides: Partial<TrackingPageInput> = {},
): TrackingPageInput {
  const { record, events, nowMs } = stateRecord(state)
  return {
    record,
    events,
    lang,
    nowMs,
    carrierName: 'Colissimo',
    carrierTrackingUrl: `https://www.laposte.fr/outils/suivre-vos-envois?code=${LAPOSTE_NUMBER}`,
    branding: {
      displayName: 'Maison Lumière',
      logoUrl: '/logo.svg',
      supportUrl: 'https://maison-lumiere.example/aide',
      supportEmail: 'aide@maison-lumiere.example',
    },
    showOrderId: false,
    pageUrl: 'https://colis.example/t/Zm9vYmFyYmF6cXV4cXV1eA',
    ...(state === 'delivered' ? { consumerDeadlines: SAMPLE_DEADLINES } : {}),
    ...overrides,
  }
}
