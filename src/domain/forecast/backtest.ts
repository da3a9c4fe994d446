import { type CalendarDate, type DayKind, parisDateOfTimestamp } from '../business-calendar.js'
import type { DeliveryHistoryRow } from './delivery-history.js'
import { conditionalTransit } from './forecast.js'
import {
  cellKey,
  createForecastModel,
  type ForecastLevel,
  learnTransit,
  MIN_SAMPLES,
} from './forecast-model.js'
import { businessDaysBetween, forecastRegionOf, isoWeekOf, readDestination } from './transit-days.js'
import {
  conditionOn,
  massAfter,
  shortestWindow,
  type TransitDistribution,
  type TransitWindow,
} from './transit-distribution.js'

/** A delivered parcel on the business-day scale of its carrier and destination. */
export interface HistoryParcel {
  carrier: string
  service: string
  destination: string
  handedOverAt: string
  region: string
  postalCode?: string
  dayKind: DayKind
  handedOverOn: CalendarDate
  deliveredOn: CalendarDate
  transitDays: number
  week: string
  promisedDate?: CalendarDate
  carrierEstimate?: CalendarDate
}

const DAY_KINDS: readonly string[] = ['ouvrables', 'ouvres']

/** The row as the backtest reads it, or why it cannot. */
export function readHistoryRow(row: DeliveryHistoryRow, defaultDayKind: DayKind): HistoryParcel | string {
  if (!row.carrier.trim()) return 'carrier is empty'
  const destination = readDestination(row.destination)
  if (!destination)
    return `destination "${row.destination}" is neither a French postal code nor a country code`
  const handedOverOn = withOffset(row.handedOverAt) ? parisDateOfTimestamp(row.handedOverAt) : undefined
  if (!handedOverOn) return `handedOverAt "${row.handedOverAt}" is not an ISO 8601 time with an offset`
  const deliveredOn = withOffset(row.deliveredAt) ? parisDateOfTimestamp(row.deliveredAt) : undefined
  if (!deliveredOn) return `deliveredAt "${row.deliveredAt}" is not an ISO 8601 time with an offset`
  if (deliveredOn < handedOverOn) return 'deliveredAt is before handedOverAt'
  const dates: { promisedDate?: CalendarDate; carrierEstimate?: CalendarDate } = {}
  for (const column of ['promisedDate', 'carrierEstimate'] as const) {
    const text = row[column]?.trim()
    if (!text) continue
    const date = parisDateOfTimestamp(text)
    if (!date) return `${column} "${text}" is not a date`
    dates[column] = date
  }
  const dayKindText = row.dayKind?.trim()
  if (dayKindText && !DAY_KINDS.includes(dayKindText))
    return `dayKind "${dayKindText}" is not ouvrables or ouvres`
  const dayKind = (dayKindText || defaultDayKind) as DayKind
  const { region, postalCode } = forecastRegionOf(destination)
  return {
    carrier: row.carrier,
    service: row.service,
    destination: row.destination,
    handedOverAt: row.handedOverAt,
    region,
    ...(postalCode === undefined ? {} : { postalCode }),
    dayKind,
    handedOverOn,
    deliveredOn,
    transitDays: businessDaysBetween(handedOverOn, deliveredOn, dayKind, postalCode),
    week: isoWeekOf(handedOverOn),
    ...dates,
  }
}

function withOffset(text: string): boolean {
  return /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())
}

export interface MethodScore {
  /** Parcels the method gave a window for. */
  forecasts: number
  /** Share of those delivered inside the window. */
  coverage: number
  /** Business days the window spans, both ends included (one day: 1). */
  meanWidthDays: number
  /** Mean absolute error of the most likely day, in business days. */
  maeDays: number
  /** Brier score of "delivered after the promise", over parcels with a promise; undefined for a date-only method. */
  brier?: number
  brierParcels: number
}

export interface BacktestReport {
  probability: number
  parcels: number
  /** Weeks used only to learn (and to set the fixed table), then the weeks forecast. */
  warmupWeeks: string[]
  weeks: number
  model: MethodScore & { meanClaimedMass: number; levels: Record<ForecastLevel, number> }
  fixedTable: MethodScore
  carrierEstimate: MethodScore
}

export interface BacktestOptions {
  probability?: number
  /** The first weeks only train the model and set the fixed table. */
  warmupWeeks?: number
  /** Sees every window the model gives, with its parcel: how a test compares it with the truth. */
  onForecast?: (parcel: HistoryParcel, window: TransitWindow) => void
}

class ScoreSum {
  forecasts = 0
  covered = 0
  width = 0
  error = 0
  brier = 0
  brierParcels = 0

  add(parcel: HistoryParcel, window: TransitWindow | { from: number; to: number; mostLikely: number }): void {
    this.forecasts++
    if (parcel.transitDays >= window.from && parcel.transitDays <= window.to) this.covered++
    this.width += window.to - window.from + 1
    this.error += Math.abs(window.mostLikely - parcel.transitDays)
  }

  addLateness(parcel: HistoryParcel, distribution: TransitDistribution): void {
    if (parcel.promisedDate === undefined) return
    const late = parcel.deliveredOn > parcel.promisedDate ? 1 : 0
    const p =
      parcel.promisedDate < parcel.handedOverOn
        ? 1
        : massAfter(distribution, dayIndex(parcel, parcel.promisedDate))
    this.brier += (p - late) ** 2
    this.brierParcels++
  }

  score(withBrier: boolean): MethodScore {
    const per = (value: number, count: number) => (count === 0 ? 0 : value / count)
    return {
      forecasts: this.forecasts,
      coverage: per(this.covered, this.forecasts),
      meanWidthDays: per(this.width, this.forecasts),
      maeDays: per(this.error, this.forecasts),
      ...(withBrier ? { brier: per(this.brier, this.brierParcels) } : {}),
      brierParcels: this.brierParcels,
    }
  }
}

/** A date on the parcel's business-day scale, negative before handover. */
function dayIndex(parcel: HistoryParcel, date: CalendarDate): number {
  return date >= parcel.handedOverOn
    ? businessDaysBetween(parcel.handedOverOn, date, parcel.dayKind, parcel.postalCode)
    : -businessDaysBetween(date, parcel.handedOverOn, parcel.dayKind, parcel.postalCode)
}

function groupByWeek(parcels: readonly HistoryParcel[]): Array<[string, HistoryParcel[]]> {
  const weeks = new Map<string, HistoryParcel[]>()
  for (const parcel of parcels) {
    const week = weeks.get(parcel.week)
    if (week) week.push(parcel)
    else weeks.set(parcel.week, [parcel])
  }
  return [...weeks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * Rolling origin by ISO week: each week's parcels are forecast at handover from the weeks before it
 * only, then learnt. The fixed table is each carrier's shortest window over the warm-up weeks, never
 * updated, as a published "2 to 4 days" is.
 */
export function backtestForecasts(
  parcels: readonly HistoryParcel[],
  options: BacktestOptions = {},
): BacktestReport {
  const probability = options.probability ?? 0.8
  const weeks = groupByWeek(parcels)
  const warmup = weeks.slice(0, options.warmupWeeks ?? 4)
  const model = createForecastModel()
  for (const [, week] of warmup) for (const parcel of week) learnTransit(model, parcel)
  const fixed = new Map<string, { distribution: TransitDistribution; window: TransitWindow }>()
  for (const [key, histogram] of model.cells) {
    if (key.includes('\u0000')) continue
    const distribution = conditionOn(histogram, 0)
    if (distribution && distribution.samples >= MIN_SAMPLES)
      fixed.set(key, { distribution, window: shortestWindow(distribution, probability) })
  }
  const modelSum = new ScoreSum()
  const fixedSum = new ScoreSum()
  const estimateSum = new ScoreSum()
  const levels: Record<ForecastLevel, number> = { carrier_service_region: 0, carrier_service: 0, carrier: 0 }
  let claimedMass = 0
  for (const [, week] of weeks.slice(warmup.length)) {
    for (const parcel of week) {
      const found = conditionalTransit(model, parcel, 0)
      if (found) {
        const window = shortestWindow(found.distribution, probability)
        modelSum.add(parcel, window)
        modelSum.addLateness(parcel, found.distribution)
        claimedMass += window.mass
        options.onForecast?.(parcel, window)
        levels[found.level]++
      }
      const table = fixed.get(cellKey('carrier', parcel))
      if (table) {
        fixedSum.add(parcel, table.window)
        fixedSum.addLateness(parcel, table.distribution)
      }
      if (parcel.carrierEstimate !== undefined) {
        const day = dayIndex(parcel, parcel.carrierEstimate)
        estimateSum.add(parcel, { from: day, to: day, mostLikely: day })
      }
    }
    for (const parcel of week) learnTransit(model, parcel)
  }
  const modelScore = modelSum.score(true)
  return {
    probability,
    parcels: parcels.length,
    warmupWeeks: warmup.map(([week]) => week),
    weeks: weeks.length - warmup.length,
    model: {
      ...modelScore,
      meanClaimedMass: modelScore.forecasts ? claimedMass / modelScore.forecasts : 0,
      levels,
    },
    fixedTable: fixedSum.score(true),
    carrierEstimate: estimateSum.score(false),
  }
}
