import { addTransit, emptyHistogram, type TransitHistogram } from './transit-distribution.js'

/** From the narrowest cell to the broadest: the forecast uses the first one with enough parcels. */
export const FORECAST_LEVELS = ['carrier_service_region', 'carrier_service', 'carrier'] as const
export type ForecastLevel = (typeof FORECAST_LEVELS)[number]

/**
 * Parcels a cell needs before it speaks for a parcel. An 80 % window leaves a tenth of the mass on
 * each side: with 20 parcels each tail rests on two of them, the fewest that still tells a tail from
 * one odd parcel; and a new carrier gets forecasts after its first 20 deliveries, under the 30 allowed.
 */
export const MIN_SAMPLES = 20

/** A delivered parcel as the model learns it. */
export interface TransitSample {
  carrier: string
  service: string
  region: string
  transitDays: number
}

/** Transit histograms of delivered parcels, one per cell of every level. */
export interface ForecastModel {
  cells: Map<string, TransitHistogram>
}

export interface ForecastCell {
  carrier: string
  service: string
  region: string
}

export function cellKey(level: ForecastLevel, cell: ForecastCell): string {
  const carrier = cell.carrier.trim().toLowerCase()
  const service = cell.service.trim().toLowerCase()
  if (level === 'carrier') return carrier
  if (level === 'carrier_service') return `${carrier}\u0000${service}`
  return `${carrier}\u0000${service}\u0000${cell.region.trim().toUpperCase()}`
}

export function createForecastModel(): ForecastModel {
  return { cells: new Map() }
}

/** Adds one delivered parcel to its cell at every level. */
export function learnTransit(model: ForecastModel, sample: TransitSample): void {
  for (const level of FORECAST_LEVELS) {
    const key = cellKey(level, sample)
    let histogram = model.cells.get(key)
    if (!histogram) {
      histogram = emptyHistogram()
      model.cells.set(key, histogram)
    }
    addTransit(histogram, sample.transitDays)
  }
}

export function trainForecastModel(samples: Iterable<TransitSample>): ForecastModel {
  const model = createForecastModel()
  for (const sample of samples) learnTransit(model, sample)
  return model
}

/** Where a process reads the forecast model it keeps in memory; undefined while it has none. */
export interface ForecastSource {
  model(): ForecastModel | undefined
}
