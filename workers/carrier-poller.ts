import { Queue, Worker } from 'bullmq'
import type { CarrierAdapter, CarrierErrorKind } from '../adapters/contract.js'
import type { AlertPolicy } from '../src/domain/delay-alerts.js'
import type { ForecastSource } from '../src/domain/forecast/forecast-model.js'
import type { PollPolicy } from '../src/domain/poll-schedule.js'
import type { TrackingRecord } from '../src/domain/tracking.js'
import { throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import type { Metrics } from '../src/metrics.js'
import type { RedisClient } from '../src/redis/redis-client.js'
import type { TrackingStore } from '../src/store/tracking-store.js'
import { startDispatcher } from './dispatch-due.js'
import { laneOfShard, type PollJobData, pollQueueName, type QueuePrefix } from './jobs.js'
import { processPollJob } from './poll-tracking.js'

export interface CarrierPollerOptions {
  carrier: string
  /** The carrier's adapter now: looked up per job, since a definition reload may replace it. */
  adapter(): CarrierAdapter
  /** A connection factory: a BullMQ queue and worker each need their own. */
  connect(): RedisClient
  queuePrefix: QueuePrefix
  store: TrackingStore
  /** The shards this process holds now: its dispatcher claims from those only. */
  shards(): readonly number[]
  policy: PollPolicy
  alertPolicy(record: TrackingRecord): AlertPolicy
  timeScale: number
  concurrency: number
  /** POLL_QUEUE_LANES: the carrier's queues, each for its share of the shards (see `laneOfShard`). */
  lanes: number
  /** POLL_STALLED_LOCK: a job whose worker stops renewing its lock for this long runs again. */
  stalledLockMs: number
  dispatchIntervalMs: number
  leaseMs: number
  logger: Logger
  metrics?: Metrics
  recordFailure?(kind: CarrierErrorKind): void
  withdrawalDays?(merchantId: string): Promise<number | undefined>
  publicBaseUrl?: string
  forecasts?: ForecastSource
}

export interface CarrierPoller {
  stop(): Promise<void>
}

const POLL_JOB_ATTEMPTS = 3

/** How long a poll worker may take to close: more than a poll in flight takes (carriers' timeouts). */
const WORKER_CLOSE_GRACE_MS = 15_000

/**
 * Closes `worker`, waiting for its jobs in flight, but no longer than `graceMs`: a BullMQ worker whose
 * blocking connection went to a Redis Cluster master that died may never see that connection end, and
 * its close would then never return. Past the grace the shutdown goes on without it (its connections
 * are closed with the process's); a job it still held runs again once its lock runs out.
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
        'poll worker did not close in time (its blocking connection did not end): shutting down without it',
      )
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A lane's share of the carrier's rate: the lanes together never exceed it. A lane takes whole
 * requests per window, so where the rate does not divide it gets one request per a longer window.
 */
export function laneRateLimit(
  rate: { max: number; durationMs: number },
  lanes: number,
): { max: number; durationMs: number } {
  const max = Math.max(1, Math.floor(rate.max / lanes))
  return { max, durationMs: Math.ceil((rate.durationMs * lanes * max) / rate.max) }
}

/**
 * A carrier's poll queues, one per lane (POLL_QUEUE_LANES), each with its worker (limited to its share
 * of the carrier's rate) and its dispatcher of the due trackings of its share of the shards.
 */
export async function startCarrierPoller(options: CarrierPollerOptions): Promise<CarrierPoller> {
  const { carrier, logger } = options
  const initial = options.adapter()
  const lanes = Array.from({ length: options.lanes }, (_, lane) => lane)
  const queues = lanes.map((lane) => {
    const name = pollQueueName(carrier, lane)
    const queue = new Queue<PollJobData>(name, {
      connection: options.connect(),
      prefix: options.queuePrefix(name),
      // A poll job that throws (Redis gone mid-save, a bug) runs again within seconds: its parcels
      // would otherwise wait out their lease (POLL_LEASE). Carrier errors never throw; a job lives for
      // one poll, so attempts do not pile up across polls.
      defaultJobOptions: { attempts: POLL_JOB_ATTEMPTS, backoff: { type: 'exponential', delay: 500 } },
    })
    queue.on('error', throttleErrorLog(logger, 'poll queue error'))
    return queue
  })
  // Credentials may have been fixed since the queues were paused for an `unauthorized` answer.
  for (const queue of queues) if (await queue.isPaused()) await queue.resume()
  // The carrier's answers hold for all its lanes: a 429 slows them all, a refusal pauses them all.
  const rateLimitAll = async (waitMs: number) => {
    await Promise.all(queues.map((queue) => queue.rateLimit(waitMs)))
  }
  const pauseAll = async () => {
    await Promise.all(queues.map((queue) => queue.pause()))
  }
  const rate = laneRateLimit(initial.rateLimit, lanes.length)
  const concurrency = Math.ceil(options.concurrency / lanes.length)

  /** When each lane's worker here last took a job, and how many it runs now. */
  const taken = lanes.map(() => ({ at: Date.now(), running: 0 }))
  const openWorker = (lane: number) => {
    const worker = new Worker<PollJobData>(
      pollQueueName(carrier, lane),
      (job, _token, signal) => {
        const adapter = options.adapter()
        return processPollJob(
          job.data,
          {
            adapter,
            store: options.store,
            policy: options.policy,
            alertPolicy: options.alertPolicy,
            timeScale: options.timeScale,
            withdrawalDays: options.withdrawalDays,
            publicBaseUrl: options.publicBaseUrl,
            forecasts: options.forecasts,
            logger,
            rateLimit: rateLimitAll,
            async pauseCarrier(error) {
              logger.fatal(
                { kind: error.kind },
                `${adapter.name} refused our credentials (${error.message}): polling of this carrier is PAUSED. Fix its credentials and restart the workers.`,
              )
              await pauseAll()
            },
            recordFailure: (kind) => {
              options.metrics?.carrierErrors.inc({ carrier, kind })
              options.recordFailure?.(kind)
            },
            metrics: options.metrics,
          },
          signal,
        )
      },
      {
        connection: options.connect(),
        prefix: options.queuePrefix(pollQueueName(carrier, lane)),
        concurrency,
        limiter: { max: rate.max, duration: rate.durationMs },
        lockDuration: options.stalledLockMs,
        stalledInterval: options.stalledLockMs,
        maxStalledCount: 2,
        removeOnComplete: { count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      },
    )
    const mark = taken[lane] as { at: number; running: number }
    worker.on('active', () => {
      mark.at = Date.now()
      mark.running++
    })
    worker.on('completed', () => {
      mark.running = Math.max(0, mark.running - 1)
    })
    worker.on('error', throttleErrorLog(logger, 'poll worker error'))
    worker.on('failed', (job, error) => {
      mark.running = Math.max(0, mark.running - 1)
      logger.error(
        { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade, attempts: POLL_JOB_ATTEMPTS },
        'poll job failed (not a carrier error: Redis, or a bug)',
      )
    })
    return worker
  }
  const workers = lanes.map(openWorker)

  /**
   * A BullMQ worker whose blocking connection went to a Redis Cluster master that died may never take
   * a job again (seen in the failover test). A lane whose jobs wait, neither paused nor rate-limited,
   * while its worker here runs none and has taken none for a whole POLL_STALLED_LOCK, gets a new one.
   */
  const replaceStuck = async (lane: number) => {
    const mark = taken[lane] as { at: number; running: number }
    const queue = queues[lane] as Queue<PollJobData>
    if (mark.running > 0 || Date.now() - mark.at < options.stalledLockMs) return
    const [waiting, limitedMs, paused] = await Promise.all([
      queue.getWaitingCount(),
      queue.getRateLimitTtl(),
      queue.isPaused(),
    ])
    if (waiting === 0 || limitedMs > 0 || paused) {
      mark.at = Date.now()
      return
    }
    logger.warn({ queue: queue.name, waiting }, 'poll worker took no waiting job for a whole lock: replaced')
    const stuck = workers[lane] as Worker<PollJobData>
    mark.at = Date.now()
    workers[lane] = openWorker(lane)
    void closeWithin(stuck, WORKER_CLOSE_GRACE_MS, logger)
  }
  const watchFailure = throttleErrorLog(logger, 'poll lane check failed')
  const watch = setInterval(
    () => {
      for (const lane of lanes) replaceStuck(lane).catch(watchFailure)
    },
    Math.max(1000, options.stalledLockMs / 3),
  )
  watch.unref()
  const dispatchers = lanes.map((lane) =>
    startDispatcher({
      carrier,
      queue: queues[lane] as Queue<PollJobData>,
      store: options.store,
      shards: () =>
        options
          .shards()
          .filter(
            (shard) => laneOfShard(shard, options.store.shards, { POLL_QUEUE_LANES: lanes.length }) === lane,
          ),
      batchSize: initial.batchSize,
      intervalMs: options.dispatchIntervalMs,
      leaseMs: options.leaseMs,
      maxWaitingJobs: Math.max(concurrency, Math.ceil((rate.max * 30_000) / rate.durationMs)),
      logger,
    }),
  )
  return {
    async stop() {
      clearInterval(watch)
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()))
      await Promise.all(workers.map((worker) => closeWithin(worker, WORKER_CLOSE_GRACE_MS, logger)))
      await Promise.all(queues.map((queue) => queue.close()))
    },
  }
}
