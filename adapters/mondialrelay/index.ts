import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import type { Logger } from '../../src/logger.js'
import { type CarrierHttp, createCarrierHttp } from '../carrier-http.js'
import {
  type BuiltinCarrier,
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  NUMBER_NOT_IN_BODY,
  normalizeTrackingNumber,
  type UnknownCodeHook,
} from '../contract.js'
import { createMondialRelayClient, type MondialRelayClient, type MondialRelayCredentials } from './client.js'
import { MONDIALRELAY_CARRIER_ID, mapMondialRelayResult } from './map-events.js'
import {
  checkMondialRelayNumber,
  claimMondialRelayNumber,
  explainMondialRelayNumberProblem,
} from './number.js'
import type { MondialRelayResult } from './raw-schema.js'
import { readMondialRelayAnswer } from './read-answer.js'
import { findStatMeaning } from './stat-codes.js'

/**
 * A Point Relais or Locker keeps a parcel 5 calendar days after the arrival day, Sundays and holidays
 * included, then sends it back (since October 2025; 8 days before). Mondial Relay delivers Monday to
 * Saturday.
 */
export const MONDIALRELAY_FACTS: CarrierFacts = {
  id: MONDIALRELAY_CARRIER_ID,
  claimNumber: claimMondialRelayNumber,
  explainNumberProblem: explainMondialRelayNumberProblem,
  publicTrackingUrl: (trackingNumber) =>
    `https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition=${encodeURIComponent(trackingNumber)}`,
  pickupHoldDays: 5,
  deliveryDays: { default: 'ouvrables' },
}

export interface MondialRelayAdapterDeps {
  http: CarrierHttp
  logger: Logger
  /** Without both, the adapter is listed but not configured. */
  enseigne?: string
  privateKey?: string
  baseUrl: string
  rateLimit: { max: number; durationMs: number }
  onUnknownCode?: UnknownCodeHook
}

/**
 * Mondial Relay's API 1 SOAP service `WSI2_TracingColisDetaille`, one signed call per shipment
 * (docs/carriers/mondialrelay.md).
 */
export function createMondialRelayAdapter(deps: MondialRelayAdapterDeps): CarrierAdapter {
  const credentials: MondialRelayCredentials | undefined =
    deps.enseigne && deps.privateKey ? { enseigne: deps.enseigne, privateKey: deps.privateKey } : undefined
  const client = credentials
    ? createMondialRelayClient({ http: deps.http, baseUrl: deps.baseUrl, credentials })
    : undefined

  /** The answer's STAT first: an error of its own, or the events it comes with. */
  const toEntry = (result: MondialRelayResult, trackingNumber: string): CarrierSnapshot | CarrierError => {
    const meaning = findStatMeaning(result.STAT)
    if (!meaning)
      return new CarrierError('unexpected_response', `Mondial Relay STAT ${result.STAT} is undocumented`)
    if (meaning.answer === 'error') {
      return new CarrierError(meaning.kind, `Mondial Relay STAT ${result.STAT}: ${meaning.meaning}`)
    }
    try {
      return mapMondialRelayResult(trackingNumber, result, meaning.code, deps)
    } catch (error) {
      if (error instanceof CarrierError) return error
      throw error
    }
  }

  return {
    ...MONDIALRELAY_FACTS,
    name: 'Mondial Relay',
    batchSize: 1,
    rateLimit: deps.rateLimit,
    needsCredentials: true,
    configured: credentials !== undefined,
    listSecrets: () => (deps.privateKey ? [deps.privateKey] : []),
    checkNumber: checkMondialRelayNumber,
    accepts: (trackingNumber) => checkMondialRelayNumber(trackingNumber).ok,
    async track(query, signal) {
      const check = checkMondialRelayNumber(query.trackingNumber)
      if (!check.ok) throw new CarrierError('invalid_number', check.reason)
      const result = await requireClient(client).fetchResult(check.trackingNumber, signal)
      const entry = toEntry(result, check.trackingNumber)
      if (entry instanceof CarrierError) throw entry
      return entry
    },
    parse(body, options) {
      // The answer never names its shipment: the caller may, else the snapshot says it does not know.
      let trackingNumber = NUMBER_NOT_IN_BODY
      if (options?.trackingNumber !== undefined) {
        const check = checkMondialRelayNumber(normalizeTrackingNumber(options.trackingNumber))
        if (!check.ok) return [new CarrierError('invalid_number', check.reason)]
        trackingNumber = check.trackingNumber
      }
      return [toEntry(readMondialRelayAnswer(body), trackingNumber)]
    },
  }
}

function requireClient(client: MondialRelayClient | undefined): MondialRelayClient {
  if (!client) {
    throw new CarrierError(
      'unauthorized',
      'MONDIALRELAY_ENSEIGNE and MONDIALRELAY_PRIVATE_KEY are not both set',
    )
  }
  return client
}

export const MONDIALRELAY_CARRIER: BuiltinCarrier<typeof MONDIALRELAY_CARRIER_ID> = {
  id: MONDIALRELAY_CARRIER_ID,
  facts: MONDIALRELAY_FACTS,
  mount({ config, logger, onUnknownCode }) {
    const http = createCarrierHttp({
      carrier: MONDIALRELAY_CARRIER_ID,
      timeoutMs: config.MONDIALRELAY_TIMEOUT,
      connections: Math.max(4, config.MONDIALRELAY_RATE_LIMIT.max),
    })
    const adapter = createMondialRelayAdapter({
      http,
      logger: logger.child({ carrier: MONDIALRELAY_CARRIER_ID }),
      enseigne: config.MONDIALRELAY_ENSEIGNE,
      privateKey: config.MONDIALRELAY_PRIVATE_KEY,
      baseUrl: config.MONDIALRELAY_BASE_URL,
      rateLimit: config.MONDIALRELAY_RATE_LIMIT,
      onUnknownCode,
    })
    return { adapter, http }
  },
}
