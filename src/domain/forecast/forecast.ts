import {
  type CalendarDate,
  type DayKind,
  isBusinessDay,
  parisDateOf,
  parisDateOfTimestamp,
} from '../business-calendar.js'
import type { Destination } from '../destination.js'
import type { TrackingStatus } from '../tracking-status.js'
import {
  cellKey,
  FORECAST_LEVELS,
  type ForecastLevel,
  type ForecastModel,
  MIN_SAMPLES,
} from './forecast-model.js'
import { arrivalDate, businessDaysBetween, forecastRegionOf } from './transit-days.js'
import { conditionOn, massAfter, shortestWindow, type TransitDistribution } from './transit-distribution.js'

export interface ForecastParcel {
  carrier: string
  service: string
  destination: Destination
  /** The first carrier scan (ISO 8601 with offset); absent before handover, when the clock starts today. */
  handedOverAt?: string
  nowMs: number
  stage: TrackingStatus
  /** The days the carrier delivers on. */
  dayKind: DayKind
}

export interface DeliveryForecast {
  /** Paris dates, `YYYY-MM-DD`. */
  from: CalendarDate
  to: CalendarDate
  mostLikely: CalendarDate
  probability: number
  /** `stage`: out for delivery or at a pickup point, where the parcel's own state says the day. */
  basis: { level: ForecastLevel | 'stage'; samples: number }
}

/** Where a parcel stands on the business-day scale of its cell, and how to turn an index back into a date. */
interface ParcelClock {
  handedOverOn: CalendarDate
  today: CalendarDate
  /** The first index it may still arrive on: today, or the next business day when today is none. */
  earliestDay: number
  dayKind: DayKind
  postalCode?: string
}

function clockOf(parcel: ForecastParcel, postalCode: string | undefined): ParcelClock {
  const today = parisDateOf(parcel.nowMs)
  const handedOver = parcel.handedOverAt === undefined ? undefined : parisDateOfTimestamp(parcel.handedOverAt)
  const handedOverOn = handedOver !== undefined && handedOver <= today ? handedOver : today
  const elapsed = businessDaysBetween(handedOverOn, today, parcel.dayKind, postalCode)
  const todayCounts = today === handedOverOn || isBusinessDay(today, parcel.dayKind, postalCode)
  return {
    handedOverOn,
    today,
    earliestDay: todayCounts ? elapsed : elapsed + 1,
    dayKind: parcel.dayKind,
    postalCode,
  }
}

/**
 * The distribution of the narrowest cell holding at least MIN_SAMPLES parcels that took as long as
 * this one has already been travelling, conditioned on that: the days already past are dropped.
 */
export function conditionalTransit(
  model: ForecastModel,
  cell: { carrier: string; service: string; region: string },
  earliestDay: number,
): { level: ForecastLevel; distribution: TransitDistribution } | undefined {
  for (const level of FORECAST_LEVELS) {
    const histogram = model.cells.get(cellKey(level, cell))
    const distribution = histogram && conditionOn(histogram, earliestDay)
    if (distribution && distribution.samples >= MIN_SAMPLES) return { level, distribution }
  }
  return undefined
}

const SETTLED: readonly TrackingStatus[] = ['delivered', 'returned_to_sender', 'expired']

function checkProbability(probability: number): void {
  if (!(probability > 0 && probability <= 1))
    throw new RangeError(`probability must be in (0, 1]: ${probability}`)
}

/**
 * The window of `forecast` and, given a promised date, the chance of `probabilityLate`, from one
 * conditional distribution: a save that needs both works the parcel's clock and cell out once.
 * Undefined when there is no window (the parcel has arrived, or no cell has enough history).
 */
export function forecastWithLateness(
  model: ForecastModel,
  parcel: ForecastParcel,
  promisedDate: CalendarDate | undefined,
  probability = 0.8,
): { forecast: DeliveryForecast; probabilityLate?: number } | undefined {
  checkProbability(probability)
  if (SETTLED.includes(parcel.stage)) return undefined
  const { region, postalCode } = forecastRegionOf(parcel.destination)
  const clock = clockOf(parcel, postalCode)
  if (parcel.stage === 'out_for_delivery' || parcel.stage === 'available_for_pickup') {
    const today = clock.today
    const forecast: DeliveryForecast = {
      from: today,
      to: today,
      mostLikely: today,
      probability,
      basis: { level: 'stage', samples: 0 },
    }
    return promisedDate === undefined
      ? { forecast }
      : { forecast, probabilityLate: today > promisedDate ? 1 : 0 }
  }
  const found = conditionalTransit(model, { ...parcel, region }, clock.earliestDay)
  if (!found) return undefined
  const window = shortestWindow(found.distribution, probability)
  const dateOf = (day: number) => arrivalDate(clock.handedOverOn, day, clock.dayKind, clock.postalCode)
  const forecast: DeliveryForecast = {
    from: dateOf(window.from),
    to: dateOf(window.to),
    mostLikely: dateOf(window.mostLikely),
    probability,
    basis: { level: found.level, samples: found.distribution.samples },
  }
  if (promisedDate === undefined) return { forecast }
  const probabilityLate =
    promisedDate < clock.handedOverOn
      ? 1
      : massAfter(
          found.distribution,
          businessDaysBetween(clock.handedOverOn, promisedDate, clock.dayKind, postalCode),
        )
  return { forecast, probabilityLate }
}

/**
 * The window the parcel arrives in with at least `probability`, from similar delivered parcels;
 * undefined once it has arrived, or when no cell has enough history (never an invented one).
 * At a pickup point the parcel is there: the window is today, the first day it can be collected.
 */
export function forecast(
  model: ForecastModel,
  parcel: ForecastParcel,
  probability = 0.8,
): DeliveryForecast | undefined {
  return forecastWithLateness(model, parcel, undefined, probability)?.forecast
}

/** P(the parcel arrives after `promisedDate`), by the same distribution as `forecast`; undefined without one. */
export function probabilityLate(
  model: ForecastModel,
  parcel: ForecastParcel,
  promisedDate: CalendarDate,
): number | undefined {
  return forecastWithLateness(model, parcel, promisedDate)?.probabilityLate
}
