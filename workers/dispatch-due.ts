import type { Queue } from 'bullmq'
import { createLoopFailures } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import { allShards } from '../src/store/shards.js'
import type { TrackingStore } from '../src/store/tracking-store.js'
import type { PollJobData } from './jobs.js'

export interface DispatcherOptions {
  carrier: string
  queue: Queue<PollJobData>
  store: TrackingStore
  batchSize: number
  intervalMs: number
  leaseMs: number
  /** Poll jobs allowed to wait in the queue: claiming more would only age in Redis. */
  maxWaitingJobs: number
  logger: Logger
  now?: () => number
}

type PollJob = { name: 'poll'; data: PollJobData; opts: { jobId: string } }

const MAX_CLAIM = 1000
/** Longest wait between two tries while dispatching fails (Redis down). */
const MAX_BACKOFF_MS = 30_000

/**
 * Moves due trackings from the `due` index into BullMQ poll jobs, `batchSize` trackings per job.
 * Every worker process runs one per carrier; claims are atomic, so they never hand out a tracking
 * twice. It reads only what is due: never a scan of all trackings.
 */
export function startDispatcher(options: DispatcherOptions) {
  const now = options.now ?? Date.now
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false
  /**
   * Jobs for trackings already claimed whose enqueue failed (Redis went away between the two): they
   * go first on the next tick, under the same job ids, instead of waiting out their lease.
   */
  let unqueued: PollJob[] = []
  const failures = createLoopFailures(options.logger, 'poll dispatch', {
    baseMs: options.intervalMs,
    maxMs: Math.max(options.intervalMs, MAX_BACKOFF_MS),
  })

  async function dispatchOnce(): Promise<number> {
    if (await options.queue.isPaused()) return 0
    const waiting = await options.queue.getWaitingCount()
    const room = Math.min(MAX_CLAIM, (options.maxWaitingJobs - waiting) * options.batchSize)
    if (room <= 0) return 0
    const ids: string[] = []
    for (const shard of allShards(options.store.shards)) {
      if (ids.length >= room) break
      ids.push(
        ...(await options.store.claimDue(shard, options.carrier, now(), room - ids.length, options.leaseMs)),
      )
    }
    if (ids.length === 0) return 0
    const stamp = `${now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
    const jobs: PollJob[] = []
    for (let start = 0; start < ids.length; start += options.batchSize) {
      jobs.push({
        name: 'poll',
        data: { ids: ids.slice(start, start + options.batchSize) },
        opts: { jobId: `poll-${options.carrier}-${stamp}-${start / options.batchSize}` },
      })
    }
    await enqueue(jobs)
    return ids.length === room ? ids.length : 0
  }

  async function enqueue(jobs: PollJob[]) {
    unqueued = jobs
    await options.queue.addBulk(jobs)
    unqueued = []
  }

  async function tick() {
    let waitMs = options.intervalMs
    try {
      // A job that got in before the failure is not added twice (same id); a poll run twice adds nothing.
      if (unqueued.length > 0) await enqueue(unqueued)
      // A full claim means more may be due: go again at once instead of waiting a whole interval.
      while (!stopped && (await dispatchOnce()) > 0) {}
      failures.succeeded({ carrier: options.carrier })
    } catch (error) {
      waitMs = failures.failed(error, { carrier: options.carrier })
    }
    if (!stopped) timer = setTimeout(run, waitMs)
  }

  function run() {
    running = tick()
  }

  run()
  return {
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
