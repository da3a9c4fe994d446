import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import type { Logger } from '../../src/logger.js'
import { type CarrierHttp, createCarrierHttp } from '../carrier-http.js'
import {
  type BuiltinCarrier,
  type CarrierAdapter,
  CarrierError,
  type CarrierFacts,
  type CarrierSource,
  type UnknownCodeHook,
} from '../contract.js'
import { DPD_CARRIER_ID, mapDpdEvents } from './map-events.js'
import { checkDpdNumber, claimDpdNumber, explainDpdNumberProblem } from './number.js'
import type { DpdAnswer } from './raw-schema.js'
import { createTracePageSource, readTracePage } from './trace-page.js'
import {
  createWebtraceSource,
  isWebtraceXml,
  readWebtraceAnswers,
  type WebtraceCredentials,
} from './webtrace.js'

/**
 * DPD France delivers Monday to Friday. Its pickup points' hold is not in the stored sources: DPD
 * group's own pages give 7 calendar days at a Pickup point, the shortest hold, so alerts come early;
 * counted after the arrival day.
 */
export const DPD_FACTS: CarrierFacts = {
  id: DPD_CARRIER_ID,
  claimNumber: claimDpdNumber,
  explainNumberProblem: explainDpdNumberProblem,
  publicTrackingUrl: (trackingNumber) =>
    `https://trace.dpd.fr/fr/trace/${encodeURIComponent(trackingNumber)}`,
  pickupHoldDays: 7,
  deliveryDays: { default: 'ouvres' },
}

export const WEBTRACE_SOURCE: CarrierSource = {
  name: 'DPD France Webtrace_Service (contract web service)',
  bestEffort: false,
}
export const TRACE_PAGE_SOURCE: CarrierSource = {
  name: 'trace.dpd.fr public page, often behind a Cloudflare bot check',
  bestEffort: true,
}

export interface DpdAdapterDeps {
  http: CarrierHttp
  logger: Logger
  /** Webtrace_Service credentials; without them colis reads the public trace.dpd.fr page. */
  credentials?: WebtraceCredentials
  /** The `Webtrace_Service.asmx` endpoint. */
  webtraceUrl: string
  /** The public page's root, `https://trace.dpd.fr`. */
  traceUrl: string
  rateLimit: { max: number; durationMs: number }
  onUnknownCode?: UnknownCodeHook
}

/**
 * DPD France, one parcel per request: its contract web service when credentials are set, else its
 * public tracking page as a best-effort source (docs/carriers/dpd.md). Either way it is configured.
 */
export function createDpdAdapter(deps: DpdAdapterDeps): CarrierAdapter {
  const { credentials } = deps
  const source = credentials
    ? createWebtraceSource({ http: deps.http, baseUrl: deps.webtraceUrl, credentials })
    : createTracePageSource({ http: deps.http, traceUrl: deps.traceUrl })

  const toResult = (answer: DpdAnswer, trackingNumber: string): CarrierSnapshot | CarrierError => {
    if ('error' in answer) return answer.error
    try {
      return mapDpdEvents(trackingNumber, answer, deps.logger, deps.onUnknownCode)
    } catch (error) {
      if (error instanceof CarrierError) return error
      throw error
    }
  }

  return {
    ...DPD_FACTS,
    name: 'DPD France',
    batchSize: 1,
    rateLimit: deps.rateLimit,
    needsCredentials: credentials !== undefined,
    configured: true,
    source: credentials ? WEBTRACE_SOURCE : TRACE_PAGE_SOURCE,
    listSecrets: () => (credentials ? [credentials.userId, credentials.password] : []),
    checkNumber: checkDpdNumber,
    accepts: (trackingNumber) => checkDpdNumber(trackingNumber).ok,
    async track(query, signal) {
      const check = checkDpdNumber(query.trackingNumber)
      if (!check.ok) throw new CarrierError('invalid_number', check.reason)
      const answers = await source.fetchAnswers(check.trackingNumber, signal)
      const result = toResult(pickAnswer(answers, check.trackingNumber), check.trackingNumber)
      if (result instanceof CarrierError) throw result
      return result
    },
    parse(body) {
      const answers = isWebtraceXml(body) ? readWebtraceAnswers(body) : readTracePage(body)
      const named = answers.filter((answer) => answer.trackingNumber !== undefined || 'error' in answer)
      if (named.length === 0) {
        throw new CarrierError('unexpected_response', 'DPD answer names no parcel number')
      }
      return named.map((answer) => toResult(answer, answer.trackingNumber ?? ''))
    },
  }
}

/**
 * The answer for the parcel asked: the one naming it (the page shows the outbound and the return
 * parcel; the service may list several), else the first, which is what DPD answered for it.
 */
function pickAnswer(answers: readonly DpdAnswer[], parcelNumber: string): DpdAnswer {
  const named = answers.find(
    (answer) => answer.trackingNumber !== undefined && isSameParcel(answer.trackingNumber, parcelNumber),
  )
  const answer = named ?? answers[0]
  if (!answer) throw new CarrierError('unexpected_response', 'DPD France sent no answer')
  return answer
}

/** DPD may show a number with or without its check character. */
function isSameParcel(shown: string, asked: string): boolean {
  if (shown === asked) return true
  const [shorter, longer] = shown.length < asked.length ? [shown, asked] : [asked, shown]
  return longer.length === shorter.length + 1 && longer.startsWith(shorter)
}

export const DPD_CARRIER: BuiltinCarrier<typeof DPD_CARRIER_ID> = {
  id: DPD_CARRIER_ID,
  facts: DPD_FACTS,
  mount({ config, logger, onUnknownCode }) {
    const http = createCarrierHttp({
      carrier: DPD_CARRIER_ID,
      timeoutMs: config.DPD_FR_TIMEOUT,
      connections: Math.max(4, config.DPD_FR_RATE_LIMIT.max),
    })
    const { DPD_FR_USER: userId, DPD_FR_PASSWORD: password, DPD_FR_CUSTOMER: customer } = config
    const adapter = createDpdAdapter({
      http,
      logger: logger.child({ carrier: DPD_CARRIER_ID }),
      credentials:
        userId !== undefined && password !== undefined ? { userId, password, customer } : undefined,
      webtraceUrl: config.DPD_FR_BASE_URL,
      traceUrl: config.DPD_FR_TRACE_URL,
      rateLimit: config.DPD_FR_RATE_LIMIT,
      onUnknownCode,
    })
    return { adapter, http }
  },
}
