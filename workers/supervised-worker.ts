import type { Queue, Worker } from 'bullmq'
import { throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'

/**
 * A BullMQ worker whose blocking connection went to a Redis Cluster master that died may never see
 * that connection end: it never takes a job again, and its close never returns (seen in the failover
 * test; BullMQ issue #4138; in #3185 its maintainer advises closing such a worker and making a new
 * one). Every worker colis runs is opened through `superviseWorker`, which does that, and bounds
 * its close.
 */

/** What the watch reads of the worker's queue. */
export type WatchedQueue = Pick<Queue, 'name' | 'getWaitingCount' | 'getRateLimitTtl' | 'isPaused'>

/** The worker's side of the watch: jobs it runs now, and when it last took one (ms). */
export interface WorkerActivity {
  running: number
  lastTakenAtMs: number
}

/** The queue's side: jobs waiting, the rate limit's time left (ms), whether it is paused. */
export interface QueueState {
  waiting: number
  limitedMs: number
  paused: boolean
}

/**
 * Stuck: jobs wait, the queue neither paused nor rate-limited, while the worker runs none and took none
 * for `idleMs`. A healthy worker blocked on an empty queue is woken by the first job added.
 */
export function isStuck(activity: WorkerActivity, queue: QueueState, nowMs: number, idleMs: number): boolean {
  return (
    activity.running === 0 &&
    nowMs - activity.lastTakenAtMs >= idleMs &&
    queue.waiting > 0 &&
    queue.limitedMs <= 0 &&
    !queue.paused
  )
}

/** BullMQ's default lock: a worker left with it and jobs waiting that takes none for this long is stuck. */
export const DEFAULT_LOCK_MS = 30_000

/** How long a worker may take to close by default: more than a job in flight takes (carriers', webhooks' timeouts). */
export const WORKER_CLOSE_GRACE_MS = 15_000

/**
 * Closes `worker`, waiting for its jobs in flight, but no longer than `graceMs`: past it the shutdown
 * goes on without it (its connections are closed with the process's); a job it still held runs again
 * once its lock runs out.
 */
export async function closeWithin(
  worker: Pick<Worker, 'close' | 'name'>,
  graceMs: number,
  logger: Logger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const overdue = new Promise<'overdue'>((resolve) => {
    timer = setTimeout(() => resolve('overdue'), graceMs)
  })
  const closed = worker.close().then(() => 'closed' as const)
  // A close that fails once the grace is over has no one left to tell.
  closed.catch(() => undefined)
  try {
    if ((await Promise.race([closed, overdue])) === 'overdue')
      logger.warn(
        { queue: worker.name, graceMs },
        'worker did not close in time (its blocking connection did not end): shutting down without it',
      )
  } finally {
    clearTimeout(timer)
  }
}

export interface SupervisedWorker<T> {
  /** The worker now: a new one once the last was found stuck. */
  readonly current: Worker<T>
  /** Stops the watch and closes the worker, within the grace. */
  close(): Promise<void>
}

export interface SuperviseOptions {
  /** The worker's queue, as a Queue of the same name and prefix. */
  queue: WatchedQueue
  /** How long a worker with jobs waiting may take none: the worker's lock duration is a fair bound. */
  idleMs: number
  logger: Logger
  /** How often the queue is looked at; a third of `idleMs`, at least a second, by default. */
  checkEveryMs?: number
  closeGraceMs?: number
}

/**
 * Wraps a worker's processor so that the watch sees each job start and leave, however it leaves: a
 * job put off by a rate limit (BullMQ's `RateLimitError`) emits neither `completed` nor `failed`.
 */
export type TrackJobs = <A extends unknown[], R>(
  process: (...args: A) => Promise<R>,
) => (...args: A) => Promise<R>

/**
 * Opens a worker with `open`, whose processor goes through `track`, and watches it: a stuck one (see
 * `isStuck`) is replaced by a new one.
 */
export function superviseWorker<T>(
  open: (track: TrackJobs) => Worker<T>,
  options: SuperviseOptions,
): SupervisedWorker<T> {
  const { queue, idleMs, logger } = options
  const graceMs = options.closeGraceMs ?? WORKER_CLOSE_GRACE_MS
  const activity: WorkerActivity = { running: 0, lastTakenAtMs: Date.now() }
  const track: TrackJobs =
    (process) =>
    async (...args) => {
      activity.lastTakenAtMs = Date.now()
      activity.running++
      try {
        return await process(...args)
      } finally {
        activity.running--
      }
    }
  let current = open(track)
  let checking = false

  const check = async () => {
    if (checking || activity.running > 0 || Date.now() - activity.lastTakenAtMs < idleMs) return
    checking = true
    try {
      const [waiting, limitedMs, paused] = await Promise.all([
        queue.getWaitingCount(),
        queue.getRateLimitTtl(),
        queue.isPaused(),
      ])
      if (!isStuck(activity, { waiting, limitedMs, paused }, Date.now(), idleMs)) {
        activity.lastTakenAtMs = Date.now()
        return
      }
      logger.warn({ queue: queue.name, waiting }, 'worker took no waiting job for a whole lock: replaced')
      const stuck = current
      activity.lastTakenAtMs = Date.now()
      current = open(track)
      void closeWithin(stuck, graceMs, logger)
    } finally {
      checking = false
    }
  }
  const checkFailed = throttleErrorLog(logger, 'worker watch failed')
  const watch = setInterval(
    () => void check().catch(checkFailed),
    options.checkEveryMs ?? Math.max(1000, idleMs / 3),
  )
  watch.unref()

  return {
    get current() {
      return current
    },
    async close() {
      clearInterval(watch)
      await closeWithin(current, graceMs, logger)
    },
  }
}
