export const ALERT_TYPES = [
  'late',
  'at_risk',
  'stalled',
  'exception',
  'failed_attempt',
  'pickup_expiring',
  'returned',
] as const
export type AlertType = (typeof ALERT_TYPES)[number]

/** One alert episode of a parcel; open while `resolvedAt` is absent. */
export interface DelayAlert {
  id: string
  type: AlertType
  openedAt: string
  resolvedAt?: string
  details: Record<string, unknown>
}
