import { hostname } from 'node:os'
import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { CarrierAdapter, CarrierErrorKind } from '../adapters/contract.js'
import type { CarrierRuntime } from '../adapters/registry.js'
import type { Config } from '../src/config.js'
import { type AlertPolicy, alertPolicyFor } from '../src/domain/delay-alerts.js'
import type { TrackingRecord } from '../src/domain/tracking.js'
import { throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import type { Metrics } from '../src/metrics.js'
import { createRedisKeys } from '../src/store/redis/redis-keys.js'
import type { TrackingStore } from '../src/store/tracking-store.js'
import { createWebhookStore } from '../src/store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../src/webhooks/egress-guard.js'
import { WEBHOOK_RETRY_DELAYS_MS } from '../src/webhooks/retry-schedule.js'
import { type DeliveryDeps, deliveryBackoff, processDeliveryJob } from './deliver-webhook.js'
import { startDispatcher } from './dispatch-due.js'
import { type PollPolicy, pollCalendarFrom } from './poll-schedule.js'
import { type PollJobData, processPollJob } from './poll-tracking.js'
import { type DeliveryJobData, startOutboxRelay } from './relay-outbox.js'
import { sweepAlerts } from './sweep-alerts.js'

export interface WorkerDeps {
  config: Config
  /** A connection factory: BullMQ workers need their own blocking connections. */
  connect(): Redis
  store: TrackingStore
  carriers: CarrierRuntime
  logger: Logger
  /** Counts carrier failures by kind, for `GET /v1/carriers`. */
  recordFailure?(carrier: string, kind: CarrierErrorKind): void
  /** Counters and histograms of polls, carrier errors and webhook deliveries. */
  metrics?: Metrics
}

export const DELIVERY_QUEUE = 'webhook-deliveries'
export const MAINTENANCE_QUEUE = 'maintenance'

export function alertPolicyFrom(config: Config): (record: TrackingRecord) => AlertPolicy {
  const overrides = {
    stalledBusinessDays: config.ALERT_STALLED_BUSINESS_DAYS,
    pickupExpiringDays: config.ALERT_PICKUP_EXPIRING_DAYS,
    dayKinds: config.COLIS_DELIVERY_DAY_KINDS,
  }
  return (record) => alertPolicyFor(record.carrier, record.service, overrides)
}

export function pollQueueName(carrier: string): string {
  return `poll-${carrier}`
}

export function bullPrefix(config: Pick<Config, 'COLIS_REDIS_PREFIX'>): string {
  return `${config.COLIS_REDIS_PREFIX}:bull`
}

export function pollPolicyFrom(config: Config): PollPolicy {
  return {
    pending: config.POLL_PENDING,
    infoReceived: config.POLL_INFO_RECEIVED,
    inTransit: config.POLL_IN_TRANSIT,
    nearDelivery: config.POLL_NEAR_DELIVERY,
    exception: config.POLL_EXCEPTION,
    retry: config.POLL_RETRY,
    expireAfterMs: config.POLL_EXPIRE_AFTER,
    calendar: config.POLL_CALENDAR === 'on' ? pollCalendarFrom(config) : undefined,
  }
}

const POLL_JOB_ATTEMPTS = 3

/** A carrier's queue, worker and dispatcher, and the rate/batch they were built with. */
interface CarrierPoller {
  shape: string
  stop(): Promise<void>
}

function shapeOf(adapter: CarrierAdapter): string {
  return JSON.stringify([adapter.rateLimit, adapter.batchSize])
}

async function startCarrierPoller(
  carrier: string,
  deps: WorkerDeps,
  policy: PollPolicy,
): Promise<CarrierPoller> {
  const { config } = deps
  const prefix = bullPrefix(config)
  const logger = deps.logger.child({ carrier })
  const initial = deps.carriers.get(carrier)
  if (!initial) throw new Error(`no carrier ${carrier}`)
  const queue = new Queue<PollJobData>(pollQueueName(carrier), {
    connection: deps.connect(),
    prefix,
    // A poll job that throws (Redis gone mid-save, a bug) runs again within seconds: its parcels would
    // otherwise wait out their lease (POLL_LEASE). Carrier errors never throw; a job lives for one poll,
    // so attempts do not pile up across polls.
    defaultJobOptions: { attempts: POLL_JOB_ATTEMPTS, backoff: { type: 'exponential', delay: 500 } },
  })
  queue.on('error', throttleErrorLog(logger, 'poll queue error'))
  // Credentials may have been fixed since the queue was paused for an `unauthorized` answer.
  if (await queue.isPaused()) await queue.resume()

  const worker = new Worker<PollJobData>(
    pollQueueName(carrier),
    (job, _token, signal) => {
      // Looked up per job: a definition reload may have replaced this carrier's adapter.
      const adapter = deps.carriers.get(carrier) ?? initial
      return processPollJob(
        job.data,
        {
          adapter,
          store: deps.store,
          policy,
          alertPolicy: alertPolicyFrom(config),
          timeScale: deps.carriers.timeScale(carrier),
          logger,
          rateLimit: (waitMs) => queue.rateLimit(waitMs),
          async pauseCarrier(error) {
            logger.fatal(
              { kind: error.kind },
              `${adapter.name} refused our credentials (${error.message}): polling of this carrier is PAUSED. Fix its credentials and restart the workers.`,
            )
            await queue.pause()
          },
          recordFailure: (kind) => {
            deps.metrics?.carrierErrors.inc({ carrier, kind })
            deps.recordFailure?.(carrier, kind)
          },
          metrics: deps.metrics,
        },
        signal,
      )
    },
    {
      connection: deps.connect(),
      prefix,
      concurrency: config.POLL_CONCURRENCY,
      limiter: { max: initial.rateLimit.max, duration: initial.rateLimit.durationMs },
      lockDuration: config.POLL_STALLED_LOCK,
      stalledInterval: config.POLL_STALLED_LOCK,
      maxStalledCount: 2,
      removeOnComplete: { count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
  )
  worker.on('error', throttleErrorLog(logger, 'poll worker error'))
  worker.on('failed', (job, error) =>
    logger.error(
      { err: error, jobId: job?.id, attemptsMade: job?.attemptsMade, attempts: POLL_JOB_ATTEMPTS },
      'poll job failed (not a carrier error: Redis, or a bug)',
    ),
  )
  const dispatcher = startDispatcher({
    carrier,
    queue,
    store: deps.store,
    batchSize: initial.batchSize,
    intervalMs: config.POLL_DISPATCH_INTERVAL,
    leaseMs: config.POLL_LEASE,
    maxWaitingJobs: Math.max(
      config.POLL_CONCURRENCY,
      Math.ceil((initial.rateLimit.max * 30_000) / initial.rateLimit.durationMs),
    ),
    logger,
  })
  logger.info(
    { rateLimit: initial.rateLimit, batchSize: initial.batchSize, concurrency: config.POLL_CONCURRENCY },
    'polling',
  )
  return {
    shape: shapeOf(initial),
    async stop() {
      await dispatcher.stop()
      await worker.close()
      await queue.close()
    },
  }
}

/** One poll queue, worker and dispatcher per configured carrier, each limited to that carrier's rate. */
export async function startWorkers(deps: WorkerDeps) {
  const policy = pollPolicyFrom(deps.config)
  const pollers = new Map<string, CarrierPoller>()

  /** Starts pollers for new or re-shaped carriers and stops those of carriers that are gone. */
  async function sync() {
    const wanted = new Map(deps.carriers.list().map((adapter) => [adapter.id, adapter]))
    for (const [id, poller] of pollers) {
      const adapter = wanted.get(id)
      if (!adapter?.configured || shapeOf(adapter) !== poller.shape) {
        await poller.stop()
        pollers.delete(id)
      }
    }
    for (const adapter of wanted.values()) {
      if (pollers.has(adapter.id)) continue
      if (!adapter.configured) {
        deps.logger.warn(
          { carrier: adapter.id },
          'carrier not configured (credentials missing): its parcels are not polled',
        )
        continue
      }
      pollers.set(adapter.id, await startCarrierPoller(adapter.id, deps, policy))
    }
  }

  await sync()
  const notifications = await startNotifications(deps)
  return {
    sync,
    /** Stops dispatching, lets in-flight polls and deliveries finish, then closes the queues. */
    async close() {
      await Promise.all([...pollers.values()].map((poller) => poller.stop()))
      pollers.clear()
      await notifications.stop()
    },
  }
}

/** The outbox relay, the webhook delivery worker, and the periodic alert sweep (a job scheduler). */
async function startNotifications(deps: WorkerDeps) {
  const { config, logger } = deps
  const prefix = bullPrefix(config)
  const keys = createRedisKeys(config.COLIS_REDIS_PREFIX)
  const webhooks = createWebhookStore(deps.connect(), config.COLIS_REDIS_PREFIX)
  const attempts = WEBHOOK_RETRY_DELAYS_MS.length + 1
  const deliveries = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
    connection: deps.connect(),
    prefix,
    // Completed jobs stay a week: their ids are what makes a replayed outbox entry enqueue nothing.
    defaultJobOptions: {
      attempts,
      backoff: { type: 'custom' },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  })
  deliveries.on('error', throttleErrorLog(logger, 'delivery queue error'))
  const dispatcher = createGuardedDispatcher({
    allowed: parseAllowedCidrs(config.WEBHOOK_ALLOWED_CIDRS),
    timeoutMs: config.WEBHOOK_TIMEOUT,
  })
  const deliver: DeliveryDeps = {
    webhooks,
    dispatcher,
    timeoutMs: config.WEBHOOK_TIMEOUT,
    disableAfterMs: config.WEBHOOK_DISABLE_AFTER,
    attempts,
    logger,
    metrics: deps.metrics,
  }
  const deliveryWorker = new Worker<DeliveryJobData>(
    DELIVERY_QUEUE,
    (job) => processDeliveryJob(job, deliver),
    {
      connection: deps.connect(),
      prefix,
      concurrency: config.WEBHOOK_CONCURRENCY,
      settings: { backoffStrategy: deliveryBackoff(config.WEBHOOK_RETRY_FACTOR) },
    },
  )
  deliveryWorker.on('error', throttleErrorLog(logger, 'delivery worker error'))

  const relay = startOutboxRelay({
    redis: deps.connect(),
    outboxKey: keys.outbox(),
    webhooks,
    queue: deliveries,
    logger,
    consumer: `${hostname()}-${process.pid}`,
    claimIdleMs: config.OUTBOX_CLAIM_IDLE,
    firstAttempts: {
      deps: deliver,
      slots: config.WEBHOOK_CONCURRENCY,
      retryFactor: config.WEBHOOK_RETRY_FACTOR,
    },
  })

  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: deps.connect(), prefix })
  maintenance.on('error', throttleErrorLog(logger, 'maintenance queue error'))
  await maintenance.upsertJobScheduler(
    'alerts-sweep',
    { every: config.ALERT_SWEEP_INTERVAL },
    { name: 'sweep-alerts' },
  )
  const sweeper = new Worker(
    MAINTENANCE_QUEUE,
    async () => {
      const checked = await sweepAlerts({ store: deps.store, alertPolicy: alertPolicyFrom(config), logger })
      if (checked > 0) logger.debug({ checked }, 'alert sweep')
    },
    {
      connection: deps.connect(),
      prefix,
      concurrency: 1,
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 100 },
    },
  )
  sweeper.on('error', throttleErrorLog(logger, 'alert sweep worker error'))

  return {
    async stop() {
      await relay.stop()
      await Promise.all([deliveryWorker.close(), sweeper.close()])
      await Promise.all([deliveries.close(), maintenance.close(), dispatcher.close()])
    },
  }
}
