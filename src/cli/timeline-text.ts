import type { EventStatus, TrackingStatus } from '../domain/tracking-status.js'
import type { Language } from './language.js'
import type { StyleFormat } from './terminal-colour.js'

type AnyStatus = TrackingStatus | EventStatus

/** Every tracking and event status in each language: a status missing here does not compile. */
export const STATUS_LABELS = {
  fr: {
    pending: 'En attente',
    info_received: 'Colis annoncé',
    in_transit: 'En transit',
    out_for_delivery: 'En cours de livraison',
    failed_attempt: 'Livraison manquée',
    available_for_pickup: 'À retirer',
    delivered: 'Livré',
    returned_to_sender: "Retour à l'expéditeur",
    exception: 'Incident',
    expired: 'Suivi expiré',
    unknown: 'Événement non reconnu',
  },
  en: {
    pending: 'Pending',
    info_received: 'Label created',
    in_transit: 'In transit',
    out_for_delivery: 'Out for delivery',
    failed_attempt: 'Delivery attempt failed',
    available_for_pickup: 'Ready for pickup',
    delivered: 'Delivered',
    returned_to_sender: 'Returned to sender',
    exception: 'Exception',
    expired: 'Tracking expired',
    unknown: 'Unrecognised event',
  },
} as const satisfies Record<Language, Record<AnyStatus, string>>

export const STATUS_STYLES = {
  pending: 'gray',
  info_received: 'blue',
  in_transit: 'cyan',
  out_for_delivery: 'magenta',
  failed_attempt: 'yellow',
  available_for_pickup: 'yellow',
  delivered: 'green',
  returned_to_sender: 'red',
  exception: 'red',
  expired: 'gray',
  unknown: 'gray',
} as const satisfies Record<AnyStatus, StyleFormat>

// French typography puts a space before a colon.
export const TIMELINE_TEXT = {
  fr: {
    status: 'Statut :',
    estimatedDelivery: 'Livraison estimée :',
    history: 'Historique (heure de Paris)',
    noEvents: 'Aucun événement pour le moment.',
  },
  en: {
    status: 'Status:',
    estimatedDelivery: 'Estimated delivery:',
    history: 'History (Paris time)',
    noEvents: 'No events yet.',
  },
} as const satisfies Record<Language, Record<string, string>>
