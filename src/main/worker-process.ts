import { hostname } from 'node:os'
import type { Redis } from 'ioredis'
import type { CarrierAdapter, CarrierErrorKind } from '../../adapters/contract.js'
import type { CarrierRuntime } from '../../adapters/registry.js'
import { startAlertSweep } from '../../workers/alert-sweep-queue.js'
import { type CarrierPoller, startCarrierPoller } from '../../workers/carrier-poller.js'
import type { DeliveryDeps } from '../../workers/deliver-webhook.js'
import { createDeliveryQueue, startDeliveryWorker } from '../../workers/delivery-queue.js'
import { bullPrefix } from '../../workers/jobs.js'
import { startOutboxRelay } from '../../workers/relay-outbox.js'
import type { Config } from '../config.js'
import type { PollPolicy } from '../domain/poll-schedule.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { MerchantSettingsStore } from '../store/merchant-settings-store.js'
import { createRedisKeys } from '../store/redis/redis-keys.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { createWebhookStore } from '../store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../webhooks/egress-guard.js'
import { WEBHOOK_RETRY_DELAYS_MS } from '../webhooks/retry-schedule.js'
import { alertPolicyFrom, pollPolicyFrom } from './policies.js'

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
  /** Merchants' settings: a delivered parcel's notifications show its merchant's withdrawal period. */
  merchantSettings?: Pick<MerchantSettingsStore, 'get'>
}

export interface RunningWorkers {
  /** Starts pollers for new or re-shaped carriers and stops those of carriers that are gone. */
  sync(): Promise<void>
  /** Stops dispatching, lets in-flight polls and deliveries finish, then closes the queues. */
  close(): Promise<void>
}

/** A poller is rebuilt when its carrier's rate or batch size changes (a definition reload). */
function shapeOf(adapter: CarrierAdapter): string {
  return JSON.stringify([adapter.rateLimit, adapter.batchSize])
}

async function startPoller(
  adapter: CarrierAdapter,
  deps: WorkerDeps,
  policy: PollPolicy,
): Promise<CarrierPoller> {
  const { config, carriers } = deps
  const carrier = adapter.id
  const logger = deps.logger.child({ carrier })
  const poller = await startCarrierPoller({
    carrier,
    adapter: () => carriers.get(carrier) ?? adapter,
    connect: deps.connect,
    bullPrefix: bullPrefix(config),
    store: deps.store,
    policy,
    alertPolicy: alertPolicyFrom(config),
    timeScale: carriers.timeScale(carrier),
    concurrency: config.POLL_CONCURRENCY,
    stalledLockMs: config.POLL_STALLED_LOCK,
    dispatchIntervalMs: config.POLL_DISPATCH_INTERVAL,
    leaseMs: config.POLL_LEASE,
    logger,
    metrics: deps.metrics,
    recordFailure: (kind) => deps.recordFailure?.(carrier, kind),
    withdrawalDays: async (merchantId) => (await deps.merchantSettings?.get(merchantId))?.withdrawalDays,
  })
  logger.info(
    { rateLimit: adapter.rateLimit, batchSize: adapter.batchSize, concurrency: config.POLL_CONCURRENCY },
    'polling',
  )
  return poller
}

/** One poll queue, worker and dispatcher per configured carrier, each limited to that carrier's rate. */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const policy = pollPolicyFrom(deps.config)
  const pollers = new Map<string, CarrierPoller & { shape: string }>()

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
      const poller = await startPoller(adapter, deps, policy)
      pollers.set(adapter.id, { ...poller, shape: shapeOf(adapter) })
    }
  }

  await sync()
  const notifications = await startNotifications(deps)
  return {
    sync,
    async close() {
      await Promise.all([...pollers.values()].map((poller) => poller.stop()))
      pollers.clear()
      await notifications.stop()
    },
  }
}

/** The webhook pipeline and the periodic alert sweep. */
async function startNotifications(deps: WorkerDeps) {
  const webhooks = startWebhookPipeline(deps)
  const sweep = await startAlertSweep({
    connect: deps.connect,
    bullPrefix: bullPrefix(deps.config),
    everyMs: deps.config.ALERT_SWEEP_INTERVAL,
    store: deps.store,
    alertPolicy: alertPolicyFrom(deps.config),
    logger: deps.logger,
  })

  return {
    async stop() {
      await Promise.all([webhooks.stop(), sweep.stop()])
    },
  }
}

export type WebhookPipelineDeps = Pick<WorkerDeps, 'config' | 'connect' | 'logger' | 'metrics'>

/**
 * The outbox relay (first attempts), the delivery queue and its worker (retries): how a worker
 * process turns stored notifications into signed POSTs. The bench's webhook figure builds it here too.
 */
export function startWebhookPipeline(deps: WebhookPipelineDeps) {
  const { config, logger } = deps
  const prefix = bullPrefix(config)
  const webhooks = createWebhookStore(deps.connect(), config.COLIS_REDIS_PREFIX)
  const attempts = WEBHOOK_RETRY_DELAYS_MS.length + 1
  const deliveries = createDeliveryQueue({ connect: deps.connect, bullPrefix: prefix, logger, attempts })
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
  const deliveryWorker = startDeliveryWorker({
    connect: deps.connect,
    bullPrefix: prefix,
    logger,
    concurrency: config.WEBHOOK_CONCURRENCY,
    retryFactor: config.WEBHOOK_RETRY_FACTOR,
    deliver,
  })
  const relay = startOutboxRelay({
    redis: deps.connect(),
    outboxKey: createRedisKeys(config.COLIS_REDIS_PREFIX).outbox(),
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

  return {
    /** Stops reading the outbox, lets first attempts and delivery jobs in flight finish, then closes. */
    async stop() {
      await relay.stop()
      await deliveryWorker.close()
      await Promise.all([deliveries.close(), dispatcher.close()])
    },
  }
}
