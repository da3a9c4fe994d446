import type { AppDeps } from '../../src/api/app-deps.js'
import { type Config, loadConfig } from '../../src/config.js'
import type { ForecastSource } from '../../src/domain/forecast/forecast-model.js'
import type { EmailContextSources } from '../../src/email/email-context.js'
import { createSilentLogger, type Logger } from '../../src/logger.js'
import { createApiApp } from '../../src/main/api-process.js'
import { createCarriers } from '../../src/main/policies.js'
import {
  API_REDIS_OPTIONS,
  connectForAcknowledgedWrites,
  createRedisConnections,
  WORKER_REDIS_OPTIONS,
} from '../../src/main/redis-connections.js'
import { shopperEmailSources } from '../../src/main/shopper-email-sources.js'
import {
  createStores,
  createTrackingStore,
  type Stores,
  type WrapTrackingStore,
} from '../../src/main/stores.js'
import { type RunningWorkers, startWorkers } from '../../src/main/worker-process.js'
import type { Metrics } from '../../src/metrics.js'
import type { RedisClient } from '../../src/redis/redis-client.js'
import { testRedisUrl, uniquePrefix } from './redis.js'
import { requestWithKey } from './request-with-key.js'

export interface Harness {
  config: Config
  redis: RedisClient
  /** Another connection to the same Redis (worker options), closed by `close()`. */
  connect(): RedisClient
  app: ReturnType<typeof createApiApp>
  store: Stores['trackings']
  apiKeys: Stores['apiKeys']
  merchantSettings: Stores['merchantSettings']
  analytics: Stores['analytics']
  /**
   * Starts the real poll workers (BullMQ) of this harness; stopped by `close()`. `wrap` may stand
   * between the workers and their store (fault injection).
   */
  startWorkers(wrap?: WrapTrackingStore): Promise<void>
  /** `app.request` with a merchant's API key. */
  request(key: string, path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/**
 * API + store (+ workers on demand) on the private test Redis, under a prefix of their own; on the
 * test cluster instead when `env` names it (REDIS_CLUSTER_NODES), with its shards (COLIS_SHARDS).
 */
export async function createHarness(
  name: string,
  env: Record<string, string> = {},
  /** Variables carrier definition files may name in headers. */
  carrierEnv: Record<string, string> = {},
  /** A logger to read, metrics to fill, and more API dependencies (rate limits, admin…). */
  extra: {
    logger?: Logger
    metrics?: Metrics
    app?: Partial<AppDeps>
    /** Where the workers' e-mails find what other parts of colis give them (a tracking page…). */
    emailSources?: EmailContextSources
    /** The delivery forecast model the workers read (the API's is `app.forecasts`). */
    forecasts?: ForecastSource
  } = {},
): Promise<Harness> {
  const onCluster = env.REDIS_CLUSTER_NODES !== undefined
  // One shard on a cluster keeps every key in one slot: its prefix is then a hash tag.
  const oneSlot = onCluster && env.COLIS_SHARDS === '1'
  const config = loadConfig({
    NODE_ENV: 'test',
    ...(onCluster ? {} : { REDIS_URL: testRedisUrl() }),
    COLIS_REDIS_PREFIX: oneSlot ? `{${uniquePrefix(name)}}` : uniquePrefix(name),
    LAPOSTE_API_KEY: 'test-okapi-key',
    POLL_DISPATCH_INTERVAL: '50ms',
    // Tests run at any hour: carriers' working hours would put their polls off until the morning.
    POLL_CALENDAR: 'off',
    ...env,
  })
  const logger = extra.logger ?? createSilentLogger()
  const { metrics } = extra
  const connections = createRedisConnections(config.REDIS_CLUSTER_NODES ?? testRedisUrl(), logger)
  const connect = () => connections.connect()
  const redis = connect()
  const carriers = createCarriers(config, logger, { env: carrierEnv, metrics })
  const wait = { replicas: config.REDIS_WAIT_REPLICAS, timeoutMs: config.REDIS_WAIT_TIMEOUT }
  const stores = createStores(redis, config.COLIS_REDIS_PREFIX, {
    notifyRetentionMs: config.NOTIFY_RETENTION,
    shards: config.COLIS_SHARDS,
    waitReplicas: {
      ...wait,
      connections: await connectForAcknowledgedWrites(connections, API_REDIS_OPTIONS, wait),
    },
  })
  const app = createApiApp({ config, redis, stores, carriers, logger, metrics, overrides: extra.app })
  let workers: RunningWorkers | undefined
  return {
    config,
    redis,
    connect,
    app,
    store: stores.trackings,
    apiKeys: stores.apiKeys,
    merchantSettings: stores.merchantSettings,
    analytics: stores.analytics,
    async startWorkers(wrap) {
      workers = await startWorkers({
        config,
        connect,
        store: createTrackingStore(connect(), config.COLIS_REDIS_PREFIX, {
          wrap,
          notifyRetentionMs: config.NOTIFY_RETENTION,
          shards: config.COLIS_SHARDS,
          waitReplicas: {
            ...wait,
            connections: await connectForAcknowledgedWrites(connections, WORKER_REDIS_OPTIONS, wait),
          },
        }),
        carriers,
        logger,
        metrics,
        merchantSettings: stores.merchantSettings,
        forecasts: extra.forecasts,
        recordFailure: (carrier, kind) => void stores.carrierHealth.recordFailure(carrier, kind),
        emailSources: {
          ...shopperEmailSources({
            merchantSettings: stores.merchantSettings,
            store: stores.trackings,
            publicBaseUrl: config.PUBLIC_BASE_URL,
          }),
          ...extra.emailSources,
        },
      })
    },
    request(key, path, init) {
      return requestWithKey(app, key, path, init)
    },
    async close() {
      await workers?.close()
      await carriers.close()
      await connections.closeAll()
    },
  }
}

/** Polls `read` until `until` accepts its value, or fails after `timeoutMs` with the last value seen. */
export async function eventually<T>(
  read: () => Promise<T>,
  until: (value: T) => boolean,
  timeoutMs = 25_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T = await read()
  while (!until(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    last = await read()
  }
  return last
}
