import type { CarrierRuntime } from '../../adapters/registry.js'
import { createApp } from '../api/app.js'
import type { AppDeps } from '../api/app-deps.js'
import type { Config } from '../config.js'
import type { ForecastSource } from '../domain/forecast/forecast-model.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import { pingEveryServer, type RedisClient } from '../redis/redis-client.js'
import { checkWebhookUrl, parseAllowedCidrs } from '../webhooks/egress-guard.js'
import { startApiOperations } from './api-operations.js'
import { type HttpListener, httpLimitsFrom, listenHttp } from './http-listener.js'
import { alertPolicyFrom } from './policies.js'
import type { Stores } from './stores.js'

export interface ApiAppOptions {
  config: Config
  /** The connection `/readyz` pings (each master of a cluster). */
  redis: Pick<RedisClient, 'ping'>
  stores: Stores
  carriers: CarrierRuntime
  logger: Logger
  metrics?: Metrics
  /** More API dependencies, or other ones (rate limits, admin, a clock…). */
  overrides?: Partial<AppDeps>
}

/** The Hono app of the API, on the given stores. */
export function createApiApp(options: ApiAppOptions): ReturnType<typeof createApp> {
  const { config, redis, stores } = options
  const egress = {
    allowed: parseAllowedCidrs(config.WEBHOOK_ALLOWED_CIDRS),
    production: config.NODE_ENV === 'production',
  }
  return createApp({
    store: stores.trackings,
    apiKeys: stores.apiKeys,
    carriers: options.carriers,
    carrierFailures: (ids) => stores.carrierHealth.recentFailures(ids),
    unknownCodes: stores.unknownCodes,
    alertPolicy: alertPolicyFrom(config),
    webhooks: stores.webhooks,
    merchantSettings: stores.merchantSettings,
    analytics: stores.analytics,
    emails: stores.emails,
    emailEnabled: config.SMTP_URL !== undefined,
    notifyRetentionMs: config.NOTIFY_RETENTION,
    checkWebhookUrl: (url) => checkWebhookUrl(url, egress),
    pingRedis: () => pingEveryServer(redis),
    logger: options.logger,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    dashboard: {
      sessions: stores.dashboardSessions,
      isKeyActive: (keyId) => stores.apiKeys.isActive(keyId),
      idleMs: config.DASHBOARD_SESSION_IDLE,
      maxAgeMs: config.DASHBOARD_SESSION_MAX,
    },
    metrics: options.metrics,
    ...options.overrides,
  })
}

export interface ApiProcessOptions {
  config: Config
  /** The API's fail-fast connection (API_REDIS_OPTIONS). */
  redis: RedisClient
  /** A connection of its own for the API-key revocation subscription. */
  subscriber: RedisClient
  stores: Stores
  carriers: CarrierRuntime
  logger: Logger
  metrics: Metrics
  /** The delivery forecast model the process keeps in memory (shared with its workers). */
  forecasts?: ForecastSource
}

/** The API with its operator extras (metrics, rate limits, admin), listening on HOST:PORT. */
export async function startApiProcess(options: ApiProcessOptions): Promise<HttpListener> {
  const { config, logger } = options
  const operations = await startApiOperations({
    config,
    logger,
    metrics: options.metrics,
    carriers: options.carriers,
    redis: options.redis,
    subscriber: options.subscriber,
  })
  const app = createApiApp({
    ...options,
    logger: logger.child({ role: 'api' }),
    overrides: { ...operations.appDeps, forecasts: options.forecasts },
  })
  let server: HttpListener
  try {
    server = await listenHttp({
      fetch: app.fetch,
      host: config.HOST,
      port: config.PORT,
      limits: httpLimitsFrom(config),
      logger,
      metrics: options.metrics,
    })
  } catch (error) {
    await operations.stop()
    throw error
  }
  logger.info({ url: server.url }, 'API listening')
  return {
    url: server.url,
    async stop() {
      await server.stop()
      await operations.stop()
    },
  }
}
