import { instantOf } from '../paris-time.js'
import type { TrackingEvent } from '../tracking-event.js'
import {
  addToBucketCounts,
  type BucketCounts,
  bucketIndexOf,
  emptyHistogram,
  type Histogram,
  HOUR_BUCKETS,
  histogramOfBucketCounts,
} from './histogram.js'

/**
 * A tracking's reporting lags (a scan's time to colis storing it), as counts of HOUR_BUCKETS. Events
 * carry no time of their own for when colis stored them, and must not grow (memory per tracking), so
 * each lag is counted in its bucket, on the record, when its event is stored.
 */
export type ReportingLagCounts = BucketCounts

const HOUR_MS = 3_600_000

/**
 * `counts` with the lag of each of `added`, the events a poll stored at `storedAtMs`, in hours. Events
 * that occurred before `registeredAt` are left out: colis could not have seen them sooner. A scan
 * stored before its own time (the carrier's clock ahead) counts as 0. Undefined while none counts.
 */
export function addReportingLags(
  counts: ReportingLagCounts | undefined,
  registeredAt: string,
  added: readonly TrackingEvent[],
  storedAtMs: number,
): ReportingLagCounts | undefined {
  const registeredMs = instantOf(registeredAt)
  let next = counts
  for (const event of added) {
    const occurredMs = instantOf(event.occurredAt)
    if (!(occurredMs >= registeredMs)) continue
    const lagHours = Math.max(0, storedAtMs - occurredMs) / HOUR_MS
    next = addToBucketCounts(next ?? [], bucketIndexOf(HOUR_BUCKETS, lagHours))
  }
  return next
}

/** The histogram of a tracking's reporting lags, each read to its bucket (see `histogramOfBucketCounts`). */
export function reportingLagHistogram(counts: ReportingLagCounts | undefined): Histogram {
  return counts === undefined ? emptyHistogram(HOUR_BUCKETS) : histogramOfBucketCounts(HOUR_BUCKETS, counts)
}
