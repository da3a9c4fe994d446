export const TRACKING_STATUSES = [
  'pending',
  'info_received',
  'in_transit',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'delivered',
  'returned_to_sender',
  'exception',
  'expired',
] as const
export type TrackingStatus = (typeof TRACKING_STATUSES)[number]

/** What one carrier scan means. `unknown` is an unmapped carrier code: shown, never drives the status. */
export const EVENT_STATUSES = [
  'info_received',
  'in_transit',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'delivered',
  'returned_to_sender',
  'exception',
  'unknown',
] as const
export type EventStatus = (typeof EVENT_STATUSES)[number]

/** Statuses after which colis stops polling. `returned_to_sender` is terminal only once the return is final. */
export function isTerminalStatus(status: TrackingStatus, final: boolean): boolean {
  if (status === 'delivered' || status === 'expired') return true
  return status === 'returned_to_sender' && final
}
