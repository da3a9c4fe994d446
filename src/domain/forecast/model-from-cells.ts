import type { Histogram } from '../analytics/histogram.js'
import { createForecastModel, type ForecastModel, learnTransit } from './forecast-model.js'

/** What the bridge reads of an analytics cell-week: its lane and its transit-day histogram. */
export interface TransitCell {
  cell: { carrier: string; service: string; destination: string }
  summary: { transitDays: Histogram }
}

/**
 * The forecast's region of an analytics destination: `FR-75` → `75`, Corsica's `FR-2A`/`FR-2B` → `20`
 * (the forecast groups by postal prefix, and both départements share `20`), `FR-971` → `971`; a
 * country (`BE`, `MC`, or `FR` when the département was unknown) stays itself.
 */
export function forecastRegionOfCell(destination: string): string {
  const match = /^FR-(\w+)$/.exec(destination.trim().toUpperCase())
  if (!match?.[1]) return destination.trim().toUpperCase()
  return /^2[AB]$/.test(match[1]) ? '20' : match[1]
}

/**
 * A bucket's whole business day: its lower edge rounded half up, as `learnTransit` rounds a value. The
 * analytics count whole days, so a half-day bucket (`[2.5, 3)`) is always empty; were it not, its values
 * would round to 3. The last bucket (30 days and more) counts at its lower edge.
 */
export function wholeDayOfBucket(lowerEdge: number): number {
  return Math.round(lowerEdge)
}

/** The forecast model of every delivered parcel the cells hold, each at its bucket's whole day. */
export function forecastModelFromCells(cells: Iterable<TransitCell>): ForecastModel {
  const model = createForecastModel()
  for (const { cell, summary } of cells) {
    const lane = {
      carrier: cell.carrier,
      service: cell.service,
      region: forecastRegionOfCell(cell.destination),
    }
    const edges = summary.transitDays.buckets.lowerEdges
    for (const [index, count] of summary.transitDays.counts.entries()) {
      const transitDays = wholeDayOfBucket(edges[index] ?? 0)
      for (let parcel = 0; parcel < count; parcel++) learnTransit(model, { ...lane, transitDays })
    }
  }
  return model
}
