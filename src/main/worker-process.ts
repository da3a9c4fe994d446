import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type { CarrierAdapter, CarrierErrorKind } from '../../adapters/contract.js'
import type { CarrierRuntime } from '../../adapters/registry.js'
import { startAlertSweep } from '../../workers/alert-sweep-queue.js'
import { type CarrierPoller, startCarrierPoller } from '../../workers/carrier-poller.js'
import type { DeliveryDeps } from '../../workers/deliver-webhook.js'
import { createDeliveryQueue, startDeliveryWorker } from '../../workers/delivery-queue.js'
import { createEmailQueue, startEmailWorker } from '../../workers/email-queue.js'
import { type QueuePrefix, queuePrefix } from '../../workers/jobs.js'
import { createEmailRelay } from '../../workers/relay-emails.js'
import { startOutboxRelay } from '../../workers/relay-outbox.js'
import { EMAIL_RETRY_DELAYS_MS } from '../../workers/send-email.js'
import { holdShards, type ShardHolding } from '../../workers/shard-leases.js'
import { type Config, publicBaseUrl } from '../config.js'
import type { ForecastSource } from '../domain/forecast/forecast-model.js'
import type { PollPolicy } from '../domain/poll-schedule.js'
import type { EmailContextSources } from '../email/email-context.js'
import { createSmtpSender } from '../email/smtp-sender.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { RedisClient } from '../redis/redis-client.js'
import { createEmailSubscriptionStore } from '../store/email-subscription-store.js'
import type { MerchantSettingsStore } from '../store/merchant-settings-store.js'
import { createRedisKeys } from '../store/redis/redis-keys.js'
import { createRedisShardLeaseStore } from '../store/redis/redis-shard-lease-store.js'
import { allShards } from '../store/shards.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { createWebhookStore } from '../store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../webhooks/egress-guard.js'
import { WEBHOOK_RETRY_DELAYS_MS } from '../webhooks/retry-schedule.js'
import { alertPolicyFrom, pollPolicyFrom } from './policies.js'

export interface WorkerDeps {
  /** Where e-mails find the merchant's branding, the tracking page and the consumer's deadlines. */
  emailSources?: EmailContextSources
  config: Config
  /** A connection factory: BullMQ workers need their own blocking connections. */
  connect(): RedisClient
  store: TrackingStore
  carriers: CarrierRuntime
  logger: Logger
  /** Counts carrier failures by kind, for `GET /v1/carriers`. */
  recordFailure?(carrier: string, kind: CarrierErrorKind): void
  /** Counters and histograms of polls, carrier errors and webhook deliveries. */
  metrics?: Metrics
  /** Merchants' settings: a delivered parcel's notifications show its merchant's withdrawal period. */
  merchantSettings?: Pick<MerchantSettingsStore, 'get'>
  /** The delivery forecast model the process keeps in memory; none: notifications carry no forecast. */
  forecasts?: ForecastSource
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
  holding: ShardHolding,
): Promise<CarrierPoller> {
  const { config, carriers } = deps
  const carrier = adapter.id
  const logger = deps.logger.child({ carrier })
  const poller = await startCarrierPoller({
    carrier,
    adapter: () => carriers.get(carrier) ?? adapter,
    connect: deps.connect,
    queuePrefix: prefixOfQueues(config),
    store: deps.store,
    shards: holding.held,
    policy,
    alertPolicy: alertPolicyFrom(config),
    timeScale: carriers.timeScale(carrier),
    concurrency: config.POLL_CONCURRENCY,
    lanes: config.POLL_QUEUE_LANES,
    stalledLockMs: config.POLL_STALLED_LOCK,
    dispatchIntervalMs: config.POLL_DISPATCH_INTERVAL,
    leaseMs: config.POLL_LEASE,
    logger,
    metrics: deps.metrics,
    recordFailure: (kind) => deps.recordFailure?.(carrier, kind),
    withdrawalDays: async (merchantId) => (await deps.merchantSettings?.get(merchantId))?.withdrawalDays,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    forecasts: deps.forecasts,
  })
  logger.info(
    { rateLimit: adapter.rateLimit, batchSize: adapter.batchSize, concurrency: config.POLL_CONCURRENCY },
    'polling',
  )
  return poller
}

/** The BullMQ prefix of each queue (see `queuePrefix`). */
function prefixOfQueues(config: Config): QueuePrefix {
  return (queue) => queuePrefix(config, queue)
}

/** This process among the live workers: unique even for two worker sets in one process (tests). */
function workerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
}

/**
 * One poll queue, worker and dispatcher per configured carrier, each limited to that carrier's rate,
 * over the shards this process holds (all of them with one shard; its fair share with several).
 */
export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  const policy = pollPolicyFrom(deps.config)
  const name = workerName()
  const holding = await holdShards({
    openLeases: () =>
      createRedisShardLeaseStore(deps.connect(), deps.config.COLIS_REDIS_PREFIX, deps.config.COLIS_SHARDS),
    shards: deps.config.COLIS_SHARDS,
    owner: name,
    leaseMs: deps.config.SHARD_LEASE,
    logger: deps.logger,
  })
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
      const poller = await startPoller(adapter, deps, policy, holding)
      pollers.set(adapter.id, { ...poller, shape: shapeOf(adapter) })
    }
  }

  await sync()
  const notifications = await startNotifications(deps, holding, name)
  return {
    sync,
    async close() {
      await Promise.all([...pollers.values()].map((poller) => poller.stop()))
      pollers.clear()
      await notifications.stop()
      await holding.stop()
    },
  }
}

/** The webhook pipeline and the periodic alert sweep. */
async function startNotifications(deps: WorkerDeps, holding: ShardHolding, name: string) {
  // The webhook pipeline carries the e-mails too: one outbox per shard, one relay over those held.
  const webhooks = startWebhookPipeline(deps, { shards: holding.held, consumer: name })
  const sweep = await startAlertSweep({
    connect: deps.connect,
    queuePrefix: prefixOfQueues(deps.config),
    holding,
    everyMs: deps.config.ALERT_SWEEP_INTERVAL,
    store: deps.store,
    alertPolicy: alertPolicyFrom(deps.config),
    logger: deps.logger,
    publicBaseUrl: deps.config.PUBLIC_BASE_URL,
    forecasts: deps.forecasts,
  })

  return {
    async stop() {
      await Promise.all([webhooks.stop(), sweep.stop()])
    },
  }
}

export type WebhookPipelineDeps = Pick<WorkerDeps, 'config' | 'connect' | 'logger' | 'metrics'> &
  Partial<Pick<WorkerDeps, 'carriers' | 'emailSources'>>

/**
 * The outbox relay (first attempts), the delivery queue and its worker (retries): how a worker
 * process turns stored notifications into signed POSTs. The bench's webhook figure builds it here too.
 * `relay`: the shards whose outboxes it reads (default: every shard) and its consumer name.
 */
export function startWebhookPipeline(
  deps: WebhookPipelineDeps,
  relayOf: { shards?(): readonly number[]; consumer?: string } = {},
) {
  const { config, logger } = deps
  const prefix = prefixOfQueues(config)
  const keys = createRedisKeys(config.COLIS_REDIS_PREFIX, config.COLIS_SHARDS)
  const webhooks = createWebhookStore(deps.connect(), config.COLIS_REDIS_PREFIX, config.COLIS_SHARDS)
  const attempts = WEBHOOK_RETRY_DELAYS_MS.length + 1
  const deliveries = createDeliveryQueue({ connect: deps.connect, queuePrefix: prefix, logger, attempts })
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
    queue: deliveries,
    connect: deps.connect,
    queuePrefix: prefix,
    logger,
    concurrency: config.WEBHOOK_CONCURRENCY,
    retryFactor: config.WEBHOOK_RETRY_FACTOR,
    deliver,
  })
  const emails = deps.config.SMTP_URL ? startEmailPipeline(deps) : undefined
  const relay = startOutboxRelay({
    redis: deps.connect(),
    outboxKey: keys.outbox,
    shards: relayOf.shards ?? (() => allShards(config.COLIS_SHARDS)),
    sharded: config.COLIS_SHARDS > 1,
    webhooks,
    queue: deliveries,
    logger,
    consumer: relayOf.consumer ?? workerName(),
    claimIdleMs: config.OUTBOX_CLAIM_IDLE,
    firstAttempts: {
      deps: deliver,
      slots: config.WEBHOOK_CONCURRENCY,
      retryFactor: config.WEBHOOK_RETRY_FACTOR,
    },
    emails: emails?.relay,
  })

  return {
    /** Stops reading the outbox, lets first attempts and delivery jobs in flight finish, then closes. */
    async stop() {
      await relay.stop()
      await deliveryWorker.close()
      await emails?.stop()
      await Promise.all([deliveries.close(), dispatcher.close()])
    },
  }
}

/** The e-mail side of the outbox (with SMTP_URL): its relay step, the e-mail queue and its worker. */
function startEmailPipeline(deps: WebhookPipelineDeps) {
  const { config, logger } = deps
  const prefix = prefixOfQueues(config)
  const store = createEmailSubscriptionStore(deps.connect(), config.COLIS_REDIS_PREFIX, config.COLIS_SHARDS)
  const attempts = EMAIL_RETRY_DELAYS_MS.length + 1
  const queue = createEmailQueue({ connect: deps.connect, queuePrefix: prefix, logger, attempts })
  const sender = createSmtpSender({
    url: config.SMTP_URL ?? '',
    from: config.SMTP_FROM ?? '',
    maxConnections: config.SMTP_CONCURRENCY,
    dkim: dkimFrom(config),
  })
  const policy = alertPolicyFrom(config)
  const carriers = deps.carriers
  const worker = startEmailWorker({
    queue,
    connect: deps.connect,
    queuePrefix: prefix,
    logger,
    concurrency: config.SMTP_CONCURRENCY,
    retryFactor: config.SMTP_RETRY_FACTOR,
    deps: {
      emails: store,
      sender,
      publicBaseUrl: publicBaseUrl(config),
      sources: {
        carrierName: (id) => carriers?.get(id)?.name,
        ...deps.emailSources,
      },
      attempts,
      logger,
    },
  })
  return {
    relay: createEmailRelay({
      emails: store,
      queue,
      pickupHoldDays: (tracking) => policy(tracking).pickupHoldDays,
    }),
    async stop() {
      await worker.close()
      await queue.close()
      sender.close()
    },
  }
}

/** The DKIM signature's settings, its key read from SMTP_DKIM_PRIVATE_KEY_FILE (at startup: a bad path stops it). */
function dkimFrom(config: Config) {
  const { SMTP_DKIM_DOMAIN, SMTP_DKIM_SELECTOR, SMTP_DKIM_PRIVATE_KEY_FILE } = config
  if (!SMTP_DKIM_DOMAIN || !SMTP_DKIM_SELECTOR || !SMTP_DKIM_PRIVATE_KEY_FILE) return undefined
  return {
    domainName: SMTP_DKIM_DOMAIN,
    keySelector: SMTP_DKIM_SELECTOR,
    privateKey: readFileSync(SMTP_DKIM_PRIVATE_KEY_FILE, 'utf8'),
  }
}
