import { Queue } from 'bullmq'
import { MAINTENANCE_QUEUE, queuePrefix } from '../../workers/jobs.js'
import { eventually, type Harness } from './harness.js'

/** Resolves once the harness's workers have run an alert sweep that started at `sinceMs` or later. */
export async function untilAlertSweepSince(harness: Harness, sinceMs: number): Promise<void> {
  const redis = harness.connect()
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
