import type { Queue } from 'bullmq'
import { createLoopFailures } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import type { TrackingStore } from '../src/store/tracking-store.js'
import type { PollJobData } from './jobs.js'

export interface DispatcherOptions {
  carrier: string
  queue: Queue<PollJobData>
  store: TrackingStore
  /** The shards this process holds now (see shard-leases.ts): it claims from those only. */
  shards(): readonly number[]
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
 * Every worker process runs one per carrier, over the shards it holds; claims are atomic, so they
 * never hand out a tracking twice, even while a shard changes hands. It reads only what is due: never
 * a scan of all trackings. A job's trackings all come from one shard, so its scripts touch one slot.
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
  /** Where the next claim starts: with little room, the shards take turns at being first. */
  let firstShard = 0
  const failures = createLoopFailures(options.logger, 'poll dispatch', {
    baseMs: options.intervalMs,
    maxMs: Math.max(options.intervalMs, MAX_BACKOFF_MS),
  })

  async function dispatchOnce(): Promise<number> {
    if (await options.queue.isPaused()) return 0
    const waiting = await options.queue.getWaitingCount()
    const room = Math.min(MAX_CLAIM, (options.maxWaitingJobs - waiting) * options.batchSize)
    if (room <= 0) return 0
    const held = options.shards()
    const stamp = `${now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
    const jobs: PollJob[] = []
    let claimed = 0
    for (let turn = 0; turn < held.length && claimed < room; turn++) {
      const shard = held[(firstShard + turn) % held.length] as number
      const ids = await options.store
        .claimDue(shard, options.carrier, now(), room - claimed, options.leaseMs)
        .catch(async (error: unknown) => {
          // What the shards before this one handed out is queued now, not left to wait out its lease.
          if (jobs.length > 0) await enqueue(jobs)
          throw error
        })
      claimed += ids.length
      for (let start = 0; start < ids.length; start += options.batchSize) {
        jobs.push({
          name: 'poll',
          data: { ids: ids.slice(start, start + options.batchSize) },
          opts: { jobId: `poll-${options.carrier}-${stamp}-${jobs.length}` },
        })
      }
    }
    firstShard = held.length > 0 ? (firstShard + 1) % held.length : 0
    if (claimed === 0) return 0
    await enqueue(jobs)
    return claimed === room ? claimed : 0
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
