import { serve as serveHttp } from '@hono/node-server'
import { Redis, type RedisOptions } from 'ioredis'
import { createCarrierRuntime } from '../adapters/registry.js'
import { alertPolicyFrom, startWorkers } from '../workers/main.js'
import { createApp } from './api/app.js'
import { type Config, readEnvironment } from './config.js'
import { type Logger, protectSecrets } from './logger.js'
import { createMetrics } from './metrics.js'
import { assertSharedRedis, resolveRedis, warnIfEvicting } from './redis/resolve-redis.js'
import { startApiOperations } from './server-operations.js'
import { createApiKeyStore } from './store/api-key-store.js'
import { createCarrierHealthStore } from './store/carrier-health-store.js'
import { createRedisTrackingStore } from './store/redis/redis-tracking-store.js'
import { createWebhookStore } from './store/webhook-store.js'
import { assertEgressConfigSafe, checkWebhookUrl, parseAllowedCidrs } from './webhooks/egress-guard.js'
import { startWorkerHealthServer } from './worker-health-server.js'

export type Role = 'all' | 'api' | 'worker'

/** The API fails fast while Redis is down (503 at once), instead of queueing requests. */
const API_REDIS_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  // A Redis that accepts connections but does not answer (paused, overloaded) also gets a 503 in time.
  commandTimeout: 1_000,
  // Requests that reach Redis while an earlier batch is out share one write: each socket write wakes
  // redis-server, the largest item of a read's profile (API maximum +10–25 %: BENCHMARKS.md, figure 3).
  // Not for the workers: their commands are few and large, and pipelines cost them more than they save.
  enableAutoPipelining: true,
}
/** Workers wait for Redis to come back, however long it takes (BullMQ needs `null`). */
const WORKER_REDIS_OPTIONS: RedisOptions = { maxRetriesPerRequest: null }

export interface RunningService {
  url?: string
  /** Reads COLIS_CARRIERS_FILE again (SIGHUP); an invalid file is refused and the old one stays. */
  reload(): Promise<void>
  stop(): Promise<void>
}

/** Starts the API and/or the poll workers; resolves once they are listening. */
export async function startService(config: Config, role: Role, logger: Logger): Promise<RunningService> {
  assertSharedRedis(config, role)
  const egressAllowed = parseAllowedCidrs(config.WEBHOOK_ALLOWED_CIDRS)
  assertEgressConfigSafe({ production: config.NODE_ENV === 'production', allowed: egressAllowed })
  if (egressAllowed.length > 0) {
    logger.warn(
      { cidrs: config.WEBHOOK_ALLOWED_CIDRS },
      'webhooks may reach private addresses (WEBHOOK_ALLOWED_CIDRS): tests only',
    )
  }
  // First, so that a bad carrier definition file stops startup before anything else starts.
  const metrics = createMetrics({ processMetrics: true })
  const carriers = createCarrierRuntime(config, logger, {
    env: readEnvironment(),
    onUnknownCode: (carrier, code) => metrics.countUnknownCode(carrier, code),
  })
  protectSecrets(logger, [...carriers.secrets(), config.COLIS_ADMIN_TOKEN, config.COLIS_METRICS_TOKEN])
  const target = await resolveRedis(config, logger)
  const connections: Redis[] = []
  const connect = (options: RedisOptions) => {
    const client = new Redis(target.url, options)
    client.on('error', (error) => logger.debug({ err: error }, 'redis connection error'))
    connections.push(client)
    return client
  }
  const main = connect(role === 'worker' ? WORKER_REDIS_OPTIONS : API_REDIS_OPTIONS)
  await new Promise<void>((resolve, reject) => {
    main.once('ready', resolve)
    main.once('end', () => reject(new Error(`cannot connect to Redis at ${target.url}`)))
  })
  logger.info({ source: target.source, prefix: config.COLIS_REDIS_PREFIX }, 'connected to Redis')
  await warnIfEvicting(main, logger)

  const health = createCarrierHealthStore(main, config.COLIS_REDIS_PREFIX)
  const stops: Array<() => Promise<void>> = []
  const reloads: Array<() => Promise<void>> = []
  let url: string | undefined

  if (role !== 'api') {
    const workerStore = createRedisTrackingStore(connect(WORKER_REDIS_OPTIONS), config.COLIS_REDIS_PREFIX)
    const workers = await startWorkers({
      config,
      connect: () => connect(WORKER_REDIS_OPTIONS),
      store: workerStore,
      carriers,
      logger: logger.child({ role: 'worker' }),
      metrics,
      recordFailure: (carrier, kind) => {
        health
          .recordFailure(carrier, kind)
          .catch((error: unknown) => logger.warn({ err: error }, 'failure count lost'))
      },
    })
    stops.push(() => workers.close())
    reloads.push(() => workers.sync())
  }

  if (role === 'worker') {
    const healthServer = await startWorkerHealthServer({
      host: config.HOST,
      port: config.PORT,
      // /readyz bounds the wait (1 s): a worker connection queues commands while Redis is away.
      pingRedis: async () => {
        await main.ping()
      },
      logger,
      metrics,
      metricsToken: config.COLIS_METRICS_TOKEN,
    })
    url = healthServer.url
    logger.info({ url }, 'worker health endpoints listening (/healthz, /readyz)')
    stops.unshift(healthServer.stop)
  }

  if (role !== 'worker') {
    const operations = await startApiOperations({
      config,
      logger,
      metrics,
      carriers,
      redis: main,
      subscriber: connect(WORKER_REDIS_OPTIONS),
    })
    stops.push(operations.stop)
    const app = createApp({
      ...operations.appDeps,
      store: createRedisTrackingStore(main, config.COLIS_REDIS_PREFIX),
      apiKeys: createApiKeyStore(main, config.COLIS_REDIS_PREFIX),
      carriers,
      carrierFailures: (ids) => health.recentFailures(ids),
      alertPolicy: alertPolicyFrom(config),
      webhooks: createWebhookStore(main, config.COLIS_REDIS_PREFIX),
      checkWebhookUrl: (url) =>
        checkWebhookUrl(url, { allowed: egressAllowed, production: config.NODE_ENV === 'production' }),
      pingRedis: async () => {
        await main.ping()
      },
      logger: logger.child({ role: 'api' }),
    })
    const server = await new Promise<ReturnType<typeof serveHttp>>((resolve) => {
      const listening = serveHttp({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, () =>
        resolve(listening),
      )
    })
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : config.PORT
    url = `http://${config.HOST}:${port}`
    logger.info({ url }, 'API listening')
    stops.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())))
  }

  return {
    url,
    async reload() {
      const changes = carriers.reloadDefinitions()
      protectSecrets(logger, carriers.secrets())
      for (const reload of reloads) await reload()
      logger.info(changes, 'carrier definitions reloaded')
    },
    async stop() {
      for (const stop of stops) await stop()
      await carriers.close()
      await Promise.all(connections.map((client) => client.quit().catch(() => client.disconnect())))
      await target.stop()
    },
  }
}

/**
 * SIGINT/SIGTERM: stop taking work, let in-flight polls finish (up to the grace period), then exit.
 * Installed before the service starts, so a signal during startup waits for it and then stops it.
 */
export function stopOnSignals(starting: Promise<RunningService>, config: Config, logger: Logger) {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now')
      process.exit(130)
    }
    stopping = true
    logger.info({ signal }, 'shutting down: finishing in-flight polls')
    const grace = setTimeout(() => {
      logger.error({ graceMs: config.COLIS_SHUTDOWN_GRACE }, 'shutdown grace period over: exiting')
      process.exit(1)
    }, config.COLIS_SHUTDOWN_GRACE)
    grace.unref()
    starting
      .then((service) => service.stop())
      .then(
        () => {
          logger.info('stopped')
          process.exit(0)
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping')
          process.exit(1)
        },
      )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', () => {
    starting
      .then((service) => service.reload())
      .catch((error: unknown) =>
        logger.error({ err: error }, 'carrier definitions NOT reloaded: the previous ones stay in use'),
      )
  })
}
