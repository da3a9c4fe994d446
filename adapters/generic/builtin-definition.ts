import type { Config } from '../../src/config.js'
import { type CarrierHttp, createCarrierHttp } from '../carrier-http.js'
import {
  type BuiltinCarrier,
  type BuiltinCarrierDeps,
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  type NumberCheck,
} from '../contract.js'
import { type GenericCarrierDefinition, parseCarrierDefinitions } from './definition-schema.js'
import { createGenericAdapter } from './index.js'

/** What the configuration decides for a carrier colis ships as a definition file. */
export interface DefinitionCarrierSettings {
  /** Replaces the part of the definition's URL before `?`, so that tests can point it at a fake. */
  baseUrl: string
  rateLimit: { max: number; durationMs: number }
  timeoutMs: number
  /** The variables its `{ "env": … }` headers name, as the configuration read them. */
  env?: Record<string, string | undefined>
}

export interface DefinitionCarrierSpec<Id extends string> {
  id: Id
  /** The parsed JSON of the carrier's definition file, validated here. */
  definition: unknown
  /** Its number checks, hold days and delivery days, from its folder: stricter than the definition's pattern. */
  facts: CarrierFacts & { readonly id: Id }
  checkNumber(trackingNumber: string): NumberCheck
  settings(config: Config): DefinitionCarrierSettings
}

export type DefinitionCarrier<Id extends string> = BuiltinCarrier<Id> & {
  /** The validated definition as its file holds it (before the configuration's base URL and limits). */
  readonly definition: GenericCarrierDefinition
  /** The adapter on a given HTTP client (`mount` builds the client too). */
  build(deps: BuiltinCarrierDeps & { http: CarrierHttp }): CarrierAdapter
}

/**
 * A built-in carrier described by a definition file in its folder: validated with the definition
 * schema when the module loads (a bad file stops colis at startup), run by the generic adapter.
 */
export function createDefinitionCarrier<Id extends string>(
  spec: DefinitionCarrierSpec<Id>,
): DefinitionCarrier<Id> {
  const [definition] = parseCarrierDefinitions({ carriers: [spec.definition] }, [], `adapters/${spec.id}`)
  if (definition?.id !== spec.id)
    throw new TypeError(`adapters/${spec.id}: the definition's id must be ${spec.id}`)
  const build = ({ config, logger, onUnknownCode, http }: BuiltinCarrierDeps & { http: CarrierHttp }) => {
    const settings = spec.settings(config)
    const generic = createGenericAdapter(withSettings(definition, settings), {
      http,
      logger: logger.child({ carrier: spec.id }),
      env: settings.env ?? {},
      onUnknownCode,
    })
    return withFacts(generic, spec)
  }
  return {
    id: spec.id,
    facts: spec.facts,
    definition,
    build,
    mount(deps) {
      const settings = spec.settings(deps.config)
      const http = createCarrierHttp({
        carrier: spec.id,
        timeoutMs: settings.timeoutMs,
        connections: Math.max(4, settings.rateLimit.max),
      })
      return { adapter: build({ ...deps, http }), http }
    },
  }
}

/** The definition with the URL base, rate limit and timeout of the configuration. */
function withSettings(
  definition: GenericCarrierDefinition,
  settings: DefinitionCarrierSettings,
): GenericCarrierDefinition {
  const { url } = definition.request
  const at = url.indexOf('?')
  // A base URL with a query of its own (`…?service=express`) keeps it, before the definition's.
  const query = at < 0 ? '' : (settings.baseUrl.includes('?') ? '&' : '?') + url.slice(at + 1)
  return {
    ...definition,
    request: {
      ...definition.request,
      url: settings.baseUrl + query,
      rateLimit: settings.rateLimit,
      timeoutMs: settings.timeoutMs,
    },
  }
}

/** The base URL of a definition: its URL before the query. */
export function definitionBaseUrl(definition: GenericCarrierDefinition): string {
  return definition.request.url.split('?')[0] ?? ''
}

/** The generic adapter with the folder's facts, and its number check before any request. */
function withFacts<Id extends string>(
  generic: CarrierAdapter,
  spec: DefinitionCarrierSpec<Id>,
): CarrierAdapter {
  const { checkNumber } = spec
  return {
    ...generic,
    ...spec.facts,
    checkNumber,
    accepts: (trackingNumber) => checkNumber(trackingNumber).ok,
    track(query, signal) {
      const check = checkNumber(query.trackingNumber)
      if (!check.ok) return Promise.reject(new CarrierError('invalid_number', check.reason))
      return generic.track({ ...query, trackingNumber: check.trackingNumber }, signal)
    },
  }
}
