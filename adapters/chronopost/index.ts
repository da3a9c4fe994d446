import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import type { Logger } from '../../src/logger.js'
import { type CarrierHttp, createCarrierHttp } from '../carrier-http.js'
import {
  type BuiltinCarrier,
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  type UnknownCodeHook,
} from '../contract.js'
import { type ChronopostAnswer, createChronopostClient, readChronopostAnswer } from './client.js'
import { CHRONOPOST_CARRIER_ID, mapChronopostEvents } from './map-events.js'
import { checkChronopostNumber, claimChronopostNumber } from './number.js'

/**
 * Chronopost delivers Monday to Friday and keeps a parcel 7 days at a pickup point after the arrival
 * day.
 */
export const CHRONOPOST_FACTS: CarrierFacts = {
  id: CHRONOPOST_CARRIER_ID,
  claimNumber: claimChronopostNumber,
  publicTrackingUrl: (trackingNumber) =>
    `https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=${encodeURIComponent(trackingNumber)}`,
  pickupHoldDays: 7,
  deliveryDays: { default: 'ouvres' },
}

export interface ChronopostAdapterDeps {
  http: CarrierHttp
  logger: Logger
  /** The `TrackingServiceWS` SOAP endpoint (no credentials needed). */
  baseUrl: string
  /** `trackSkybillV2` `language`: `fr_FR`, `en_GB`… */
  language: string
  rateLimit: { max: number; durationMs: number }
  onUnknownCode?: UnknownCodeHook
}

/**
 * Chronopost's own tracking service, SOAP `trackSkybillV2`, one skybill per request
 * (docs/carriers/chronopost.md).
 */
export function createChronopostAdapter(deps: ChronopostAdapterDeps): CarrierAdapter {
  const client = createChronopostClient({ http: deps.http, baseUrl: deps.baseUrl, language: deps.language })

  const toResult = (answer: ChronopostAnswer, asked?: string): CarrierSnapshot | CarrierError => {
    if ('error' in answer) return answer.error
    const skybillNumber = answer.skybillNumber ?? asked
    if (skybillNumber === undefined) {
      return new CarrierError('unexpected_response', 'Chronopost sent events without a skybillNumber')
    }
    try {
      return mapChronopostEvents(skybillNumber, answer.events, deps.logger, deps.onUnknownCode)
    } catch (error) {
      if (error instanceof CarrierError) return error
      throw error
    }
  }

  return {
    ...CHRONOPOST_FACTS,
    name: 'Chronopost',
    batchSize: 1,
    rateLimit: deps.rateLimit,
    needsCredentials: false,
    configured: true,
    listSecrets: () => [],
    checkNumber: checkChronopostNumber,
    accepts: (trackingNumber) => checkChronopostNumber(trackingNumber).ok,
    async track(query, signal) {
      const check = checkChronopostNumber(query.trackingNumber)
      if (!check.ok) throw new CarrierError('invalid_number', check.reason)
      const result = toResult(await client.fetchAnswer(check.trackingNumber, signal), check.trackingNumber)
      if (result instanceof CarrierError) throw result
      return result
    },
    parse(body) {
      return [toResult(readChronopostAnswer(body))]
    },
  }
}

export const CHRONOPOST_CARRIER: BuiltinCarrier<typeof CHRONOPOST_CARRIER_ID> = {
  id: CHRONOPOST_CARRIER_ID,
  facts: CHRONOPOST_FACTS,
  mount({ config, logger, onUnknownCode }) {
    const http = createCarrierHttp({
      carrier: CHRONOPOST_CARRIER_ID,
      timeoutMs: config.CHRONOPOST_TIMEOUT,
      connections: Math.max(4, config.CHRONOPOST_RATE_LIMIT.max),
    })
    const adapter = createChronopostAdapter({
      http,
      logger: logger.child({ carrier: CHRONOPOST_CARRIER_ID }),
      baseUrl: config.CHRONOPOST_BASE_URL,
      language: config.CHRONOPOST_LANGUAGE,
      rateLimit: config.CHRONOPOST_RATE_LIMIT,
      onUnknownCode,
    })
    return { adapter, http }
  },
}
