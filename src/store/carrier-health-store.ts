import type { CarrierErrorKind } from '../domain/carrier-error-kind.js'
import type { RedisClient } from '../redis/redis-client.js'
import { createRedisKeys } from './redis/redis-keys.js'

export const HOUR_MS = 3_600_000
/** Failures are counted per hour and read over the last 24 hours. */
export const WINDOW_HOURS = 24

export function hourBucket(nowMs: number): number {
  return Math.floor(nowMs / HOUR_MS)
}

/** Recent carrier failures by kind, counted per hour, read over the last 24 hours. */
export interface CarrierHealthStore {
  recordFailure(carrier: string, kind: CarrierErrorKind, nowMs?: number): Promise<void>
  recentFailures(carriers: readonly string[], nowMs?: number): Promise<Map<string, Record<string, number>>>
}

/**
 * Recent carrier failures by kind, so a carrier that changed its format shows up in `GET /v1/carriers`
 * instead of looking like "no events yet". One small hash per carrier and hour, expiring by itself.
 */
export function createCarrierHealthStore(redis: RedisClient, prefix: string, shards = 1): CarrierHealthStore {
  const keys = createRedisKeys(prefix, shards)
  const bucketKey = (carrier: string, bucket: number) => `${keys.carrierFailures(carrier)}:${bucket}`
  return {
    async recordFailure(carrier: string, kind: CarrierErrorKind, nowMs = Date.now()): Promise<void> {
      const key = bucketKey(carrier, hourBucket(nowMs))
      await redis
        .multi()
        .hincrby(key, kind, 1)
        .pexpire(key, (WINDOW_HOURS + 1) * HOUR_MS)
        .exec()
    },

    async recentFailures(
      carriers: readonly string[],
      nowMs = Date.now(),
    ): Promise<Map<string, Record<string, number>>> {
      const current = hourBucket(nowMs)
      const pipeline = redis.pipeline()
      for (const carrier of carriers) {
        for (let age = 0; age < WINDOW_HOURS; age++) pipeline.hgetall(bucketKey(carrier, current - age))
      }
      const rows = (await pipeline.exec()) ?? []
      const result = new Map<string, Record<string, number>>()
      carriers.forEach((carrier, index) => {
        const totals: Record<string, number> = {}
        for (const [, counts] of rows.slice(index * WINDOW_HOURS, (index + 1) * WINDOW_HOURS)) {
          for (const [kind, count] of Object.entries((counts as Record<string, string>) ?? {})) {
            totals[kind] = (totals[kind] ?? 0) + Number(count)
          }
        }
        result.set(carrier, totals)
      })
      return result
    },
  }
}
