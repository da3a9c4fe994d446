import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError, type CarrierErrorKind } from '../contract.js'
import {
  RELAISCOLIS_EVENT_SCHEMA,
  RELAISCOLIS_PARCEL_ID_SCHEMA,
  RELAISCOLIS_PROBLEM_SCHEMA,
  type RelaisColisEvent,
  type RelaisColisProblem,
} from './raw-schema.js'

export interface RelaisColisClientOptions {
  http: CarrierHttp
  /** The merchant's activation key: it travels in the request body. */
  activationKey: string
  /** The modules API root, e.g. `https://ws-modules.relaiscolis.com`. */
  baseUrl: string
}

/** What Relais Colis said about one parcel: its events (at least one), or that parcel's own error. */
export type RelaisColisAnswer = { parcelNumber?: string } & (
  | { events: RelaisColisEvent[] }
  | { error: CarrierError }
)

export interface RelaisColisClient {
  /** One request for all `numbers`; per-number answers keyed by the number asked. Throws request-wide errors. */
  fetchAnswers(numbers: readonly string[], signal?: AbortSignal): Promise<Map<string, RelaisColisAnswer>>
}

export const RELAISCOLIS_STATUS_PATH = '/api/package/getPackagesStatus'

/** Relais Colis documents no quota and no `Retry-After`: wait a second when told to slow down. */
export const RELAISCOLIS_DEFAULT_RETRY_AFTER_MS = 1000

export function createRelaisColisClient(options: RelaisColisClientOptions): RelaisColisClient {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${RELAISCOLIS_STATUS_PATH}`
  const scrub = (text: string) => text.split(options.activationKey).join('[REDACTED]')
  return {
    async fetchAnswers(numbers, signal) {
      const request = {
        method: 'POST' as const,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ activationKey: options.activationKey, parcelNumbers: numbers }),
      }
      const response = await options.http.request(url, request, signal)
      return matchAnswers(numbers, readResponse(numbers, response, scrub))
    },
  }
}

/** What an answer means: an HTTP 200 carrying the error envelope means what the envelope's `status` does. */
function readResponse(
  numbers: readonly string[],
  response: HttpResponse,
  scrub: (text: string) => string,
): RelaisColisAnswer[] {
  const { text } = response
  // Most answers are event lists: read once, without looking for an envelope first.
  if (response.status === 200 && !text.trimStart().startsWith('{')) return readRelaisColisAnswers(text, scrub)
  const problem = readProblem(text)
  const status = response.status === 200 && problem ? problem.status : response.status
  if (status === 200) return readRelaisColisAnswers(text, scrub)
  if (status === 429) {
    const retryAfterMs =
      parseRetryAfterMs(response.headers.get('retry-after')) ?? RELAISCOLIS_DEFAULT_RETRY_AFTER_MS
    throw new CarrierError('rate_limited', 'Relais Colis asks to slow down', { retryAfterMs })
  }
  if (status === 400) return readRefusedNumbers(numbers, problem, scrub)
  throw errorOfStatus(status, problem, scrub)
}

/**
 * Reads a `getPackagesStatus` body: a flat array of events, parcels mixed, grouped here per parcel in the
 * order they first appear. The error envelope throws its error; anything else that is not such an array
 * throws `unexpected_response`. An event off-schema refuses its whole parcel, never only itself.
 */
export function readRelaisColisAnswers(
  text: string,
  scrub: (text: string) => string = (same) => same,
): RelaisColisAnswer[] {
  const body = parseJson(text)
  if (!Array.isArray(body)) {
    const problem = RELAISCOLIS_PROBLEM_SCHEMA.safeParse(body)
    if (problem.success) throw errorOfStatus(problem.data.status, problem.data, scrub)
    throw new CarrierError('unexpected_response', 'Relais Colis answered something that is not a list')
  }
  const parcels = new Map<string, { events: RelaisColisEvent[]; error?: CarrierError }>()
  for (const raw of body) {
    const id = RELAISCOLIS_PARCEL_ID_SCHEMA.safeParse(raw)
    if (!id.success) throw offSchema('an event without a parcelNumber', id.error)
    const parcelNumber = id.data.parcelNumber.toUpperCase()
    let parcel = parcels.get(parcelNumber)
    if (!parcel) {
      parcel = { events: [] }
      parcels.set(parcelNumber, parcel)
    }
    const event = RELAISCOLIS_EVENT_SCHEMA.safeParse(raw)
    if (event.success) parcel.events.push(event.data)
    else parcel.error ??= offSchema(`an off-schema event for ${parcelNumber}`, event.error)
  }
  return [...parcels].map(([parcelNumber, { events, error }]) =>
    error ? { parcelNumber, error } : { parcelNumber, events },
  )
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CarrierError('unexpected_response', 'Relais Colis answered something that is not JSON', {
      cause: error,
    })
  }
}

function readProblem(text: string): RelaisColisProblem | undefined {
  try {
    const problem = RELAISCOLIS_PROBLEM_SCHEMA.safeParse(JSON.parse(text))
    return problem.success ? problem.data : undefined
  } catch {
    return undefined
  }
}

const KIND_BY_STATUS = new Map<number, CarrierErrorKind>([
  [401, 'unauthorized'],
  [403, 'unauthorized'],
  [429, 'rate_limited'],
])

/** A refusal of our activation key, in the words of a 400's `detail`. */
const NAMES_THE_KEY = /activation\s*key|cl[ée] d'activation/i
/** Symfony's 404 for a path it does not serve: the endpoint moved, the parcels did not vanish. */
const NAMES_NO_ROUTE = /no route/i

function kindOfStatus(status: number, detail: string): CarrierErrorKind {
  if (status === 400 && NAMES_THE_KEY.test(detail)) return 'unauthorized'
  if (status === 404) return NAMES_NO_ROUTE.test(detail) ? 'unexpected_response' : 'not_found'
  return KIND_BY_STATUS.get(status) ?? (status >= 500 ? 'unavailable' : 'unexpected_response')
}

/** A request-wide error from an HTTP status, or the status an error envelope names. */
function errorOfStatus(
  status: number,
  problem: RelaisColisProblem | undefined,
  scrub: (text: string) => string,
): CarrierError {
  const said = problem ? `: ${describeProblem(problem, scrub)}` : ''
  const message = `Relais Colis answered ${status}${said}`
  const kind = kindOfStatus(status, problem?.detail ?? '')
  if (kind === 'rate_limited') {
    return new CarrierError(kind, message, { retryAfterMs: RELAISCOLIS_DEFAULT_RETRY_AFTER_MS })
  }
  return new CarrierError(kind, message)
}

/** The envelope's words on one line, short, the activation key blanked out if it echoes it. */
function describeProblem(problem: RelaisColisProblem, scrub: (text: string) => string): string {
  const text = problem.detail ? `${problem.title} (${problem.detail.trim()})` : problem.title
  return scrub(text).replace(/\s+/g, ' ').slice(0, 200)
}

/**
 * A 400 names what it refused in `detail` (no example for this endpoint is public). The activation key:
 * our credentials. One of the numbers: that number is invalid, the others are asked again later. Anything
 * else is a request the service no longer takes: never "invalid number", which would stop a parcel for good.
 */
function readRefusedNumbers(
  numbers: readonly string[],
  problem: RelaisColisProblem | undefined,
  scrub: (text: string) => string,
): RelaisColisAnswer[] {
  const detail = problem?.detail ?? ''
  const named = NAMES_THE_KEY.test(detail)
    ? undefined
    : numbers.find((number) => detail.toUpperCase().includes(number))
  if (named === undefined) throw errorOfStatus(400, problem, scrub)
  return numbers.map((parcelNumber) => ({
    parcelNumber,
    error:
      parcelNumber === named
        ? new CarrierError('invalid_number', 'Relais Colis says this number is not valid')
        : new CarrierError('unavailable', 'Relais Colis refused a batch because of another number'),
  }))
}

/** Pairs answers with the numbers asked; a number the answer leaves out is not scanned yet (or not ours). */
function matchAnswers(
  numbers: readonly string[],
  answers: readonly RelaisColisAnswer[],
): Map<string, RelaisColisAnswer> {
  const byNumber = new Map(answers.map((answer) => [answer.parcelNumber, answer]))
  let missing: RelaisColisAnswer | undefined
  return new Map(
    numbers.map((number) => {
      const answer = byNumber.get(number)
      if (answer) return [number, answer]
      missing ??= { error: notScannedYet() }
      return [number, missing]
    }),
  )
}

function notScannedYet(): CarrierError {
  return new CarrierError('not_found', 'Relais Colis has no event for this number yet')
}

function offSchema(what: string, cause: unknown): CarrierError {
  return new CarrierError('unexpected_response', `Relais Colis sent ${what}`, { cause })
}
