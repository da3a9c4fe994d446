import type { CarrierAdapter } from '../../adapters/contract.js'
import type { CarrierRuntime } from '../../adapters/registry.js'
import type { Config } from '../../src/config.js'
import type { Logger } from '../../src/logger.js'
import { alertPolicyFrom, pollPolicyFrom } from '../../src/main/policies.js'
import type { RedisClient } from '../../src/redis/redis-client.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { type CarrierPoller, startCarrierPoller } from '../../workers/carrier-poller.js'
import { queuePrefix } from '../../workers/jobs.js'

/** The sandbox's poller alone, built from `config` as the worker process builds it. */
export function startSandboxPoller(deps: {
  config: Config
  carriers: CarrierRuntime
  adapter: CarrierAdapter
  connect(): RedisClient
  store: TrackingStore
  shards(): readonly number[]
  logger: Logger
}): Promise<CarrierPoller> {
  const { config } = deps
  return startCarrierPoller({
    carrier: 'sandbox',
    adapter: () => deps.adapter,
    connect: deps.connect,
    queuePrefix: (name) => queuePrefix(config, name),
    shards: deps.shards,
    store: deps.store,
    policy: pollPolicyFrom(config),
    alertPolicy: alertPolicyFrom(config),
    timeScale: deps.carriers.timeScale('sandbox'),
    concurrency: config.POLL_CONCURRENCY,
    lanes: config.POLL_QUEUE_LANES,
    stalledLockMs: config.POLL_STALLED_LOCK,
    dispatchIntervalMs: config.POLL_DISPATCH_INTERVAL,
    leaseMs: config.POLL_LEASE,
    logger: deps.logger,
  })
}
