import { ALERT_TYPES, type AlertType } from '../../domain/delay-alerts.js'
import type { RedisClient } from '../../redis/redis-client.js'
import { allShards } from '../shards.js'
import { createRedisKeys } from './redis-keys.js'
import { execByShard, replyValue } from './shard-reads.js'

/**
 * Open alerts by type, every merchant together: one SCARD per type and shard of the sets the tracking scripts
 * keep (saveTrackings.lua, deleteTracking.lua), so a metrics scrape never walks the merchants.
 */
export function createOpenAlertCounts(redis: RedisClient, prefix: string, shards = 1) {
  const keys = createRedisKeys(prefix, shards)
  const counted = allShards(shards).flatMap((shard) => ALERT_TYPES.map((type) => ({ shard, type })))
  return async (): Promise<Record<AlertType, number>> => {
    const rows = await execByShard(
      redis,
      counted,
      ({ shard }) => shard,
      (pipeline, { shard, type }) => pipeline.scard(keys.openAlerts(shard, type)),
    )
    const counts = Object.fromEntries(ALERT_TYPES.map((type) => [type, 0])) as Record<AlertType, number>
    counted.forEach(({ type }, index) => {
      counts[type] += Number(replyValue(rows[index]) ?? 0)
    })
    return counts
  }
}
