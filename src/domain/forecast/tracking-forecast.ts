import { handoverOf } from '../analytics/parcel-outcome.js'
import { type DayKind, parisDateOfTimestamp } from '../business-calendar.js'
import { sortEvents } from '../timeline.js'
import type { TrackingRecord } from '../tracking.js'
import type { TrackingEvent } from '../tracking-event.js'
import type { TrackingStatus } from '../tracking-status.js'
import { type DeliveryForecast, type ForecastParcel, forecast, forecastWithLateness } from './forecast.js'
import type { ForecastModel } from './forecast-model.js'

const NOT_ON_THE_WAY: readonly TrackingStatus[] = ['pending', 'delivered', 'returned_to_sender', 'expired']

/** Whether a tracking may have a forecast: on its way, still followed. Its timeline then decides. */
export function mayForecast(record: TrackingRecord): boolean {
  return !NOT_ON_THE_WAY.includes(record.status) && record.stopped === undefined
}

export interface ForecastContext {
  model: ForecastModel
  /** The days the parcel's carrier delivers on, for its service (as its alerts and analytics count). */
  dayKind: DayKind
  nowMs: number
}

function forecastParcelOf(
  record: TrackingRecord,
  handedOverAt: string,
  context: ForecastContext,
): ForecastParcel {
  return {
    carrier: record.carrier,
    // As analytics name the service of a cell, so the parcel lands in the cells it learnt from.
    service: record.service ?? record.product ?? '-',
    destination: record,
    handedOverAt,
    nowMs: context.nowMs,
    stage: record.status,
    dayKind: context.dayKind,
  }
}

/**
 * The delivery forecast of an active tracking handed over to its carrier, from where it stands now;
 * undefined before the handover, once it is over, or without enough history.
 */
export function deliveryForecastOf(
  record: TrackingRecord,
  handedOverAt: string | undefined,
  context: ForecastContext,
): DeliveryForecast | undefined {
  if (!mayForecast(record) || handedOverAt === undefined) return undefined
  return forecast(context.model, forecastParcelOf(record, handedOverAt, context))
}

/** The handover of a timeline in any order. */
export function handoverOfEvents(events: readonly TrackingEvent[]): string | undefined {
  return handoverOf(sortEvents(events))
}

export interface TrackingForecast {
  deliveryForecast: DeliveryForecast
  /** P(delivered after the merchant's promised date); absent without a promise. */
  probabilityLate?: number
}

/** The forecast of a tracking and, when the merchant promised a date, the chance it misses it. */
export function trackingForecastOf(
  record: TrackingRecord,
  events: readonly TrackingEvent[],
  context: ForecastContext,
): TrackingForecast | undefined {
  if (!mayForecast(record)) return undefined
  const handedOverAt = handoverOfEvents(events)
  if (handedOverAt === undefined) return undefined
  const promised =
    record.promisedDeliveryDate === undefined ? undefined : parisDateOfTimestamp(record.promisedDeliveryDate)
  const found = forecastWithLateness(context.model, forecastParcelOf(record, handedOverAt, context), promised)
  if (found === undefined) return undefined
  return found.probabilityLate === undefined
    ? { deliveryForecast: found.forecast }
    : { deliveryForecast: found.forecast, probabilityLate: found.probabilityLate }
}
