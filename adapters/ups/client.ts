import { randomUUID } from 'node:crypto'
import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError } from '../contract.js'
import type { UpsTokenSource } from './oauth-token.js'
import { errorOfCode, readUpsBody, type UpsAnswer } from './read-answer.js'

export interface UpsClientOptions {
  http: CarrierHttp
  tokens: UpsTokenSource
  /** The API root, e.g. `https://onlinetools.ups.com/api`; the Track API is under `/track/v1`. */
  baseUrl: string
  /** `fr_FR`, `en_US`…: the language of activity descriptions. */
  locale: string
  /** The `transactionSrc` header: the calling application's name. */
  transactionSrc: string
  /** A new `transId` for each request; a 32-character hex UUID by default. */
  newTransId?: () => string
}

export interface UpsClient {
  /** One Track API call for `inquiryNumber`: every package of the answer. Throws request-wide errors. */
  fetchAnswers(inquiryNumber: string, signal?: AbortSignal): Promise<UpsAnswer[]>
}

/** UPS documents no quota and no `Retry-After`: wait a second when told to slow down. */
export const UPS_DEFAULT_RETRY_AFTER_MS = 1000

export function createUpsClient(options: UpsClientOptions): UpsClient {
  const root = options.baseUrl.replace(/\/+$/, '')
  const query = new URLSearchParams({
    locale: options.locale,
    returnSignature: 'false',
    returnMilestones: 'false',
    returnPOD: 'false',
  })
  const newTransId = options.newTransId ?? (() => randomUUID().replaceAll('-', ''))

  const send = (inquiryNumber: string, token: string, signal?: AbortSignal) =>
    options.http.request(
      `${root}/track/v1/details/${encodeURIComponent(inquiryNumber)}?${query}`,
      {
        headers: {
          Authorization: `Bearer ${token}`,
          transId: newTransId(),
          transactionSrc: options.transactionSrc,
          Accept: 'application/json',
        },
      },
      signal,
    )

  return {
    async fetchAnswers(inquiryNumber, signal) {
      const token = await options.tokens.get()
      let response = await send(inquiryNumber, token, signal)
      // A token UPS revoked or let expire early: renewed once, the call made once more.
      if (response.status === 401) {
        response = await send(inquiryNumber, await options.tokens.renew(token), signal)
      }
      return readResponse(response)
    },
  }
}

function readResponse(response: HttpResponse): UpsAnswer[] {
  const { status } = response
  if (status === 401 || status === 403) {
    throw new CarrierError('unauthorized', `UPS refused the access token (HTTP ${status})`)
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after')) ?? UPS_DEFAULT_RETRY_AFTER_MS
    throw new CarrierError('rate_limited', 'UPS asks to slow down', { retryAfterMs })
  }
  if (status >= 500) throw new CarrierError('unavailable', `UPS answered HTTP ${status}`)
  if (status === 200) {
    const body = readUpsBody(response.text)
    if ('error' in body) throw body.error
    return body.answers
  }
  // 400 TV1002 (invalid number), 404 TJ001 (no information): only a documented code says something
  // about the number; another 4xx (a 404 page from a wrong base URL…) is no answer about it.
  const documented = documentedError(response.text)
  if (documented) throw documented
  throw new CarrierError('unexpected_response', `UPS answered HTTP ${status}`)
}

function documentedError(text: string): CarrierError | undefined {
  try {
    const body = readUpsBody(text)
    return 'code' in body ? errorOfCode(body.code) : undefined
  } catch {
    return undefined
  }
}
