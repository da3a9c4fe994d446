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

/** `room` split over `shards` claims as evenly as it goes, the first ones taking what is left over. */
export function sharesOf(room: number, shards: number): number[] {
  const base = Math.floor(room / shards)
  return Array.from({ length: shards }, (_, turn) => base + (turn < room % shards ? 1 : 0))
}

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

  /**
   * One claim over the held shards; what it claimed when more may be due, else 0. `emptied` collects
   * the shards that handed out less than asked: nothing more is due there, so the rest of the tick
   * leaves them out.
   */
  async function dispatchOnce(emptied: Set<number>): Promise<number> {
    if (await options.queue.isPaused()) return 0
    const waiting = await options.queue.getWaitingCount()
    const room = Math.min(MAX_CLAIM, (options.maxWaitingJobs - waiting) * options.batchSize)
    if (room <= 0) return 0
    const held = options.shards().filter((shard) => !emptied.has(shard))
    const order = held.map((_, turn) => held[(firstShard + turn) % held.length] as number)
    firstShard = held.length > 0 ? (firstShard + 1) % held.length : 0
    const stamp = `${now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
    const jobs: PollJob[] = []
    let claimed = 0
    const take = (shard: number, asked: number, ids: string[]) => {
      if (ids.length < asked) emptied.add(shard)
      claimed += ids.length
      for (let start = 0; start < ids.length; start += options.batchSize) {
        jobs.push({
          name: 'poll',
          data: { ids: ids.slice(start, start + options.batchSize) },
          opts: { jobId: `poll-${options.carrier}-${stamp}-${jobs.length}` },
        })
      }
    }
    // Every shard is asked at once, for an equal part of the room in whole jobs: a tick costs one
    // round trip, not one per shard, and on a cluster the claims that one master serves reach it
    // together. The shards first in this turn's order get the jobs left over.
    const shares = sharesOf(Math.floor(room / options.batchSize), order.length).map(
      (jobCount) => jobCount * options.batchSize,
    )
    const asked = order.flatMap((shard, turn) => {
      const share = shares[turn] ?? 0
      return share > 0 ? [{ shard, share }] : []
    })
    const answers = await Promise.allSettled(asked.map(({ shard, share }) => claim(shard, share)))
    answers.forEach((answer, at) => {
      const { shard, share } = asked[at] as { shard: number; share: number }
      if (answer.status === 'fulfilled') take(shard, share, answer.value)
    })
    const failure = answers.find((answer) => answer.status === 'rejected')
    // What the other shards handed out is queued now, not left to wait out its lease.
    if (failure) return failed(jobs, failure.reason)
    // The whole jobs' room that shards with less due left goes to the others in turn.
    for (const shard of order) {
      const limit = Math.floor((room - claimed) / options.batchSize) * options.batchSize
      if (limit <= 0) break
      if (emptied.has(shard)) continue
      take(shard, limit, await claim(shard, limit).catch((error: unknown) => failed(jobs, error)))
    }
    if (claimed === 0) return 0
    await enqueue(jobs)
    // A shard that handed out all it was asked may hold more: the caller goes again at once.
    return order.some((shard) => !emptied.has(shard)) ? claimed : 0
  }

  function claim(shard: number, limit: number): Promise<string[]> {
    return options.store.claimDue(shard, options.carrier, now(), limit, options.leaseMs)
  }

  async function failed(jobs: PollJob[], error: unknown): Promise<never> {
    if (jobs.length > 0) await enqueue(jobs)
    throw error
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
      // While a shard may hold more that is due, go again at once instead of waiting a whole interval.
      const emptied = new Set<number>()
      while (!stopped && (await dispatchOnce(emptied)) > 0) {}
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
