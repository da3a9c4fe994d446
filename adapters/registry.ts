import type { Config } from '../src/config.js'
import type { CarrierAlertFacts } from '../src/domain/delay-alerts.js'
import type { EventStatus } from '../src/domain/tracking-status.js'
import type { Logger } from '../src/logger.js'
import { createCarrierHttp } from './carrier-http.js'
import { CHRONOPOST_CARRIER } from './chronopost/index.js'
import {
  type CodeOverrides,
  changedCarriers,
  loadCodeOverrides,
  NO_CODE_OVERRIDES,
} from './code-overrides.js'
import { COLISPRIVE_CARRIER } from './colisprive/index.js'
import type { BuiltinCarrier, CarrierAdapter, UnknownCodeHook } from './contract.js'
import { type Detection, detectCarrier } from './detect.js'
import { DHL_CARRIER } from './dhl/index.js'
import { DPD_CARRIER } from './dpd/index.js'
import type { GenericCarrierDefinition } from './generic/definition-schema.js'
import { createGenericAdapter, GENERIC_CARRIER_DEFAULTS } from './generic/index.js'
import { loadCarrierDefinitions } from './generic/load-definitions.js'
import { GLS_CARRIER } from './gls/index.js'
import { LAPOSTE_CARRIER } from './laposte/index.js'
import { MONDIALRELAY_CARRIER } from './mondialrelay/index.js'
import { createUnknownCodeBook, type OverrideContext, withCodeOverrides } from './overridden-adapter.js'
import { RELAISCOLIS_CARRIER } from './relaiscolis/index.js'
import { SANDBOX_CARRIER } from './sandbox/index.js'
import { UPS_CARRIER } from './ups/index.js'

/** Keys must be their carrier's id: a mismatch does not compile. */
function listBuiltins<T extends { [Id in keyof T]: BuiltinCarrier<Id & string> }>(carriers: T): T {
  return carriers
}

/** The carriers colis ships with, one line each; a definition file cannot take their ids. */
const BUILTIN_CARRIERS = listBuiltins({
  laposte: LAPOSTE_CARRIER,
  chronopost: CHRONOPOST_CARRIER,
  dpd: DPD_CARRIER,
  mondialrelay: MONDIALRELAY_CARRIER,
  ups: UPS_CARRIER,
  relaiscolis: RELAISCOLIS_CARRIER,
  gls: GLS_CARRIER,
  dhl: DHL_CARRIER,
  colisprive: COLISPRIVE_CARRIER,
  sandbox: SANDBOX_CARRIER,
})

export type BuiltinCarrierId = keyof typeof BUILTIN_CARRIERS
export const BUILTIN_CARRIER_IDS = Object.keys(BUILTIN_CARRIERS) as readonly BuiltinCarrierId[]

function isBuiltinCarrierId(id: string): id is BuiltinCarrierId {
  return Object.hasOwn(BUILTIN_CARRIERS, id)
}

/**
 * What alerts need to know of `carrierId`, without building the carriers: a built-in's facts, else the
 * defaults every definition-file carrier (or a carrier no longer configured) has.
 */
export function alertFactsOf(carrierId: string): CarrierAlertFacts {
  if (!isBuiltinCarrierId(carrierId)) return { id: carrierId, ...GENERIC_CARRIER_DEFAULTS }
  const { id, pickupHoldDays, deliveryDays } = BUILTIN_CARRIERS[carrierId].facts
  return { id, pickupHoldDays, deliveryDays }
}

export interface CarrierRuntime {
  /** Every carrier of this deployment: the built-ins, then the ones of COLIS_CARRIERS_FILE. */
  list(): CarrierAdapter[]
  get(id: string): CarrierAdapter | undefined
  detect(trackingNumber: string): Detection
  /** Carrier clock speed: the adapter's own `timeScale` (the sandbox plays faster), else 1. */
  timeScale(carrier: string): number
  /**
   * Reads COLIS_CARRIERS_FILE again. An invalid file throws (CarrierDefinitionError) and the carriers
   * in use stay as they were.
   */
  reloadDefinitions(): { added: string[]; removed: string[]; updated: string[] }
  /**
   * Reads COLIS_CODE_OVERRIDES again and gives the carriers whose rules changed. An invalid file throws
   * (CodeOverridesError) and the rules in use stay as they were.
   */
  reloadCodeOverrides(): { changed: string[] }
  /** The COLIS_CODE_OVERRIDES rules in force. */
  codeOverrides(): CodeOverrides
  /** The status COLIS_CODE_OVERRIDES gives a code (its own rule, else a pattern one of its wordings matches). */
  codeOverride(carrier: string, code: string, wordings: readonly string[]): EventStatus | undefined
  /** The credentials carriers send (API keys, header tokens), so that logs can blank them out. */
  secrets(): string[]
  close(): Promise<void>
}

interface Mounted {
  adapter: CarrierAdapter
  http?: { close(): Promise<void> }
  definition?: string
}

export interface RuntimeOptions {
  /** Environment variables carrier definitions may name in headers. */
  env?: Record<string, string | undefined>
  /**
   * Told of every event whose code its carrier's table lacks, with the event's wording (e.g. to count
   * and record it), whether COLIS_CODE_OVERRIDES maps it or not.
   */
  onUnknownCode?: UnknownCodeHook
  /** Told of each credential a carrier obtains while running (an OAuth access token). */
  onSecret?: (secret: string) => void
}

function mountBuiltIns(
  config: Config,
  logger: Logger,
  context: OverrideContext,
  onSecret: RuntimeOptions['onSecret'],
): Record<BuiltinCarrierId, Mounted> {
  const mounted = {} as Record<BuiltinCarrierId, Mounted>
  for (const id of BUILTIN_CARRIER_IDS) {
    const { adapter, http } = BUILTIN_CARRIERS[id].mount({
      config,
      logger,
      onUnknownCode: context.unknownCodes.learn,
      onSecret,
    })
    mounted[id] = { adapter: withCodeOverrides(adapter, context), http }
  }
  return mounted
}

function mountGeneric(
  definition: GenericCarrierDefinition,
  logger: Logger,
  env: Record<string, string | undefined>,
  context: OverrideContext,
) {
  const http = createCarrierHttp({ carrier: definition.id, timeoutMs: definition.request.timeoutMs })
  const adapter = createGenericAdapter(definition, {
    http,
    logger: logger.child({ carrier: definition.id }),
    env,
    onUnknownCode: context.unknownCodes.learn,
  })
  return { http, definition: JSON.stringify(definition), adapter: withCodeOverrides(adapter, context) }
}

/** Builds every carrier of this deployment from the config, each with its own HTTP agent. */
export function createCarrierRuntime(
  config: Config,
  logger: Logger,
  options: RuntimeOptions = {},
): CarrierRuntime {
  const env = options.env ?? {}
  let overrides = NO_CODE_OVERRIDES
  const context: OverrideContext = {
    overrides: () => overrides,
    unknownCodes: createUnknownCodeBook(),
    onUnknownCode: options.onUnknownCode,
  }
  const builtIns = mountBuiltIns(config, logger, context, options.onSecret)
  const mount = (definition: GenericCarrierDefinition) => mountGeneric(definition, logger, env, context)
  let generic = new Map<string, Mounted>()
  const readDefinitions = () =>
    config.COLIS_CARRIERS_FILE ? loadCarrierDefinitions(config.COLIS_CARRIERS_FILE, BUILTIN_CARRIER_IDS) : []
  for (const definition of readDefinitions()) generic.set(definition.id, mount(definition))

  const retired: Array<{ close(): Promise<void> }> = []
  const all = () => [...Object.values(builtIns), ...generic.values()]
  const readOverrides = () =>
    config.COLIS_CODE_OVERRIDES
      ? loadCodeOverrides(
          config.COLIS_CODE_OVERRIDES,
          all().map((mounted) => mounted.adapter.id),
        )
      : NO_CODE_OVERRIDES
  overrides = readOverrides()

  return {
    list: () => all().map((mounted) => mounted.adapter),
    get: (id) => (isBuiltinCarrierId(id) ? builtIns[id] : generic.get(id))?.adapter,
    detect: (trackingNumber) =>
      detectCarrier(
        trackingNumber,
        all().map((mounted) => mounted.adapter),
      ),
    timeScale: (carrier) =>
      (isBuiltinCarrierId(carrier) ? builtIns[carrier] : generic.get(carrier))?.adapter.timeScale ?? 1,
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
        context.unknownCodes.forget(definition.id)
        next.set(definition.id, mount(definition))
      }
      const removed = [...generic.keys()].filter((id) => !next.has(id))
      for (const id of removed) {
        const http = generic.get(id)?.http
        if (http) retired.push(http)
      }
      for (const id of removed) context.unknownCodes.forget(id)
      generic = next
      // Agents close once their in-flight requests are done.
      for (const http of retired.splice(0)) void http.close()
      return { added, removed, updated }
    },
    reloadCodeOverrides() {
      const next = readOverrides()
      const changed = changedCarriers(overrides, next)
      overrides = next
      return { changed }
    },
    codeOverrides: () => overrides,
    codeOverride(carrier, code, wordings) {
      for (const wording of wordings.length > 0 ? wordings : ['']) {
        const status = overrides.statusOf(carrier, code, wording)
        if (status) return status
      }
      return undefined
    },
    secrets() {
      return all()
        .flatMap((mounted) => mounted.adapter.listSecrets())
        .filter((value) => value !== '')
    },
    async close() {
      await Promise.all(all().flatMap((mounted) => (mounted.http ? [mounted.http.close()] : [])))
    },
  }
}
