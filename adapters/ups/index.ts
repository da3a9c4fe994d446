import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import type { Logger } from '../../src/logger.js'
import { type CarrierHttp, createCarrierHttp } from '../carrier-http.js'
import {
  type BuiltinCarrier,
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  normalizeTrackingNumber,
  type UnknownCodeHook,
} from '../contract.js'
import { createUpsClient, type UpsClient } from './client.js'
import { mapUpsPackage, UPS_CARRIER_ID } from './map-events.js'
import { checkUpsNumber, claimUpsNumber, claimUpsNumberUnchecked, explainUpsNumberProblem } from './number.js'
import { createUpsTokenSource, type UpsTokenSource } from './oauth-token.js'
import { readUpsBody, selectUpsAnswer, type UpsAnswer } from './read-answer.js'

/**
 * UPS delivers Monday to Friday in France; a UPS Access Point keeps a parcel 7 days after the arrival day
 * (docs/carriers/ups.md, "Facts": an assumption, UPS's answers carry no hold period).
 */
export const UPS_FACTS: CarrierFacts = {
  id: UPS_CARRIER_ID,
  claimNumber: claimUpsNumber,
  explainNumberProblem: explainUpsNumberProblem,
  publicTrackingUrl: (trackingNumber) =>
    `https://www.ups.com/track?tracknum=${encodeURIComponent(trackingNumber)}`,
  pickupHoldDays: 7,
  deliveryDays: { default: 'ouvres' },
}

export interface UpsAdapterDeps {
  http: CarrierHttp
  logger: Logger
  /** The OAuth client credentials; without both the adapter is listed but not configured. */
  clientId?: string
  clientSecret?: string
  /** The API root (`https://onlinetools.ups.com/api`). */
  baseUrl: string
  tokenUrl: string
  locale: string
  transactionSrc: string
  /** False: 1Z numbers whose check digit fails are accepted (UPS's test environment). Default true. */
  checkDigit?: boolean
  rateLimit: { max: number; durationMs: number }
  onUnknownCode?: UnknownCodeHook
  onSecret?: (secret: string) => void
  now?: () => number
  newTransId?: () => string
}

/** UPS Track API v1 with OAuth 2.0 client credentials, one number per request (docs/carriers/ups.md). */
export function createUpsAdapter(deps: UpsAdapterDeps): CarrierAdapter {
  const { clientId, clientSecret } = deps
  const checkDigit = deps.checkDigit ?? true
  const tokens: UpsTokenSource | undefined =
    clientId && clientSecret
      ? createUpsTokenSource({
          http: deps.http,
          tokenUrl: deps.tokenUrl,
          clientId,
          clientSecret,
          onToken: deps.onSecret,
          now: deps.now,
        })
      : undefined
  const client: UpsClient | undefined =
    tokens &&
    createUpsClient({
      http: deps.http,
      tokens,
      baseUrl: deps.baseUrl,
      locale: deps.locale,
      transactionSrc: deps.transactionSrc,
      newTransId: deps.newTransId,
    })

  const toResult = (
    answer: UpsAnswer,
    trackingNumber: string | undefined,
  ): CarrierSnapshot | CarrierError => {
    if ('error' in answer) return answer.error
    if (trackingNumber === undefined) {
      return new CarrierError('unexpected_response', 'UPS package has no trackingNumber nor inquiryNumber')
    }
    try {
      return mapUpsPackage(trackingNumber, answer.pkg, deps.logger, deps.onUnknownCode)
    } catch (error) {
      if (error instanceof CarrierError) return error
      throw error
    }
  }
  const checkNumber = (trackingNumber: string) => checkUpsNumber(trackingNumber, { checkDigit })

  return {
    ...UPS_FACTS,
    ...(checkDigit ? {} : { claimNumber: claimUpsNumberUnchecked, explainNumberProblem: () => undefined }),
    name: 'UPS',
    batchSize: 1,
    rateLimit: deps.rateLimit,
    needsCredentials: true,
    configured: tokens !== undefined,
    listSecrets: () => [clientSecret, tokens?.current()].filter((secret) => secret !== undefined),
    checkNumber,
    accepts: (trackingNumber) => checkNumber(trackingNumber).ok,
    async track(query, signal) {
      const check = checkNumber(query.trackingNumber)
      if (!check.ok) throw new CarrierError('invalid_number', check.reason)
      if (!client) throw new CarrierError('unauthorized', 'UPS_CLIENT_ID and UPS_CLIENT_SECRET are not set')
      const answers = await client.fetchAnswers(check.trackingNumber, signal)
      // Events are keyed by the number colis tracks, whatever number the package echoes.
      const result = toResult(selectUpsAnswer(check.trackingNumber, answers), check.trackingNumber)
      if (result instanceof CarrierError) throw result
      return result
    },
    parse(body) {
      const read = readUpsBody(body)
      if ('error' in read) return [read.error]
      return read.answers.map((answer) => {
        const echoed = answer.trackingNumber ?? answer.inquiryNumber
        return toResult(answer, echoed === undefined ? undefined : normalizeTrackingNumber(echoed))
      })
    },
  }
}

export const UPS_CARRIER: BuiltinCarrier<typeof UPS_CARRIER_ID> = {
  id: UPS_CARRIER_ID,
  facts: UPS_FACTS,
  mount({ config, logger, onUnknownCode, onSecret }) {
    const http = createCarrierHttp({
      carrier: UPS_CARRIER_ID,
      timeoutMs: config.UPS_TIMEOUT,
      connections: Math.max(4, config.UPS_RATE_LIMIT.max),
    })
    const adapter = createUpsAdapter({
      http,
      logger: logger.child({ carrier: UPS_CARRIER_ID }),
      clientId: config.UPS_CLIENT_ID,
      clientSecret: config.UPS_CLIENT_SECRET,
      baseUrl: config.UPS_BASE_URL,
      tokenUrl: config.UPS_TOKEN_URL,
      locale: config.UPS_LOCALE,
      transactionSrc: config.UPS_TRANSACTION_SRC,
      checkDigit: config.UPS_CHECK_DIGIT === 'on',
      rateLimit: config.UPS_RATE_LIMIT,
      onUnknownCode,
      onSecret,
    })
    return { adapter, http }
  },
}
