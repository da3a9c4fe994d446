import type { CarrierRuntime } from '../../adapters/registry.js'
import { createQueueMonitor } from '../../workers/queue-monitor.js'
import type { AppDeps } from '../api/app-deps.js'
import { createRateLimits } from '../api/middleware/rate-limit.js'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { RedisClient } from '../redis/redis-client.js'
import { createApiKeyStore, watchApiKeyRevocations } from '../store/api-key-store.js'
import { createOpenAlertCounts } from '../store/redis/open-alert-counts.js'

export interface ApiOperationsOptions {
  config: Config
  logger: Logger
  metrics: Metrics
  carriers: Pick<CarrierRuntime, 'list'>
  /** The API's fail-fast connection: scrapes, limits and the dashboard answer at once while Redis is down. */
  redis: RedisClient
  /** A connection of its own for the revocation subscription (it reconnects and subscribes again). */
  subscriber: RedisClient
}

/**
 * What an API process adds for operators: metrics read from Redis at scrape time, the rate limits,
 * the admin API and queue dashboard (with COLIS_ADMIN_TOKEN), and the revocation feed that keeps
 * every process's API-key cache honest.
 */
export async function startApiOperations(options: ApiOperationsOptions): Promise<{
  appDeps: Pick<
    AppDeps,
    'metrics' | 'metricsToken' | 'rateLimits' | 'trustProxy' | 'admin' | 'onApiKeyRevoked'
  >
  stop(): Promise<void>
}> {
  const { config, metrics, redis } = options
  const prefix = config.COLIS_REDIS_PREFIX
  const configured = () =>
    options.carriers
      .list()
      .filter((adapter) => adapter.configured)
      .map(({ id, rateLimit }) => ({ id, rateLimit }))
  const queues = createQueueMonitor({ connection: redis, config, carriers: configured })
  metrics.watchQueues(() => queues.depths())
  metrics.watchOpenAlerts(createOpenAlertCounts(redis, prefix, config.COLIS_SHARDS))

  options.logger.info(
    { admin: config.COLIS_ADMIN_TOKEN !== undefined, metricsToken: config.COLIS_METRICS_TOKEN !== undefined },
    config.COLIS_ADMIN_TOKEN
      ? 'admin API and queue dashboard on /admin (COLIS_ADMIN_TOKEN)'
      : 'no COLIS_ADMIN_TOKEN: /admin is off',
  )
  const listeners = new Set<(keyId: string | undefined) => void>()
  const revocations = await watchApiKeyRevocations(
    options.subscriber,
    prefix,
    (keyId) => {
      for (const listener of listeners) listener(keyId)
    },
    config.COLIS_SHARDS,
  )

  return {
    appDeps: {
      metrics,
      metricsToken: config.COLIS_METRICS_TOKEN,
      rateLimits: createRateLimits(redis, prefix, {
        perKey: config.RATE_LIMIT,
        authFailures: { ...config.AUTH_FAILURE_LIMIT, blockMs: config.AUTH_FAILURE_BLOCK },
      }),
      trustProxy: config.TRUST_PROXY === 'on',
      admin: config.COLIS_ADMIN_TOKEN
        ? {
            token: config.COLIS_ADMIN_TOKEN,
            apiKeys: createApiKeyStore(redis, prefix, config.COLIS_SHARDS),
            boardQueues: () => queues.boardQueues(),
          }
        : undefined,
      onApiKeyRevoked: (listener) => listeners.add(listener),
    },
    async stop() {
      await revocations.stop()
      await queues.close()
    },
  }
}
