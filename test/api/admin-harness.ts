import type { Redis } from 'ioredis'
import type { AppDeps } from '../../src/api/app-deps.js'
import { createApiKeyStore } from '../../src/store/api-key-store.js'
import { createQueueMonitor } from '../../workers/queue-monitor.js'
import { createHarness, type Harness } from '../support/harness.js'
import { TOKEN } from './admin-api.js'

/**
 * A harness on the test Redis with the admin API (token `TOKEN`) and the queue dashboard of the
 * sandbox carrier's queues, under `prefix`; `app` adds API dependencies (rate limits…).
 */
export async function createAdminHarness(
  name: string,
  options: { redis: Redis; prefix: string; app?: Partial<AppDeps> },
): Promise<Harness> {
  const { redis, prefix } = options
  const monitor = createQueueMonitor({
    connection: redis,
    config: { COLIS_REDIS_PREFIX: prefix, COLIS_SHARDS: 1, POLL_QUEUE_LANES: 1 },
    carriers: () => [{ id: 'sandbox', rateLimit: { max: 50 } }],
  })
  const harness = await createHarness(
    name,
    { COLIS_REDIS_PREFIX: prefix },
    {},
    {
      app: {
        admin: {
          token: TOKEN,
          apiKeys: createApiKeyStore(redis, prefix),
          boardQueues: () => monitor.boardQueues(),
        },
        ...options.app,
      },
    },
  )
  return {
    ...harness,
    async close() {
      await monitor.close()
      await harness.close()
    },
  }
}
