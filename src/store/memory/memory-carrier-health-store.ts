import type { CarrierErrorKind } from '../../domain/carrier-error-kind.js'
import { type CarrierHealthStore, HOUR_MS, hourBucket, WINDOW_HOURS } from '../carrier-health-store.js'

/** The memory twin of the carrier-health store: counts per carrier and hour, read over the same window. */
export function createMemoryCarrierHealthStore(): CarrierHealthStore {
  const counts = new Map<string, Map<number, Map<CarrierErrorKind, number>>>()
  return {
    async recordFailure(carrier, kind, nowMs = Date.now()) {
      const byHour = counts.get(carrier) ?? new Map<number, Map<CarrierErrorKind, number>>()
      counts.set(carrier, byHour)
      const bucket = hourBucket(nowMs)
      const byKind = byHour.get(bucket) ?? new Map<CarrierErrorKind, number>()
      byHour.set(bucket, byKind)
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1)
    },

    async recentFailures(carriers, nowMs = Date.now()) {
      const current = hourBucket(nowMs)
      const oldest = hourBucket(nowMs - (WINDOW_HOURS - 1) * HOUR_MS)
      return new Map(
        carriers.map((carrier) => {
          const totals: Record<string, number> = {}
          for (const [bucket, byKind] of counts.get(carrier) ?? []) {
            if (bucket < oldest || bucket > current) continue
            for (const [kind, count] of byKind) totals[kind] = (totals[kind] ?? 0) + count
          }
          return [carrier, totals]
        }),
      )
    },
  }
}
