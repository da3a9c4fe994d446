import { type Job, Queue, Worker } from 'bullmq'
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
import { carrierLanes, laneOfShard, type PollJobData, pollQueueName, type QueuePrefix } from './jobs.js'
import { processPollJob } from './poll-tracking.js'
import { superviseWorker, type TrackJobs } from './supervised-worker.js'

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
  /** POLL_QUEUE_LANES: the carrier's queues, each for its share of the shards (see `carrierLanes`). */
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

/**
 * A lane's share of the carrier's rate: the lanes together never exceed it. A lane takes whole
 * requests per window, its window shortened where the rate does not divide, so that the lanes keep
 * the carrier's rate; their first requests, sent at once, fit in one of the carrier's windows as long
 * as the lanes do not outnumber its requests (see `carrierLanes`).
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
  const lanes = Array.from({ length: carrierLanes(initial.rateLimit, options.lanes) }, (_, lane) => lane)
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

  const openWorker = (queue: Queue<PollJobData>, track: TrackJobs) => {
    const worker = new Worker<PollJobData>(
      queue.name,
      track(async (job: Job<PollJobData>, _token?: string, signal?: AbortSignal) => {
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
      }),
      {
        connection: options.connect(),
        prefix: options.queuePrefix(queue.name),
        concurrency,
        limiter: { max: rate.max, duration: rate.durationMs },
        lockDuration: options.stalledLockMs,
        stalledInterval: options.stalledLockMs,
        maxStalledCount: 2,
        removeOnComplete: { count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
      },
    )
    worker.on('error', throttleErrorLog(logger, 'poll worker error'))
    worker.on('failed', (job, error) => {
      logger.error(
        { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade, attempts: POLL_JOB_ATTEMPTS },
        'poll job failed (not a carrier error: Redis, or a bug)',
      )
    })
    return worker
  }
  const workers = queues.map((queue) =>
    superviseWorker((track) => openWorker(queue, track), { queue, idleMs: options.stalledLockMs, logger }),
  )
  const dispatchers = lanes.map((lane) =>
    startDispatcher({
      carrier,
      queue: queues[lane] as Queue<PollJobData>,
      store: options.store,
      shards: () =>
        options.shards().filter((shard) => laneOfShard(shard, options.store.shards, lanes.length) === lane),
      batchSize: initial.batchSize,
      intervalMs: options.dispatchIntervalMs,
      leaseMs: options.leaseMs,
      maxWaitingJobs: Math.max(concurrency, Math.ceil((rate.max * 30_000) / rate.durationMs)),
      logger,
    }),
  )
  return {
    async stop() {
      await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()))
      await Promise.all(workers.map((worker) => worker.close()))
      await Promise.all(queues.map((queue) => queue.close()))
    },
  }
}
