import type { AppDeps } from '../../src/api/app-deps.js'
import { type Config, loadConfig } from '../../src/config.js'
import { createSilentLogger, type Logger } from '../../src/logger.js'
import { createApiApp } from '../../src/main/api-process.js'
import { createCarriers } from '../../src/main/policies.js'
import { createMemoryStores, type MemoryStores } from '../../src/main/stores.js'
import type { Metrics } from '../../src/metrics.js'
import { requestWithKey } from './request-with-key.js'

export interface MemoryHarness {
  config: Config
  app: ReturnType<typeof createApiApp>
  store: MemoryStores['trackings']
  apiKeys: MemoryStores['apiKeys']
  webhooks: MemoryStores['webhooks']
  carrierHealth: MemoryStores['carrierHealth']
  merchantSettings: MemoryStores['merchantSettings']
  analytics: MemoryStores['analytics']
  /** `app.request` with a merchant's API key. */
  request(key: string, path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/** A Redis that always answers `/readyz`: the memory stores need none. */
const ANSWERING_REDIS = { ping: async () => 'PONG' as const }

/**
 * The API on memory stores, built as `createHarness` builds it on Redis (no workers: polls need Redis).
 * `name` labels the harness in failures only; nothing is shared between harnesses.
 */
export async function createMemoryHarness(
  name: string,
  env: Record<string, string> = {},
  /** Variables carrier definition files may name in headers. */
  carrierEnv: Record<string, string> = {},
  /** A logger to read, metrics to fill, more API dependencies (rate limits, admin…), the stores to use. */
  extra: { logger?: Logger; metrics?: Metrics; app?: Partial<AppDeps>; stores?: MemoryStores } = {},
): Promise<MemoryHarness> {
  const config = loadConfig({
    NODE_ENV: 'test',
    COLIS_REDIS_PREFIX: `colis-memory-${name}`,
    LAPOSTE_API_KEY: 'test-okapi-key',
    POLL_CALENDAR: 'off',
    ...env,
  })
  const logger = extra.logger ?? createSilentLogger()
  const { metrics } = extra
  const carriers = createCarriers(config, logger, { env: carrierEnv, metrics })
  const stores = extra.stores ?? createMemoryStores()
  const app = createApiApp({
    config,
    redis: ANSWERING_REDIS,
    stores,
    carriers,
    logger,
    metrics,
    overrides: extra.app,
  })
  return {
    config,
    app,
    store: stores.trackings,
    apiKeys: stores.apiKeys,
    webhooks: stores.webhooks,
    carrierHealth: stores.carrierHealth,
    merchantSettings: stores.merchantSettings,
    analytics: stores.analytics,
    request(key, path, init) {
      return requestWithKey(app, key, path, init)
    },
    async close() {
      await carriers.close()
    },
  }
}
