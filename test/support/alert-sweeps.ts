import { Queue } from 'bullmq'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { allShards } from '../../src/store/shards.js'
import { MAINTENANCE_QUEUE, queuePrefix } from '../../workers/jobs.js'
import { eventually, type Harness } from './harness.js'

/**
 * Resolves once the harness's workers have swept the alert checks due by `sinceMs`. With one shard,
 * once a scheduled sweep started at `sinceMs` or later has run; with several (each worker sweeps its
 * own shards on its own clock, no job tells it), once no shard has a check due by then still waiting
 * or in flight.
 */
export async function untilAlertSweepSince(harness: Harness, sinceMs: number): Promise<void> {
  const redis = harness.connect()
  if (harness.config.COLIS_SHARDS > 1) {
    const keys = createRedisKeys(harness.config.COLIS_REDIS_PREFIX, harness.config.COLIS_SHARDS)
    try {
      await eventually(
        () =>
          Promise.all(
            allShards(harness.config.COLIS_SHARDS).map(
              async (shard) =>
                (await redis.zcount(keys.alertsDue(shard), '-inf', sinceMs)) +
                (await redis.zcard(keys.alertsInflight(shard))),
            ),
          ),
        (waiting) => waiting.every((count) => count === 0),
      )
    } finally {
      await redis.quit()
    }
    return
  }
  const maintenance = new Queue(MAINTENANCE_QUEUE, {
    connection: redis,
    prefix: queuePrefix(harness.config, MAINTENANCE_QUEUE),
  })
  try {
    await eventually(
      async () => (await maintenance.getJobs(['completed'], 0, 0, false))[0]?.processedOn ?? 0,
      (startedAt) => startedAt >= sinceMs,
    )
  } finally {
    await maintenance.close()
    await redis.quit()
  }
}
