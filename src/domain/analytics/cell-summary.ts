import type { AnalyticsCell } from './analytics-cell.js'
import {
  addValue,
  BUSINESS_DAY_BUCKETS,
  decodeHistogram,
  type EncodedHistogram,
  emptyHistogram,
  encodeHistogram,
  type Histogram,
  type HistogramBuckets,
  HOUR_BUCKETS,
  mergeAllHistograms,
  mergeHistograms,
} from './histogram.js'
import type { ParcelOutcome } from './parcel-outcome.js'

export interface Ratio {
  yes: number
  total: number
}

/** Everything colis keeps of the parcels of one cell: counts and histograms, nothing per parcel. */
export interface CellSummary {
  parcels: number
  delivered: number
  returned: number
  expired: number
  /** Delivered parcels that had a promise, and those delivered by it. */
  onTime: Ratio
  /** Delivered parcels, and those delivered without a failed attempt first. */
  firstAttempt: Ratio
  /** Parcels collected at a pickup point, and how long they waited there (hours). */
  pickup: { count: number; collection: Histogram }
  exceptions: number
  stalls: number
  /** Handover to delivery, in the carrier's business days. */
  transitDays: Histogram
  transitHours: Histogram
  /** Registration to handover, in hours. */
  firstScanLag: Histogram
  /** Scan to colis storing it, in hours, one value per event. */
  reportingLag: Histogram
}

export const GROUP_BY = ['carrier', 'service', 'destination', 'week'] as const
export type GroupBy = (typeof GROUP_BY)[number]

export function emptySummary(): CellSummary {
  return {
    parcels: 0,
    delivered: 0,
    returned: 0,
    expired: 0,
    onTime: { yes: 0, total: 0 },
    firstAttempt: { yes: 0, total: 0 },
    pickup: { count: 0, collection: emptyHistogram(HOUR_BUCKETS) },
    exceptions: 0,
    stalls: 0,
    transitDays: emptyHistogram(BUSINESS_DAY_BUCKETS),
    transitHours: emptyHistogram(HOUR_BUCKETS),
    firstScanLag: emptyHistogram(HOUR_BUCKETS),
    reportingLag: emptyHistogram(HOUR_BUCKETS),
  }
}

const count = (flag: boolean | undefined) => (flag ? 1 : 0)

function addIfPresent(histogram: Histogram, value: number | undefined): Histogram {
  return value === undefined ? histogram : addValue(histogram, value)
}

function addRatio(ratio: Ratio, answer: boolean | undefined): Ratio {
  return answer === undefined ? ratio : { yes: ratio.yes + count(answer), total: ratio.total + 1 }
}

/** `summary` with one more finished parcel. */
export function addOutcome(summary: CellSummary, { metrics }: ParcelOutcome): CellSummary {
  const delivered = metrics.outcome === 'delivered'
  return {
    parcels: summary.parcels + 1,
    delivered: summary.delivered + count(delivered),
    returned: summary.returned + count(metrics.returned),
    expired: summary.expired + count(metrics.outcome === 'expired'),
    onTime: addRatio(summary.onTime, metrics.onTime),
    firstAttempt: addRatio(summary.firstAttempt, delivered ? metrics.firstAttemptSuccess : undefined),
    pickup: {
      count: summary.pickup.count + count(metrics.atPickupPoint),
      collection: addIfPresent(summary.pickup.collection, metrics.collectionHours),
    },
    exceptions: summary.exceptions + count(metrics.exception),
    stalls: summary.stalls + count(metrics.stalled),
    transitDays: addIfPresent(summary.transitDays, metrics.transitBusinessDays),
    transitHours: addIfPresent(summary.transitHours, metrics.transitHours),
    firstScanLag: addIfPresent(summary.firstScanLag, metrics.firstScanLagHours),
    reportingLag: mergeHistograms(summary.reportingLag, metrics.reportingLag),
  }
}

function mergeRatios(a: Ratio, b: Ratio): Ratio {
  return { yes: a.yes + b.yes, total: a.total + b.total }
}

/** The summary of both summaries' parcels together: across weeks, cells, merchants. */
export function mergeSummaries(a: CellSummary, b: CellSummary): CellSummary {
  return {
    parcels: a.parcels + b.parcels,
    delivered: a.delivered + b.delivered,
    returned: a.returned + b.returned,
    expired: a.expired + b.expired,
    onTime: mergeRatios(a.onTime, b.onTime),
    firstAttempt: mergeRatios(a.firstAttempt, b.firstAttempt),
    pickup: {
      count: a.pickup.count + b.pickup.count,
      collection: mergeHistograms(a.pickup.collection, b.pickup.collection),
    },
    exceptions: a.exceptions + b.exceptions,
    stalls: a.stalls + b.stalls,
    transitDays: mergeHistograms(a.transitDays, b.transitDays),
    transitHours: mergeHistograms(a.transitHours, b.transitHours),
    firstScanLag: mergeHistograms(a.firstScanLag, b.firstScanLag),
    reportingLag: mergeHistograms(a.reportingLag, b.reportingLag),
  }
}

/** The summary of all the summaries' parcels together: what merging them two by two gives, in one pass. */
export function mergeAllSummaries(summaries: Iterable<CellSummary>): CellSummary {
  const all = [...summaries]
  const sum = (count: (summary: CellSummary) => number) =>
    all.reduce((total, summary) => total + count(summary), 0)
  const ratio = (of: (summary: CellSummary) => Ratio): Ratio => ({
    yes: sum((summary) => of(summary).yes),
    total: sum((summary) => of(summary).total),
  })
  const histogram = (buckets: HistogramBuckets, of: (summary: CellSummary) => Histogram) =>
    mergeAllHistograms(buckets, all.map(of))
  return {
    parcels: sum((summary) => summary.parcels),
    delivered: sum((summary) => summary.delivered),
    returned: sum((summary) => summary.returned),
    expired: sum((summary) => summary.expired),
    onTime: ratio((summary) => summary.onTime),
    firstAttempt: ratio((summary) => summary.firstAttempt),
    pickup: {
      count: sum((summary) => summary.pickup.count),
      collection: histogram(HOUR_BUCKETS, (summary) => summary.pickup.collection),
    },
    exceptions: sum((summary) => summary.exceptions),
    stalls: sum((summary) => summary.stalls),
    transitDays: histogram(BUSINESS_DAY_BUCKETS, (summary) => summary.transitDays),
    transitHours: histogram(HOUR_BUCKETS, (summary) => summary.transitHours),
    firstScanLag: histogram(HOUR_BUCKETS, (summary) => summary.firstScanLag),
    reportingLag: histogram(HOUR_BUCKETS, (summary) => summary.reportingLag),
  }
}

/**
 * The group a cell falls in. A service is named with its carrier (two carriers may both call one
 * `express`); a destination or a week gathers every carrier.
 */
export function groupKey(cell: AnalyticsCell, groupBy: GroupBy): string {
  switch (groupBy) {
    case 'carrier':
      return cell.carrier
    case 'service':
      return `${cell.carrier}/${cell.service}`
    case 'destination':
      return cell.destination
    case 'week':
      return cell.week
  }
}

/** Stored form of a summary: short keys, histograms in their compact form. */
export interface EncodedSummary {
  n: number
  d: number
  r: number
  x: number
  ot: [number, number]
  fa: [number, number]
  pu: number
  pc: EncodedHistogram
  ex: number
  st: number
  td: EncodedHistogram
  th: EncodedHistogram
  fs: EncodedHistogram
  rl: EncodedHistogram
}

export function encodeSummary(summary: CellSummary): EncodedSummary {
  return {
    n: summary.parcels,
    d: summary.delivered,
    r: summary.returned,
    x: summary.expired,
    ot: [summary.onTime.yes, summary.onTime.total],
    fa: [summary.firstAttempt.yes, summary.firstAttempt.total],
    pu: summary.pickup.count,
    pc: encodeHistogram(summary.pickup.collection),
    ex: summary.exceptions,
    st: summary.stalls,
    td: encodeHistogram(summary.transitDays),
    th: encodeHistogram(summary.transitHours),
    fs: encodeHistogram(summary.firstScanLag),
    rl: encodeHistogram(summary.reportingLag),
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function invalidField(key: string, value: unknown): RangeError {
  return new RangeError(`not an encoded cell summary: ${key} is ${JSON.stringify(value)}`)
}

function countField(encoded: Record<string, unknown>, key: string): number {
  const value = encoded[key]
  if (isCount(value)) return value
  throw invalidField(key, value)
}

function ratioField(encoded: Record<string, unknown>, key: string): Ratio {
  const value = encoded[key]
  if (Array.isArray(value) && value.length === 2) {
    const [yes, total] = value as unknown[]
    if (isCount(yes) && isCount(total) && yes <= total) return { yes, total }
  }
  throw invalidField(key, value)
}

/** The summary `encoded` stands for; throws on anything `encodeSummary` never writes. */
export function decodeSummary(encoded: unknown): CellSummary {
  if (typeof encoded !== 'object' || encoded === null) {
    throw new RangeError(`not an encoded cell summary: ${JSON.stringify(encoded)}`)
  }
  const fields = encoded as Record<string, unknown>
  return {
    parcels: countField(fields, 'n'),
    delivered: countField(fields, 'd'),
    returned: countField(fields, 'r'),
    expired: countField(fields, 'x'),
    onTime: ratioField(fields, 'ot'),
    firstAttempt: ratioField(fields, 'fa'),
    pickup: { count: countField(fields, 'pu'), collection: decodeHistogram(fields.pc, HOUR_BUCKETS) },
    exceptions: countField(fields, 'ex'),
    stalls: countField(fields, 'st'),
    transitDays: decodeHistogram(fields.td, BUSINESS_DAY_BUCKETS),
    transitHours: decodeHistogram(fields.th, HOUR_BUCKETS),
    firstScanLag: decodeHistogram(fields.fs, HOUR_BUCKETS),
    reportingLag: decodeHistogram(fields.rl, HOUR_BUCKETS),
  }
}

/** Bytes one cell-week takes in its stored form (UTF-8 JSON). */
export function bytesPerCellWeek(summary: CellSummary): number {
  return new TextEncoder().encode(JSON.stringify(encodeSummary(summary))).byteLength
}
