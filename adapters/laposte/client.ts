import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError, type CarrierErrorKind } from '../contract.js'
import {
  LAPOSTE_GATEWAY_ERROR_SCHEMA,
  LAPOSTE_ITEM_ID_SCHEMA,
  LAPOSTE_ITEM_SCHEMA,
  LAPOSTE_SHIPMENT_SCHEMA,
  type LaPosteShipment,
} from './raw-schema.js'

export interface LaPosteClientOptions {
  http: CarrierHttp
  apiKey: string
  /** Suivi v2 root, e.g. `https://api.laposte.fr/suivi/v2`. */
  baseUrl: string
  /** `fr_FR`, `en_GB`…: the language of event labels. */
  lang: string
}

/** What La Poste said about one number: its shipment, or that number's own error. */
export type LaPosteAnswer = { idShip?: string } & ({ shipment: LaPosteShipment } | { error: CarrierError })

export interface LaPosteClient {
  /** One request for all `ids`; per-number answers keyed by the id asked. Throws request-wide errors. */
  fetchAnswers(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, LaPosteAnswer>>
}

/** La Poste sends no `Retry-After`; its quota is counted per second. */
export const LAPOSTE_DEFAULT_RETRY_AFTER_MS = 1000

// Unitary returnCodes: 104 means "not available yet, retry later", not "never"; 404 is the item form of
// the HTTP 404 a one-number request gets (the 207 example of La Poste's OpenAPI holds one).
const ERROR_KIND_BY_RETURN_CODE = new Map<number, CarrierErrorKind>([
  [104, 'not_found'],
  [404, 'not_found'],
  [400, 'invalid_number'],
  [504, 'unavailable'],
])

// Okapi gateway codes attested in the captured samples; any other gateway body is off-format.
const ERROR_KIND_BY_GATEWAY_CODE = new Map<string, CarrierErrorKind>([
  ['UNAUTHORIZED', 'unauthorized'],
  ['TOO_MANY_REQUESTS', 'rate_limited'],
])

export function createLaPosteClient(options: LaPosteClientOptions): LaPosteClient {
  const root = options.baseUrl.replace(/\/+$/, '')
  return {
    async fetchAnswers(ids, signal) {
      const path = ids.map((id) => encodeURIComponent(id)).join(',')
      const url = `${root}/idships/${path}?lang=${encodeURIComponent(options.lang)}`
      const headers = { Accept: 'application/json', 'X-Okapi-Key': options.apiKey }
      const response = await options.http.request(url, { headers }, signal)
      return matchAnswers(ids, readResponse(ids, response))
    },
  }
}

function readResponse(ids: readonly string[], response: HttpResponse): LaPosteAnswer[] {
  const { status } = response
  const retryAfterMs =
    parseRetryAfterMs(response.headers.get('retry-after')) ?? LAPOSTE_DEFAULT_RETRY_AFTER_MS
  if (status === 200 || status === 207) return readLaPosteAnswers(response.text, retryAfterMs)
  // A 404 may come without any JSON body: either way the number is not scanned yet.
  if (status === 404) return ids.map((id) => ({ idShip: id, error: notScannedYet() }))
  if (status === 400) return readRefusedNumbers(ids, response.text)
  if (status === 401 || status === 403) {
    throw new CarrierError('unauthorized', `La Poste refused the API key (HTTP ${status})`)
  }
  if (status === 429) throw rateLimited(retryAfterMs)
  if (status >= 500) throw new CarrierError('unavailable', `La Poste answered HTTP ${status}`)
  throw new CarrierError('unexpected_response', `La Poste answered HTTP ${status}`)
}

/**
 * Reads a Suivi v2 body: one object for one id, or an array of unitary answers (207, and sometimes 200),
 * one answer per item. Throws when the body as a whole is not one: not JSON, a gateway envelope, an empty
 * list, or a bare object that is no Suivi envelope.
 */
export function readLaPosteAnswers(
  text: string,
  retryAfterMs = LAPOSTE_DEFAULT_RETRY_AFTER_MS,
): LaPosteAnswer[] {
  const body = parseJson(text)
  const gatewayError = readGatewayError(body, retryAfterMs)
  if (gatewayError) throw gatewayError
  if (!Array.isArray(body)) {
    const item = LAPOSTE_ITEM_SCHEMA.safeParse(body)
    if (!item.success) throw offSchema('answer', item.error)
    return [readItem(body)]
  }
  if (body.length === 0) throw new CarrierError('unexpected_response', 'La Poste answered an empty list')
  return body.map(readItem)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CarrierError('unexpected_response', 'La Poste answered something that is not JSON', {
      cause: error,
    })
  }
}

/**
 * The gateway answers before Suivi is reached, so its `code` wins over Suivi fields in the same body
 * (karrio's merged error sample).
 */
function readGatewayError(body: unknown, retryAfterMs: number): CarrierError | undefined {
  // Most bodies are Suivi answers: ruled out without a failed parse (zod builds an Error for each).
  if (typeof body !== 'object' || body === null || !('code' in body)) return undefined
  const envelope = LAPOSTE_GATEWAY_ERROR_SCHEMA.safeParse(body)
  if (!envelope.success) return undefined
  const kind = ERROR_KIND_BY_GATEWAY_CODE.get(envelope.data.code)
  if (kind === 'rate_limited') return rateLimited(retryAfterMs)
  if (kind) return new CarrierError(kind, `La Poste gateway: ${envelope.data.code}`)
  return undefined
}

function readItem(raw: unknown): LaPosteAnswer {
  // The id is dug out of the raw item only when the answer is an error (a shipment carries its own).
  const failed = (error: CarrierError): LaPosteAnswer => ({ idShip: readItemId(raw), error })
  const item = LAPOSTE_ITEM_SCHEMA.safeParse(raw)
  if (!item.success) return failed(offSchema('answer', item.error))
  const { returnCode } = item.data
  if (returnCode === 200) {
    const shipment = LAPOSTE_SHIPMENT_SCHEMA.safeParse(item.data.shipment)
    if (!shipment.success) return failed(offSchema('shipment', shipment.error))
    return { idShip: shipment.data.idShip, shipment: shipment.data }
  }
  const kind = ERROR_KIND_BY_RETURN_CODE.get(returnCode) ?? 'unexpected_response'
  return failed(new CarrierError(kind, `La Poste returnCode ${returnCode}`))
}

function readItemId(raw: unknown): string | undefined {
  const ids = LAPOSTE_ITEM_ID_SCHEMA.safeParse(raw)
  return ids.success ? (ids.data.shipment?.idShip ?? ids.data.idShip) : undefined
}

/**
 * A request-wide 400: with one id, that id is invalid. With several, only the id the body names is;
 * the others are not dropped for good but asked again (`unavailable`), as no real multi-id 400 is known.
 */
function readRefusedNumbers(ids: readonly string[], text: string): LaPosteAnswer[] {
  const named = ids.length === 1 ? ids[0] : readNamedId(ids, text)
  return ids.map((id) => ({
    idShip: id,
    error:
      id === named
        ? new CarrierError('invalid_number', 'La Poste says this number is not valid')
        : new CarrierError('unavailable', 'La Poste refused a batch because of another number'),
  }))
}

function readNamedId(ids: readonly string[], text: string): string | undefined {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return undefined
  }
  const echoed = readItemId(body)
  return echoed === undefined ? undefined : ids.find((id) => isAnswerFor(id, echoed))
}

/**
 * Pairs answers with the ids asked. La Poste echoes the id, but returns a Chronopost 14-digit number with
 * its MOD 37,36 check character appended; a lone answer to a lone id is that id's.
 */
function matchAnswers(ids: readonly string[], answers: LaPosteAnswer[]): Map<string, LaPosteAnswer> {
  const matched = new Map<string, LaPosteAnswer>()
  for (const [index, answer] of answers.entries()) {
    const id =
      answers.length === ids.length && (ids.length === 1 || answer.idShip === undefined)
        ? ids[index]
        : ids.find((asked) => answer.idShip !== undefined && isAnswerFor(asked, answer.idShip))
    if (id !== undefined && !matched.has(id)) matched.set(id, answer)
  }
  // Built only when needed: an Error captures a stack, which costs more than reading a whole answer.
  let unanswered: LaPosteAnswer | undefined
  return new Map(
    ids.map((id) => {
      const answer = matched.get(id)
      if (answer) return [id, answer]
      unanswered ??= { error: new CarrierError('unexpected_response', 'La Poste sent no answer for it') }
      return [id, unanswered]
    }),
  )
}

function isAnswerFor(asked: string, echoed: string): boolean {
  const echo = echoed.trim().toUpperCase()
  return echo === asked || (/^\d{14}$/.test(asked) && echo.length === 15 && echo.startsWith(asked))
}

function notScannedYet(): CarrierError {
  return new CarrierError('not_found', 'La Poste has no tracking for this number yet')
}

function rateLimited(retryAfterMs: number): CarrierError {
  return new CarrierError('rate_limited', 'La Poste quota reached', { retryAfterMs })
}

function offSchema(what: string, cause: unknown): CarrierError {
  return new CarrierError('unexpected_response', `La Poste ${what} is off-schema`, { cause })
}
