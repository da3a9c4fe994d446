export const WEBHOOK_EVENT_TYPES = [
  'tracking.updated',
  'tracking.status_changed',
  'tracking.forecast_changed',
  'alert.opened',
  'alert.resolved',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]
