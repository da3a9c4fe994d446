import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import type { Logger } from '../../src/logger.js'
import type { CarrierHttp } from '../carrier-http.js'
import { type CarrierAdapter, CarrierError, type UnknownCodeHook } from '../contract.js'
import { type ChronopostAnswer, createChronopostClient, readChronopostAnswer } from './client.js'
import { CHRONOPOST_CARRIER_ID, mapChronopostEvents } from './map-events.js'
import { checkChronopostNumber } from './number.js'

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

/** Chronopost's own tracking service, SOAP `trackSkybillV2`, one skybill per request (FORMATS.md §2). */
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
    id: CHRONOPOST_CARRIER_ID,
    name: 'Chronopost',
    batchSize: 1,
    rateLimit: deps.rateLimit,
    needsCredentials: false,
    configured: true,
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
