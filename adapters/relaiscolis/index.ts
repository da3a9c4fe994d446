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
import {
  createRelaisColisClient,
  type RelaisColisAnswer,
  type RelaisColisClient,
  readRelaisColisAnswers,
} from './client.js'
import { mapRelaisColisParcel, RELAISCOLIS_CARRIER_ID } from './map-events.js'
import { checkRelaisColisNumber, claimRelaisColisNumber } from './number.js'

/**
 * A Relais Colis point keeps a parcel 10 days (docs/carriers/relaiscolis.md, "Hold days": counted here as
 * calendar days after the arrival day, so that the last collection day colis announces is never later
 * than the carrier's). Relay points open on Saturdays. Its public tracking page takes no number in its
 * URL: shoppers get no link to it.
 */
export const RELAISCOLIS_FACTS: CarrierFacts = {
  id: RELAISCOLIS_CARRIER_ID,
  claimNumber: claimRelaisColisNumber,
  pickupHoldDays: 10,
  deliveryDays: { default: 'ouvrables' },
}

export interface RelaisColisAdapterDeps {
  http: CarrierHttp
  logger: Logger
  /** The merchant's activation key; without it the adapter is listed but not configured. */
  activationKey?: string
  baseUrl: string
  rateLimit: { max: number; durationMs: number }
  /** Parcel numbers per request. */
  batchSize: number
  onUnknownCode?: UnknownCodeHook
}

/**
 * Relais Colis' merchant modules API, `getPackagesStatus`: several parcels of the merchant per request
 * (docs/carriers/relaiscolis.md).
 */
export function createRelaisColisAdapter(deps: RelaisColisAdapterDeps): CarrierAdapter {
  const client = deps.activationKey
    ? createRelaisColisClient({ http: deps.http, activationKey: deps.activationKey, baseUrl: deps.baseUrl })
    : undefined

  const toResult = (answer: RelaisColisAnswer): CarrierSnapshot | CarrierError => {
    if ('error' in answer) return answer.error
    try {
      return mapRelaisColisParcel(answer.parcelNumber ?? '', answer.events, deps.logger, deps.onUnknownCode)
    } catch (error) {
      if (error instanceof CarrierError) return error
      throw error
    }
  }

  const trackBatch = async (queries: readonly TrackQuery[], signal?: AbortSignal): Promise<BatchResult> => {
    const results: BatchResult = new Map()
    const numbers: string[] = []
    for (const trackingNumber of new Set(queries.map((query) => query.trackingNumber))) {
      const check = checkRelaisColisNumber(trackingNumber)
      if (check.ok) numbers.push(trackingNumber)
      else results.set(trackingNumber, new CarrierError('invalid_number', check.reason))
    }
    if (numbers.length + results.size > deps.batchSize) {
      throw new RangeError(
        `Relais Colis batches hold at most ${deps.batchSize} numbers, got ${numbers.length + results.size}`,
      )
    }
    if (numbers.length === 0) return results
    const answers = await requireClient(client).fetchAnswers(numbers, signal)
    for (const [number, answer] of answers) results.set(number, toResult(answer))
    return results
  }

  return {
    ...RELAISCOLIS_FACTS,
    name: 'Relais Colis',
    batchSize: deps.batchSize,
    rateLimit: deps.rateLimit,
    needsCredentials: true,
    configured: Boolean(deps.activationKey),
    listSecrets: () => (deps.activationKey ? [deps.activationKey] : []),
    checkNumber: checkRelaisColisNumber,
    accepts: (trackingNumber) => checkRelaisColisNumber(trackingNumber).ok,
    track: trackThroughBatch('Relais Colis', trackBatch),
    trackBatch,
    parse(body) {
      return readRelaisColisAnswers(body).map(toResult)
    },
  }
}

function requireClient(client: RelaisColisClient | undefined): RelaisColisClient {
  if (!client) throw new CarrierError('unauthorized', 'RELAISCOLIS_ACTIVATION_KEY is not set')
  return client
}

export const RELAISCOLIS_CARRIER: BuiltinCarrier<typeof RELAISCOLIS_CARRIER_ID> = {
  id: RELAISCOLIS_CARRIER_ID,
  facts: RELAISCOLIS_FACTS,
  mount({ config, logger, onUnknownCode }) {
    const http = createCarrierHttp({
      carrier: RELAISCOLIS_CARRIER_ID,
      timeoutMs: config.RELAISCOLIS_TIMEOUT,
      connections: Math.max(4, config.RELAISCOLIS_RATE_LIMIT.max),
    })
    const adapter = createRelaisColisAdapter({
      http,
      logger: logger.child({ carrier: RELAISCOLIS_CARRIER_ID }),
      activationKey: config.RELAISCOLIS_ACTIVATION_KEY,
      baseUrl: config.RELAISCOLIS_BASE_URL,
      rateLimit: config.RELAISCOLIS_RATE_LIMIT,
      batchSize: config.RELAISCOLIS_BATCH_SIZE,
      onUnknownCode,
    })
    return { adapter, http }
  },
}
