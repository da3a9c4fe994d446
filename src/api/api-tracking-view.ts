import type { DeliveryForecast } from '../domain/forecast/forecast.js'
import type { TrackingRecord } from '../domain/tracking.js'
import type { TrackingEvent } from '../domain/tracking-event.js'
import { type TrackingViewOptions, toTrackingView, trackingViewJson } from '../domain/tracking-view.js'

/** What the API adds to the domain's view: its own fields, kept out of the domain's (and webhooks'). */
export interface ApiViewExtras {
  deliveryForecast?: DeliveryForecast
}

/**
 * A tracking as the API answers it: the domain's view with the URL of its public page (PUBLIC_BASE_URL)
 * and the delivery forecast. The page token is never a field of its own.
 */
export function toApiTrackingView(
  record: TrackingRecord,
  publicBaseUrl: string,
  events?: readonly TrackingEvent[],
  nextDueAtMs?: number,
  options: TrackingViewOptions = {},
  extras: ApiViewExtras = {},
) {
  const view = toTrackingView(record, events, nextDueAtMs, { ...options, publicBaseUrl })
  const { deliveryForecast } = extras
  return {
    ...view,
    ...(deliveryForecast ? { deliveryForecast } : {}),
  } as typeof view & { trackingPageUrl: string; deliveryForecast?: DeliveryForecast }
}

export type ApiTrackingView = ReturnType<typeof toApiTrackingView>

/** `JSON.stringify(toApiTrackingView(…))` with the timeline spliced in as stored (see trackingViewJson). */
export function apiTrackingViewJson(
  record: TrackingRecord,
  publicBaseUrl: string,
  eventsJson: string,
  nextDueAtMs?: number,
  options: TrackingViewOptions = {},
  extras: ApiViewExtras = {},
): string {
  const json = trackingViewJson(record, eventsJson, nextDueAtMs, { ...options, publicBaseUrl })
  const { deliveryForecast } = extras
  if (!deliveryForecast) return json
  return `${json.slice(0, -1)},"deliveryForecast":${JSON.stringify(deliveryForecast)}}`
}

/**
 * The view options of a merchant's trackings: its withdrawal period, read only when one of them is
 * delivered (the only ones with consumer deadlines), so other reads cost no settings lookup.
 */
export async function viewOptionsFor(
  settings: { get(merchantId: string): Promise<{ withdrawalDays?: number } | undefined> },
  merchantId: string,
  records: readonly TrackingRecord[],
): Promise<TrackingViewOptions> {
  if (!records.some((record) => record.status === 'delivered')) return {}
  const withdrawalDays = (await settings.get(merchantId))?.withdrawalDays
  return withdrawalDays === undefined ? {} : { withdrawalDays }
}
