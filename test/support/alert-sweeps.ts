import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { bullPrefix, MAINTENANCE_QUEUE } from '../../workers/jobs.js'
import { eventually, type Harness } from './harness.js'
import { testRedisUrl } from './redis.js'

/** Resolves once the harness's workers have run an alert sweep that started at `sinceMs` or later. */
export async function untilAlertSweepSince(harness: Harness, sinceMs: number): Promise<void> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null })
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: redis, prefix: bullPrefix(harness.config) })
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
