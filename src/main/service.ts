import type { RedisOptions } from 'ioredis'
import { CodeOverridesError } from '../../adapters/code-overrides.js'
import { remapCarrierTrackings } from '../../workers/remap-trackings.js'
import { createUnknownCodeRecorder, type UnknownCodeRecorder } from '../../workers/unknown-code-recorder.js'
import type { Config } from '../config.js'
import type { ForecastSource } from '../domain/forecast/forecast-model.js'
import { type Logger, protectSecrets } from '../logger.js'
import { createMetrics, type Metrics } from '../metrics.js'
import { pingEveryServer } from '../redis/redis-client.js'
import {
  assertSharedRedis,
  describeRedisTarget,
  type RedisTarget,
  resolveRedis,
  warnIfEvicting,
} from '../redis/resolve-redis.js'
import { claimKeyspace } from '../store/redis/keyspace-claim.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { assertEgressConfigSafe, parseAllowedCidrs } from '../webhooks/egress-guard.js'
import { startApiProcess } from './api-process.js'
import { createForecastModelHolder } from './forecast-models.js'
import { startForecastRefresh } from './forecast-refresh.js'
import { httpLimitsFrom } from './http-listener.js'
import { alertPolicyFrom, createCarriers, storeOptionsFrom } from './policies.js'
import { assertPortAvailable } from './port-check.js'
import {
  API_REDIS_OPTIONS,
  connectForAcknowledgedWrites,
  createRedisConnections,
  type RedisConnections,
  WORKER_REDIS_OPTIONS,
  waitUntilReady,
} from './redis-connections.js'
import { shopperEmailSources } from './shopper-email-sources.js'
import { createStores, createTrackingStore } from './stores.js'
import { startWorkerHealthServer } from './worker-health-server.js'
import { startWorkers } from './worker-process.js'

export type Role = 'all' | 'api' | 'worker'

export interface RunningService {
  url?: string
  /**
   * Reads COLIS_CARRIERS_FILE and COLIS_CODE_OVERRIDES again (SIGHUP); an invalid file is refused and the
   * old one stays. Where workers run, trackings still polled of each carrier whose code rules changed
   * are mapped again from their stored events before it resolves.
   */
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
  // Before anything starts: a taken port is one line, not a crash once Redis and the pollers run.
  await assertPortAvailable(config.HOST, config.PORT)
  // Then a bad carrier definition or code override file stops startup before Redis is reached.
  const metrics = createMetrics({ processMetrics: true })
  const unknownCodes = createUnknownCodeRecorder({ logger })
  const carriers = createCarriers(config, logger, { metrics, onUnknownCode: unknownCodes.note })
  protectSecrets(logger, [...carriers.secrets(), config.COLIS_ADMIN_TOKEN, config.COLIS_METRICS_TOKEN])
  let target: RedisTarget | undefined
  let connections: RedisConnections | undefined
  const stops: Array<() => Promise<void>> = []
  // The parts in reverse order of start; the private redis-server, if colis started one, last.
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop()
    await carriers.close()
    await connections?.closeAll()
    await target?.stop()
  }
  try {
    target = await resolveRedis(config, logger)
    connections = createRedisConnections(target.address, logger)
    return await startParts(config, role, logger, {
      target,
      connections,
      carriers,
      metrics,
      unknownCodes,
      stops,
      stopAll,
    })
  } catch (error) {
    await stopAll().catch((stopError: unknown) =>
      logger.warn({ err: stopError }, 'could not stop what had started'),
    )
    throw error
  }
}

interface ServiceParts {
  target: RedisTarget
  connections: RedisConnections
  carriers: ReturnType<typeof createCarriers>
  metrics: Metrics
  /** Told of the codes carriers' tables lack; where workers run, it writes them to Redis. */
  unknownCodes: UnknownCodeRecorder
  /** Each started part's stop, in order of start. */
  stops: Array<() => Promise<void>>
  stopAll(): Promise<void>
}

async function startParts(
  config: Config,
  role: Role,
  logger: Logger,
  { target, connections, carriers, metrics, unknownCodes, stops, stopAll }: ServiceParts,
): Promise<RunningService> {
  const prefix = config.COLIS_REDIS_PREFIX
  const main = role === 'worker' ? connections.connect(WORKER_REDIS_OPTIONS) : connections.connectFailFast()
  await waitUntilReady(main, describeRedisTarget(target))
  logger.info({ source: target.source, prefix }, 'connected to Redis')
  await warnIfEvicting(main, logger)
  await claimKeyspace(main, prefix, config.COLIS_SHARDS)

  const storeOptions = storeOptionsFrom(config)
  /** The store options with REDIS_WAIT_REPLICAS' own connections, made with `options`. */
  const acknowledgingWith = async (options: RedisOptions) => ({
    ...storeOptions,
    waitReplicas: {
      ...storeOptions.waitReplicas,
      connections: await connectForAcknowledgedWrites(connections, options, storeOptions.waitReplicas),
    },
  })
  const stores = createStores(
    main,
    prefix,
    role === 'worker' ? storeOptions : await acknowledgingWith(API_REDIS_OPTIONS),
  )
  // One model per process, which its API and its workers share: refreshed, never read per request.
  const forecasts = createForecastModelHolder({
    analytics: stores.analytics,
    historyWeeks: config.FORECAST_HISTORY,
  })
  const forecastRefresh = await startForecastRefresh(forecasts, config.FORECAST_REFRESH, logger)
  stops.push(async () => forecastRefresh.stop())
  const reloads: Array<() => Promise<void>> = []
  const remaps: Array<(carriers: string[]) => Promise<void>> = []
  let url: string | undefined

  if (role !== 'api') {
    // Started before the workers, so stopped after them: what their last polls noted is written.
    unknownCodes.start(stores.unknownCodes)
    stops.push(() => unknownCodes.close())
    const workerStore = createTrackingStore(
      connections.connect(WORKER_REDIS_OPTIONS),
      prefix,
      await acknowledgingWith(WORKER_REDIS_OPTIONS),
    )
    remaps.push((changed) =>
      remapOverridden(changed, { config, carriers, store: workerStore, logger, forecasts }),
    )
    const workers = await startWorkers({
      config,
      connect: () => connections.connect(WORKER_REDIS_OPTIONS),
      store: workerStore,
      carriers,
      logger: logger.child({ role: 'worker' }),
      metrics,
      forecasts,
      merchantSettings: stores.merchantSettings,
      emailSources: shopperEmailSources({
        merchantSettings: stores.merchantSettings,
        store: workerStore,
        publicBaseUrl: config.PUBLIC_BASE_URL,
      }),
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
      pingRedis: () => pingEveryServer(main),
      logger,
      metrics,
      metricsToken: config.COLIS_METRICS_TOKEN,
    })
    url = healthServer.url
    logger.info({ url }, 'worker health endpoints listening (/healthz, /readyz)')
    stops.push(healthServer.stop)
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
      forecasts,
    })
    url = api.url
    stops.push(api.stop)
  }

  /** Carriers whose rules changed and whose stored events are still to be mapped again. */
  const toRemap = new Set<string>()
  const reloadCodeOverrides = async () => {
    let changed: string[]
    try {
      ;({ changed } = carriers.reloadCodeOverrides())
    } catch (error) {
      if (!(error instanceof CodeOverridesError)) throw error
      logger.error({ err: error }, 'code overrides NOT reloaded: the previous ones stay in use')
      return
    }
    logger.info({ changed }, 'code overrides reloaded')
    for (const carrier of changed) toRemap.add(carrier)
    try {
      for (const remap of remaps) await remap([...toRemap])
      toRemap.clear()
    } catch (error) {
      // The rules are in force; the next SIGHUP maps these carriers' stored events again.
      logger.error({ err: error }, 'stored events not all mapped again with the new code overrides')
    }
  }

  return {
    url,
    async reload() {
      let definitionsFailure: unknown
      try {
        const changes = carriers.reloadDefinitions()
        protectSecrets(logger, carriers.secrets())
        for (const reload of reloads) await reload()
        logger.info(changes, 'carrier definitions reloaded')
      } catch (error) {
        definitionsFailure = error
      }
      // Rules may name a carrier the definitions just added: read after them, whatever became of them.
      await reloadCodeOverrides()
      if (definitionsFailure) throw definitionsFailure
    },
    stop: stopAll,
  }
}

/** Maps the stored events of the polled trackings of each carrier whose code rules changed again. */
async function remapOverridden(
  changed: readonly string[],
  deps: {
    config: Config
    carriers: ReturnType<typeof createCarriers>
    store: TrackingStore
    logger: Logger
    forecasts: ForecastSource
  },
): Promise<void> {
  const overrides = deps.carriers.codeOverrides()
  for (const carrier of changed) {
    // Rules removed: events keep the status they gave (the built-in one is not stored to go back to).
    if (!overrides.covers(carrier)) continue
    const counts = await remapCarrierTrackings(
      carrier,
      (event) => overrides.statusOf(carrier, event.code, event.description),
      {
        store: deps.store,
        alertPolicy: alertPolicyFrom(deps.config),
        publicBaseUrl: deps.config.PUBLIC_BASE_URL,
        forecasts: deps.forecasts,
      },
    )
    deps.logger.info({ carrier, ...counts }, 'stored events mapped again with the new code overrides')
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
  const onReload = () => {
    starting
      .then((service) => service.reload())
      .catch((error: unknown) =>
        logger.error({ err: error }, 'carrier definitions NOT reloaded: the previous ones stay in use'),
      )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onReload)
  // A start that fails has stopped what it started, and its caller says why: nothing is left to stop.
  starting.catch(() => {
    if (stopping) return
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onReload)
  })
}
