import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError } from '../contract.js'
import { UPS_TOKEN_SCHEMA } from './raw-schema.js'

export interface UpsTokenSourceOptions {
  http: CarrierHttp
  /** `https://onlinetools.ups.com/security/v1/oauth/token` */
  tokenUrl: string
  clientId: string
  clientSecret: string
  /** Told of each access token obtained (a secret logs must blank out). */
  onToken?: (token: string) => void
  now?: () => number
}

/** UPS's OAuth 2.0 client-credentials tokens, fetched once and shared until shortly before they expire. */
export interface UpsTokenSource {
  /** A token to use now: the cached one, else a new one (callers at the same time share one request). */
  get(): Promise<string>
  /** After UPS refused `rejected` (401): a new token, unless another caller has already replaced it. */
  renew(rejected: string): Promise<string>
  /** The token in use, if any. */
  current(): string | undefined
}

/** A token is renewed this long before UPS says it expires (at most half its life). */
export const UPS_TOKEN_EXPIRY_MARGIN_MS = 5 * 60_000

/** UPS documents no quota for its token endpoint nor any `Retry-After`. */
const DEFAULT_RETRY_AFTER_MS = 1000

export function createUpsTokenSource(options: UpsTokenSourceOptions): UpsTokenSource {
  const now = options.now ?? Date.now
  const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`, 'utf8').toString('base64')
  let cached: { token: string; renewAtMs: number } | undefined
  let inFlight: Promise<string> | undefined

  const fetchToken = async (): Promise<string> => {
    // No caller's signal: the request is shared, one caller giving up must not fail the others.
    const response = await options.http.request(options.tokenUrl, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${basic}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
    })
    const { token, lifetimeMs } = readTokenResponse(response)
    cached = { token, renewAtMs: now() + lifetimeMs - Math.min(UPS_TOKEN_EXPIRY_MARGIN_MS, lifetimeMs / 2) }
    options.onToken?.(token)
    return token
  }

  const get = (): Promise<string> => {
    if (cached && now() < cached.renewAtMs) return Promise.resolve(cached.token)
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  return {
    get,
    renew(rejected) {
      if (cached?.token === rejected) cached = undefined
      return get()
    },
    current: () => cached?.token,
  }
}

function readTokenResponse(response: HttpResponse): { token: string; lifetimeMs: number } {
  const { status } = response
  if (status === 401 || status === 403) {
    throw new CarrierError('unauthorized', `UPS refused the client credentials (HTTP ${status})`)
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after')) ?? DEFAULT_RETRY_AFTER_MS
    throw new CarrierError('rate_limited', 'UPS token endpoint asks to slow down', { retryAfterMs })
  }
  if (status >= 500) throw new CarrierError('unavailable', `UPS token endpoint answered HTTP ${status}`)
  if (status !== 200) {
    throw new CarrierError('unexpected_response', `UPS token endpoint answered HTTP ${status}`)
  }
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch (error) {
    throw new CarrierError('unexpected_response', 'UPS token answer is not JSON', { cause: error })
  }
  const parsed = UPS_TOKEN_SCHEMA.safeParse(body)
  // No cause: what zod read is the body, and the body holds the token.
  if (!parsed.success) throw new CarrierError('unexpected_response', 'UPS token answer is off-schema')
  return { token: parsed.data.access_token, lifetimeMs: parsed.data.expires_in * 1000 }
}
