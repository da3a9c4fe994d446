import { ALERT_TYPES, type AlertType } from '../../domain/delay-alerts.js'
import type { RedisClient } from '../../redis/redis-client.js'
import { createRedisKeys } from './redis-keys.js'

/**
 * Open alerts by type, every merchant together: one SCARD per type of the sets the tracking scripts
 * keep (saveTrackings.lua, deleteTracking.lua), so a metrics scrape never walks the merchants.
 */
export function createOpenAlertCounts(redis: RedisClient, prefix: string) {
  const keys = createRedisKeys(prefix)
  return async (): Promise<Record<AlertType, number>> => {
    const pipeline = redis.pipeline()
    for (const type of ALERT_TYPES) pipeline.scard(keys.openAlerts(type))
    const rows = (await pipeline.exec()) ?? []
    const counts = {} as Record<AlertType, number>
    ALERT_TYPES.forEach((type, index) => {
      const [error, count] = rows[index] ?? []
      if (error) throw error
      counts[type] = Number(count ?? 0)
    })
    return counts
  }
}
