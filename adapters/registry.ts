import type { Config } from '../src/config.js'
import type { Logger } from '../src/logger.js'
import { type CarrierHttp, createCarrierHttp } from './carrier-http.js'
import { createChronopostAdapter } from './chronopost/index.js'
import type { CarrierAdapter, UnknownCodeHook } from './contract.js'
import { type Detection, detectCarrier } from './detect.js'
import { listEnvNames } from './generic/client.js'
import type { GenericCarrierDefinition } from './generic/definition-schema.js'
import { createGenericAdapter } from './generic/index.js'
import { loadCarrierDefinitions } from './generic/load-definitions.js'
import { createLaPosteAdapter } from './laposte/index.js'
import { createSandboxAdapter } from './sandbox/index.js'

export const BUILTIN_CARRIER_IDS = ['laposte', 'chronopost', 'sandbox'] as const
export type BuiltinCarrierId = (typeof BUILTIN_CARRIER_IDS)[number]

export interface CarrierRuntime {
  /** Every carrier of this deployment: the built-ins, then the ones of COLIS_CARRIERS_FILE. */
  list(): CarrierAdapter[]
  get(id: string): CarrierAdapter | undefined
  detect(trackingNumber: string): Detection
  /** Carrier clock speed: 1 for real carriers, SANDBOX_TIME_SCALE for the sandbox. */
  timeScale(carrier: string): number
  /**
   * Reads COLIS_CARRIERS_FILE again. An invalid file throws (CarrierDefinitionError) and the carriers
   * in use stay as they were.
   */
  reloadDefinitions(): { added: string[]; removed: string[]; updated: string[] }
  /** The credentials carriers send (API keys, header tokens), so that logs can blank them out. */
  secrets(): string[]
  close(): Promise<void>
}

interface Mounted {
  adapter: CarrierAdapter
  http?: CarrierHttp
  definition?: string
  /** Environment variables holding its credentials. */
  envNames?: string[]
}

export interface RuntimeOptions {
  /** Environment variables carrier definitions may name in headers. */
  env?: Record<string, string | undefined>
  /** Told of every carrier code missing from its code table (e.g. to count it). */
  onUnknownCode?: UnknownCodeHook
}

function buildBuiltIns(
  config: Config,
  logger: Logger,
  onUnknownCode: UnknownCodeHook | undefined,
): Record<BuiltinCarrierId, Mounted> {
  const laposteHttp = createCarrierHttp({
    carrier: 'laposte',
    timeoutMs: config.LAPOSTE_TIMEOUT,
    connections: Math.max(4, config.LAPOSTE_RATE_LIMIT.max),
  })
  const chronopostHttp = createCarrierHttp({
    carrier: 'chronopost',
    timeoutMs: config.CHRONOPOST_TIMEOUT,
    connections: Math.max(4, config.CHRONOPOST_RATE_LIMIT.max),
  })
  return {
    laposte: {
      http: laposteHttp,
      adapter: createLaPosteAdapter({
        http: laposteHttp,
        logger: logger.child({ carrier: 'laposte' }),
        apiKey: config.LAPOSTE_API_KEY,
        baseUrl: config.LAPOSTE_BASE_URL,
        lang: config.LAPOSTE_LANG,
        rateLimit: config.LAPOSTE_RATE_LIMIT,
        batchSize: config.LAPOSTE_BATCH_SIZE,
        onUnknownCode,
      }),
    },
    chronopost: {
      http: chronopostHttp,
      adapter: createChronopostAdapter({
        http: chronopostHttp,
        logger: logger.child({ carrier: 'chronopost' }),
        baseUrl: config.CHRONOPOST_BASE_URL,
        language: config.CHRONOPOST_LANGUAGE,
        rateLimit: config.CHRONOPOST_RATE_LIMIT,
        onUnknownCode,
      }),
    },
    sandbox: {
      adapter: createSandboxAdapter({
        timeScale: config.SANDBOX_TIME_SCALE,
        rateLimit: config.SANDBOX_RATE_LIMIT,
        logger: logger.child({ carrier: 'sandbox' }),
        onUnknownCode,
      }),
    },
  }
}

function mountGeneric(
  definition: GenericCarrierDefinition,
  logger: Logger,
  env: Record<string, string | undefined>,
  onUnknownCode: UnknownCodeHook | undefined,
) {
  const http = createCarrierHttp({ carrier: definition.id, timeoutMs: definition.request.timeoutMs })
  return {
    http,
    definition: JSON.stringify(definition),
    envNames: listEnvNames(definition.request),
    adapter: createGenericAdapter(definition, {
      http,
      logger: logger.child({ carrier: definition.id }),
      env,
      onUnknownCode,
    }),
  }
}

/** Builds every carrier of this deployment from the config, each with its own HTTP agent. */
export function createCarrierRuntime(
  config: Config,
  logger: Logger,
  options: RuntimeOptions = {},
): CarrierRuntime {
  const env = options.env ?? {}
  const builtIns = buildBuiltIns(config, logger, options.onUnknownCode)
  const mount = (definition: GenericCarrierDefinition) =>
    mountGeneric(definition, logger, env, options.onUnknownCode)
  let generic = new Map<string, Mounted>()
  const readDefinitions = () =>
    config.COLIS_CARRIERS_FILE ? loadCarrierDefinitions(config.COLIS_CARRIERS_FILE) : []
  for (const definition of readDefinitions()) generic.set(definition.id, mount(definition))

  const retired: CarrierHttp[] = []
  const all = () => [...Object.values(builtIns), ...generic.values()]

  return {
    list: () => all().map((mounted) => mounted.adapter),
    get: (id) => (Object.hasOwn(builtIns, id) ? builtIns[id as BuiltinCarrierId] : generic.get(id))?.adapter,
    detect: (trackingNumber) =>
      detectCarrier(
        trackingNumber,
        all().map((mounted) => mounted.adapter),
      ),
    timeScale: (carrier) => (carrier === 'sandbox' ? config.SANDBOX_TIME_SCALE : 1),
    reloadDefinitions() {
      const definitions = readDefinitions()
      const next = new Map<string, Mounted>()
      const added: string[] = []
      const updated: string[] = []
      for (const definition of definitions) {
        const current = generic.get(definition.id)
        if (current && current.definition === JSON.stringify(definition)) {
          next.set(definition.id, current)
          continue
        }
        ;(current ? updated : added).push(definition.id)
        if (current?.http) retired.push(current.http)
        next.set(definition.id, mount(definition))
      }
      const removed = [...generic.keys()].filter((id) => !next.has(id))
      for (const id of removed) {
        const http = generic.get(id)?.http
        if (http) retired.push(http)
      }
      generic = next
      // Agents close once their in-flight requests are done.
      for (const http of retired.splice(0)) void http.close()
      return { added, removed, updated }
    },
    secrets() {
      const named = [...generic.values()].flatMap((mounted) => mounted.envNames ?? [])
      return [config.LAPOSTE_API_KEY, ...named.map((name) => env[name])].filter(
        (value): value is string => typeof value === 'string' && value !== '',
      )
    },
    async close() {
      await Promise.all(all().flatMap((mounted) => (mounted.http ? [mounted.http.close()] : [])))
    },
  }
}
