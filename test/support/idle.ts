import type { Queue } from 'bullmq'
import type { RedisClient } from '../../src/redis/redis-client.js'
import { eventually } from './harness.js'

/** Resolves once the client is connected and past its ready check (commands before that go elsewhere). */
export async function untilReady(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    redis.once('ready', resolve)
    redis.once('end', () => reject(new Error('the Redis connection closed before it was ready')))
  })
}

/** Jobs of `queue` still to run or running (delayed retries included). */
export async function unfinishedJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
  return Object.values(counts).reduce((sum, count) => sum + count, 0)
}

/** Resolves once every job of `queue` has settled: what those jobs would have done is done. */
export async function untilQueueIdle(queue: Queue, timeoutMs?: number): Promise<void> {
  await eventually(
    () => unfinishedJobs(queue),
    (count) => count === 0,
    timeoutMs,
  )
}

/** Resolves once the relay has handled and removed every outbox entry (it deletes what it acknowledges). */
export async function untilOutboxDrained(
  redis: RedisClient,
  outboxKey: string,
  timeoutMs?: number,
): Promise<void> {
  await eventually(
    () => redis.xlen(outboxKey),
    (length) => length === 0,
    timeoutMs,
  )
}
