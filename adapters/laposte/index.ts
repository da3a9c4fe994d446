import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import type { Logger } from '../../src/logger.js'
import { type CarrierHttp, createCarrierHttp } from '../carrier-http.js'
import {
  type BatchResult,
  type BuiltinCarrier,
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  type TrackQuery,
  type UnknownCodeHook,
} from '../contract.js'
import { trackThroughBatch } from '../track-through-batch.js'
import { createLaPosteClient, type LaPosteAnswer, type LaPosteClient, readLaPosteAnswers } from './client.js'
import { LAPOSTE_CARRIER_ID, mapLaPosteShipment } from './map-events.js'
import { checkLaPosteNumber, claimLaPosteNumber, explainLaPosteNumberProblem } from './number.js'

/**
 * Colissimo keeps a parcel 10 days at a pickup point after the arrival day; the Chronopost it carries
 * rests on Saturdays.
 */
export const LAPOSTE_FACTS: CarrierFacts = {
  id: LAPOSTE_CARRIER_ID,
  claimNumber: claimLaPosteNumber,
  explainNumberProblem: explainLaPosteNumberProblem,
  publicTrackingUrl: (trackingNumber) =>
    `https://www.laposte.fr/outils/suivre-vos-envois?code=${encodeURIComponent(trackingNumber)}`,
  pickupHoldDays: 10,
  deliveryDays: {
    default: 'ouvrables',
    byService: { colissimo: 'ouvrables', chronopost: 'ouvres', courrier: 'ouvrables' },
  },
}

export interface LaPosteAdapterDeps {
  http: CarrierHttp
  logger: Logger
  /** Okapi `X-Okapi-Key`; without it the adapter is listed but not configured. */
  apiKey?: string
  baseUrl: string
  lang: string
  rateLimit: { max: number; durationMs: number }
  /** Ids per request, 1 to 10 (Suivi v2 limit). */
  batchSize: number
  onUnknownCode?: UnknownCodeHook
}

/**
 * La Poste Suivi v2 (Okapi): Colissimo, tracked letters and Chronopost through one API
 * (docs/carriers/laposte.md).
 */
export function createLaPosteAdapter(deps: LaPosteAdapterDeps): CarrierAdapter {
  const client = deps.apiKey
    ? createLaPosteClient({ http: deps.http, apiKey: deps.apiKey, baseUrl: deps.baseUrl, lang: deps.lang })
    : undefined

  const toResult = (answer: LaPosteAnswer): CarrierSnapshot | CarrierError => {
    if ('error' in answer) return answer.error
    try {
      return mapLaPosteShipment(answer.shipment, deps.logger, deps.onUnknownCode)
    } catch (error) {
      if (error instanceof CarrierError) return error
      throw error
    }
  }

  const trackBatch = async (queries: readonly TrackQuery[], signal?: AbortSignal): Promise<BatchResult> => {
    const ids = [...new Set(queries.map((query) => query.trackingNumber))]
    if (ids.length > deps.batchSize) {
      throw new RangeError(`La Poste batches hold at most ${deps.batchSize} numbers, got ${ids.length}`)
    }
    const results: BatchResult = new Map()
    if (ids.length === 0) return results
    const answers = await requireClient(client).fetchAnswers(ids, signal)
    for (const [id, answer] of answers) results.set(id, toResult(answer))
    return results
  }

  return {
    ...LAPOSTE_FACTS,
    name: 'La Poste (Colissimo, Lettre suivie, Chronopost)',
    batchSize: deps.batchSize,
    rateLimit: deps.rateLimit,
    needsCredentials: true,
    configured: Boolean(deps.apiKey),
    listSecrets: () => (deps.apiKey ? [deps.apiKey] : []),
    checkNumber: checkLaPosteNumber,
    accepts: (trackingNumber) => checkLaPosteNumber(trackingNumber).ok,
    track: trackThroughBatch('La Poste', trackBatch),
    trackBatch,
    parse(body) {
      return readLaPosteAnswers(body).map(toResult)
    },
  }
}

function requireClient(client: LaPosteClient | undefined): LaPosteClient {
  if (!client) throw new CarrierError('unauthorized', 'LAPOSTE_API_KEY is not set')
  return client
}

export const LAPOSTE_CARRIER: BuiltinCarrier<typeof LAPOSTE_CARRIER_ID> = {
  id: LAPOSTE_CARRIER_ID,
  facts: LAPOSTE_FACTS,
  mount({ config, logger, onUnknownCode }) {
    const http = createCarrierHttp({
      carrier: LAPOSTE_CARRIER_ID,
      timeoutMs: config.LAPOSTE_TIMEOUT,
      connections: Math.max(4, config.LAPOSTE_RATE_LIMIT.max),
    })
    const adapter = createLaPosteAdapter({
      http,
      logger: logger.child({ carrier: LAPOSTE_CARRIER_ID }),
      apiKey: config.LAPOSTE_API_KEY,
      baseUrl: config.LAPOSTE_BASE_URL,
      lang: config.LAPOSTE_LANG,
      rateLimit: config.LAPOSTE_RATE_LIMIT,
      batchSize: config.LAPOSTE_BATCH_SIZE,
      onUnknownCode,
    })
    return { adapter, http }
  },
}
