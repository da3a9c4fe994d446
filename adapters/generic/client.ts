import { z } from 'zod'
import { type CarrierHttp, type HttpRequest, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError } from '../contract.js'
import type { GenericCarrierDefinition } from './definition-schema.js'

export const TRACKING_NUMBER_PLACEHOLDER = '{trackingNumber}'

/** Carriers that send no `Retry-After` are asked again after this long. */
export const GENERIC_DEFAULT_RETRY_AFTER_MS = 1000

// Header names and values that carry credentials: those must come from the environment, never the file.
const SECRET_HEADER_NAME = /auth|cookie|key|token|secret|pass|credential|signature/i
const SECRET_HEADER_VALUE = /^(bearer|basic|digest|token)\s+\S/i

const ENV_HEADER_SCHEMA = z.strictObject({
  env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name like ACME_API_TOKEN'),
  prefix: z.string().optional(),
})

/** The request of a carrier definition; secrets only through `{ "env": … }` header values. */
export const REQUEST_DEFINITION_SCHEMA = z
  .strictObject({
    method: z.enum(['GET', 'POST']).default('GET'),
    url: z.string().min(1),
    headers: z
      .record(
        z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a header name'),
        z.union([z.string(), ENV_HEADER_SCHEMA], {
          error: 'must be a text or { "env": "VAR_NAME", "prefix"?: "…" }',
        }),
      )
      .default({}),
    body: z.string().optional(),
    timeoutMs: z.int().min(100).max(120_000).default(10_000),
    rateLimit: z
      .strictObject({ max: z.int().min(1), durationMs: z.int().min(1) })
      .default({ max: 5, durationMs: 1000 }),
  })
  .superRefine((request, ctx) => {
    checkRequestDefinition(request, (path, message) => ctx.addIssue({ code: 'custom', path, message }))
  })

type RequestDefinition = z.output<typeof REQUEST_DEFINITION_SCHEMA>

function checkRequestDefinition(
  request: RequestDefinition,
  report: (path: Array<string | number>, message: string) => void,
): void {
  const inBody = request.body?.includes(TRACKING_NUMBER_PLACEHOLDER) ?? false
  if (!request.url.includes(TRACKING_NUMBER_PLACEHOLDER) && !inBody) {
    report(['url'], `must contain ${TRACKING_NUMBER_PLACEHOLDER} (or the body must)`)
  }
  const other = request.url.match(/\{(?!trackingNumber\})[^}]*\}/)?.[0]
  if (other) report(['url'], `unknown placeholder ${other} (only ${TRACKING_NUMBER_PLACEHOLDER})`)
  if (!URL.canParse(request.url.replaceAll(TRACKING_NUMBER_PLACEHOLDER, 'X'))) {
    report(['url'], `"${request.url}" is not a URL`)
  } else if (!/^https?:\/\//i.test(request.url)) {
    report(['url'], 'must be an http:// or https:// URL')
  }
  if (request.body !== undefined && request.method !== 'POST') report(['body'], 'needs "method": "POST"')
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string' && (SECRET_HEADER_NAME.test(name) || SECRET_HEADER_VALUE.test(value))) {
      report(
        ['headers', name],
        'looks like a secret: name an environment variable ({ "env": "ACME_API_TOKEN" }) instead of writing it inline',
      )
    }
  }
}

/** The environment variables the definition's headers read. */
export function listEnvNames(request: RequestDefinition): string[] {
  return Object.values(request.headers).flatMap((value) => (typeof value === 'string' ? [] : [value.env]))
}

/** URL and request for one number; throws `unauthorized` when an environment variable it needs is unset. */
export function buildTrackingRequest(
  definition: GenericCarrierDefinition,
  trackingNumber: string,
  env: Record<string, string | undefined>,
): { url: string; request: HttpRequest } {
  const { method, url, body } = definition.request
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
  const request: HttpRequest = { method, headers }
  if (body !== undefined) request.body = fillBody(body, trackingNumber, headers)
  const encoded = encodeURIComponent(trackingNumber)
  return { url: url.replaceAll(TRACKING_NUMBER_PLACEHOLDER, encoded), request }
}

/** Escapes the number for the body's own syntax; a JSON-looking body with no Content-Type gets one. */
function fillBody(template: string, trackingNumber: string, headers: Record<string, string>): string {
  const typeHeader = Object.keys(headers).find((name) => name.toLowerCase() === 'content-type')
  const contentType = typeHeader ? (headers[typeHeader] ?? '') : ''
  let value = trackingNumber
  if (/json/i.test(contentType) || (!typeHeader && /^\s*[{[]/.test(template))) {
    if (!typeHeader) headers['content-type'] = 'application/json'
    value = JSON.stringify(trackingNumber).slice(1, -1)
  } else if (/x-www-form-urlencoded/i.test(contentType)) {
    value = encodeURIComponent(trackingNumber)
  }
  return template.replaceAll(TRACKING_NUMBER_PLACEHOLDER, value)
}

export async function fetchTracking(
  http: CarrierHttp,
  definition: GenericCarrierDefinition,
  trackingNumber: string,
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  const { url, request } = buildTrackingRequest(definition, trackingNumber, env)
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
