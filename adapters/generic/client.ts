import { type CarrierHttp, type HttpRequest, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError, type TrackQuery } from '../contract.js'
import type { GenericCarrierDefinition } from './definition-schema.js'
import {
  DESTINATION_POSTAL_CODE_PLACEHOLDER,
  needsDestinationPostalCode,
  TRACKING_NUMBER_PLACEHOLDER,
} from './request-schema.js'

/** Carriers that send no `Retry-After` are asked again after this long. */
export const GENERIC_DEFAULT_RETRY_AFTER_MS = 1000

/**
 * URL and request for one number; throws `unauthorized` when an environment variable it needs is unset,
 * `invalid_number` when it needs the destination postal code and the query has none.
 */
export function buildTrackingRequest(
  definition: GenericCarrierDefinition,
  query: Pick<TrackQuery, 'trackingNumber' | 'destinationPostalCode'>,
  env: Record<string, string | undefined>,
): { url: string; request: HttpRequest } {
  const { method, url, body } = definition.request
  const { trackingNumber } = query
  const postalCode = query.destinationPostalCode?.trim() ?? ''
  if (postalCode === '' && needsDestinationPostalCode(definition.request)) {
    throw new CarrierError(
      'invalid_number',
      `${definition.name} tracks a parcel by its number and its destination postal code: none was given`,
    )
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(definition.request.headers)) {
    if (typeof value === 'string') {
      headers[name] = value
      continue
    }
    const secret = env[value.env]
    if (!secret) throw new CarrierError('unauthorized', `${definition.id}: ${value.env} is not set`)
    headers[name] = `${value.prefix ?? ''}${secret}`
  }
  const values = { trackingNumber, postalCode }
  const request: HttpRequest = { method, headers }
  if (body !== undefined) request.body = fillBody(body, values, headers)
  return { url: fillPlaceholders(url, values, encodeURIComponent), request }
}

function fillPlaceholders(
  template: string,
  values: { trackingNumber: string; postalCode: string },
  encode: (value: string) => string,
): string {
  return template
    .replaceAll(TRACKING_NUMBER_PLACEHOLDER, encode(values.trackingNumber))
    .replaceAll(DESTINATION_POSTAL_CODE_PLACEHOLDER, encode(values.postalCode))
}

/** Escapes the values for the body's own syntax; a JSON-looking body with no Content-Type gets one. */
function fillBody(
  template: string,
  values: { trackingNumber: string; postalCode: string },
  headers: Record<string, string>,
): string {
  const typeHeader = Object.keys(headers).find((name) => name.toLowerCase() === 'content-type')
  const contentType = typeHeader ? (headers[typeHeader] ?? '') : ''
  if (/json/i.test(contentType) || (!typeHeader && /^\s*[{[]/.test(template))) {
    if (!typeHeader) headers['content-type'] = 'application/json'
    return fillPlaceholders(template, values, (value) => JSON.stringify(value).slice(1, -1))
  }
  if (/x-www-form-urlencoded/i.test(contentType))
    return fillPlaceholders(template, values, encodeURIComponent)
  return fillPlaceholders(template, values, (value) => value)
}

export async function fetchTracking(
  http: CarrierHttp,
  definition: GenericCarrierDefinition,
  query: Pick<TrackQuery, 'trackingNumber' | 'destinationPostalCode'>,
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  const { url, request } = buildTrackingRequest(definition, query, env)
  return http.request(url, request, signal)
}

/**
 * The error an HTTP status means by itself; undefined when the body must be read (any 2xx, and other
 * 4xx whose body may still say "no such parcel").
 */
export function readHttpStatus(
  definition: GenericCarrierDefinition,
  response: HttpResponse,
): CarrierError | undefined {
  const { status } = response
  const carrier = definition.id
  if (status === 429) {
    const retryAfterMs =
      parseRetryAfterMs(response.headers.get('retry-after')) ?? GENERIC_DEFAULT_RETRY_AFTER_MS
    return new CarrierError('rate_limited', `${carrier}: quota reached (HTTP 429)`, { retryAfterMs })
  }
  if (status === 401 || status === 403) {
    return new CarrierError('unauthorized', `${carrier} refused our credentials (HTTP ${status})`)
  }
  if (definition.notFound?.httpStatus?.includes(status)) {
    return new CarrierError('not_found', `${carrier} has no tracking for this number yet (HTTP ${status})`)
  }
  if (status >= 500) return new CarrierError('unavailable', `${carrier} answered HTTP ${status}`)
  if ((status >= 200 && status < 300) || (status >= 400 && status < 500)) return undefined
  return new CarrierError('unexpected_response', `${carrier} answered HTTP ${status}`)
}
