import type { Config } from '../config.js'
import { type Logger, protectSecrets } from '../logger.js'
import { createMetrics } from '../metrics.js'
import { assertSharedRedis, resolveRedis, warnIfEvicting } from '../redis/resolve-redis.js'
import { assertEgressConfigSafe, parseAllowedCidrs } from '../webhooks/egress-guard.js'
import { startApiProcess } from './api-process.js'
import { httpLimitsFrom } from './http-listener.js'
import { createCarriers } from './policies.js'
import { createRedisConnections, WORKER_REDIS_OPTIONS, waitUntilReady } from './redis-connections.js'
import { createStores, createTrackingStore } from './stores.js'
import { startWorkerHealthServer } from './worker-health-server.js'
import { startWorkers } from './worker-process.js'

export type Role = 'all' | 'api' | 'worker'

export interface RunningService {
  url?: string
  /** Reads COLIS_CARRIERS_FILE again (SIGHUP); an invalid file is refused and the old one stays. */
  reload(): Promise<void>
  stop(): Promise<void>
}

function checkEgressConfig(config: Config, logger: Logger) {
  const egressAllowed = parseAllowedCidrs(config.WEBHOOK_ALLOWED_CIDRS)
  assertEgressConfigSafe({ production: config.NODE_ENV === 'production', allowed: egressAllowed })
  if (egressAllowed.length > 0) {
    logger.warn(
      { cidrs: config.WEBHOOK_ALLOWED_CIDRS },
      'webhooks may reach private addresses (WEBHOOK_ALLOWED_CIDRS): tests only',
    )
  }
}

/** Starts the API and/or the poll workers (`colis serve --role`); resolves once they are listening. */
export async function startService(config: Config, role: Role, logger: Logger): Promise<RunningService> {
  assertSharedRedis(config, role)
  checkEgressConfig(config, logger)
  // First, so that a bad carrier definition file stops startup before anything else starts.
  const metrics = createMetrics({ processMetrics: true })
  const carriers = createCarriers(config, logger, { metrics })
  protectSecrets(logger, [...carriers.secrets(), config.COLIS_ADMIN_TOKEN, config.COLIS_METRICS_TOKEN])
  const target = await resolveRedis(config, logger)
  const connections = createRedisConnections(target.url, logger)
  const prefix = config.COLIS_REDIS_PREFIX
  const main = role === 'worker' ? connections.connect(WORKER_REDIS_OPTIONS) : connections.connectFailFast()
  await waitUntilReady(main, target.url)
  logger.info({ source: target.source, prefix }, 'connected to Redis')
  await warnIfEvicting(main, logger)

  const stores = createStores(main, prefix)
  const stops: Array<() => Promise<void>> = []
  const reloads: Array<() => Promise<void>> = []
  let url: string | undefined

  if (role !== 'api') {
    const workers = await startWorkers({
      config,
      connect: () => connections.connect(WORKER_REDIS_OPTIONS),
      store: createTrackingStore(connections.connect(WORKER_REDIS_OPTIONS), prefix),
      carriers,
      logger: logger.child({ role: 'worker' }),
      metrics,
      recordFailure: (carrier, kind) => {
        stores.carrierHealth
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
      limits: httpLimitsFrom(config),
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
    const api = await startApiProcess({
      config,
      redis: main,
      subscriber: connections.connect(WORKER_REDIS_OPTIONS),
      stores,
      carriers,
      logger,
      metrics,
    })
    url = api.url
    stops.unshift(api.stop)
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
      await connections.closeAll()
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
