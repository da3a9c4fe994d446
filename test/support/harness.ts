import { Redis } from 'ioredis'
import { createCarrierRuntime } from '../../adapters/registry.js'
import { type AppDeps, createApp } from '../../src/api/app.js'
import { type Config, loadConfig } from '../../src/config.js'
import { createSilentLogger, type Logger } from '../../src/logger.js'
import type { Metrics } from '../../src/metrics.js'
import { createApiKeyStore } from '../../src/store/api-key-store.js'
import { createCarrierHealthStore } from '../../src/store/carrier-health-store.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { checkWebhookUrl, parseAllowedCidrs } from '../../src/webhooks/egress-guard.js'
import { alertPolicyFrom, startWorkers } from '../../workers/main.js'
import { testRedisUrl, uniquePrefix } from './redis.js'

export interface Harness {
  config: Config
  redis: Redis
  app: ReturnType<typeof createApp>
  store: ReturnType<typeof createRedisTrackingStore>
  apiKeys: ReturnType<typeof createApiKeyStore>
  /**
   * Starts the real poll workers (BullMQ) of this harness; stopped by `close()`. `wrap` may stand
   * between the workers and their store (fault injection).
   */
  startWorkers(wrap?: (store: TrackingStore) => TrackingStore): Promise<void>
  /** `app.request` with a merchant's API key. */
  request(key: string, path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/** API + store (+ workers on demand) on the private test Redis, under a prefix of their own. */
export async function createHarness(
  name: string,
  env: Record<string, string> = {},
  /** Variables carrier definition files may name in headers. */
  carrierEnv: Record<string, string> = {},
  /** A logger to read, metrics to fill, and more API dependencies (rate limits, admin…). */
  extra: { logger?: Logger; metrics?: Metrics; app?: Partial<AppDeps> } = {},
): Promise<Harness> {
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: testRedisUrl(),
    COLIS_REDIS_PREFIX: uniquePrefix(name),
    LAPOSTE_API_KEY: 'test-okapi-key',
    POLL_DISPATCH_INTERVAL: '50ms',
    // Tests run at any hour: carriers' working hours would put their polls off until the morning.
    POLL_CALENDAR: 'off',
    ...env,
  })
  const connections: Redis[] = []
  const connect = () => {
    const client = new Redis(testRedisUrl(), { maxRetriesPerRequest: null })
    connections.push(client)
    return client
  }
  const redis = connect()
  const logger = extra.logger ?? createSilentLogger()
  const { metrics } = extra
  const carriers = createCarrierRuntime(config, logger, {
    env: carrierEnv,
    onUnknownCode: metrics && ((carrier, code) => metrics.countUnknownCode(carrier, code)),
  })
  const store = createRedisTrackingStore(redis, config.COLIS_REDIS_PREFIX)
  const health = createCarrierHealthStore(redis, config.COLIS_REDIS_PREFIX)
  const apiKeys = createApiKeyStore(redis, config.COLIS_REDIS_PREFIX)
  const app = createApp({
    store,
    apiKeys,
    carriers,
    carrierFailures: (ids) => health.recentFailures(ids),
    alertPolicy: alertPolicyFrom(config),
    webhooks: createWebhookStore(redis, config.COLIS_REDIS_PREFIX),
    checkWebhookUrl: (url) =>
      checkWebhookUrl(url, { allowed: parseAllowedCidrs(config.WEBHOOK_ALLOWED_CIDRS), production: false }),
    pingRedis: async () => {
      await redis.ping()
    },
    logger,
    metrics,
    ...extra.app,
  })
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined
  return {
    config,
    redis,
    app,
    store,
    apiKeys,
    async startWorkers(wrap = (store: TrackingStore) => store) {
      workers = await startWorkers({
        config,
        connect,
        store: wrap(createRedisTrackingStore(connect(), config.COLIS_REDIS_PREFIX)),
        carriers,
        logger,
        metrics,
        recordFailure: (carrier, kind) => void health.recordFailure(carrier, kind),
      })
    },
    request(key, path, init = {}) {
      const headers = new Headers(init.headers)
      headers.set('authorization', `Bearer ${key}`)
      if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json')
      return Promise.resolve(app.request(path, { ...init, headers }))
    },
    async close() {
      await workers?.close()
      await carriers.close()
      await Promise.all(connections.map((client) => client.quit()))
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
