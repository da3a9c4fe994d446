import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'

/** Every error code the API can answer with, and its HTTP status: a closed, exhaustive table. */
export const STATUS_BY_CODE = {
  malformed_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  admin_unauthorized: 401,
  metrics_unauthorized: 401,
  not_found: 404,
  route_not_found: 404,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unsupported_image_type: 415,
  invalid_tracking_number: 422,
  unknown_carrier: 422,
  carrier_not_configured: 422,
  destination_postal_code_required: 422,
  ambiguous_carrier: 422,
  unknown_tracking_number_format: 422,
  invalid_webhook_url: 422,
  too_many_webhooks: 422,
  insufficient_contrast: 422,
  invalid_image: 422,
  email_not_configured: 422,
  too_many_notifications: 422,
  rate_limited: 429,
  headers_too_large: 431,
  redis_unavailable: 503,
  internal: 500,
} as const satisfies Record<string, number>

export type ProblemCode = keyof typeof STATUS_BY_CODE

const TITLE_BY_CODE: Record<ProblemCode, string> = {
  malformed_request: 'Request is not valid HTTP',
  invalid_json: 'Request body is not valid JSON',
  validation_failed: 'Request is not valid',
  invalid_cursor: 'Cursor is not valid',
  unauthorized: 'Missing or invalid API key',
  admin_unauthorized: 'Missing or invalid admin token',
  metrics_unauthorized: 'Missing or invalid metrics token',
  not_found: 'Not found',
  route_not_found: 'No such route',
  request_timeout: 'Request not received in time',
  payload_too_large: 'Request body too large',
  unsupported_media_type: 'Request body must be application/json',
  unsupported_image_type: 'Logo must be image/png, image/webp or image/svg+xml',
  invalid_tracking_number: 'Tracking number is not valid for this carrier',
  unknown_carrier: 'Unknown carrier',
  carrier_not_configured: 'Carrier is not configured on this deployment',
  destination_postal_code_required: 'This carrier tracks a parcel only with its destination postal code',
  ambiguous_carrier: 'Several carriers could track this number',
  unknown_tracking_number_format: 'No carrier recognises this tracking number',
  invalid_webhook_url: 'This URL cannot receive webhooks',
  too_many_webhooks: 'Too many webhook endpoints',
  insufficient_contrast: 'Colour does not contrast enough with white',
  invalid_image: 'Image is not valid',
  email_not_configured: 'This deployment sends no e-mail (no SMTP server configured)',
  too_many_notifications: 'Too many e-mail notifications for this tracking',
  rate_limited: 'Too many requests',
  headers_too_large: 'Request headers too large',
  redis_unavailable: 'Storage is unavailable',
  internal: 'Internal error',
}

type UnauthorizedCode = {
  [C in ProblemCode]: (typeof STATUS_BY_CODE)[C] extends 401 ? C : never
}[ProblemCode]

/**
 * The `WWW-Authenticate` challenge of each 401 (HTTP requires one). Browsers show their login prompt
 * on `Basic`, and the queue dashboard is opened by hand: the admin challenge offers it.
 */
const CHALLENGE_BY_CODE: Record<UnauthorizedCode, string> = {
  unauthorized: 'Bearer realm="colis"',
  admin_unauthorized: 'Basic realm="colis admin", charset="UTF-8", Bearer realm="colis admin"',
  metrics_unauthorized: 'Bearer realm="colis metrics"',
}

export interface FieldError {
  /** JSON pointer (RFC 6901) to the offending field, e.g. `/trackingNumber`. */
  pointer: string
  detail: string
}

/** A client-facing error with a stable code; `app.onError` turns it into problem+json. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extensions: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(detail ?? TITLE_BY_CODE[code])
  }
}

/**
 * RFC 9457 body; `type` is a stable URN per code so clients can switch on either. `instance` is left
 * out when there is no path to give (a request too malformed to read).
 */
export function problemBody(error: ApiError, request: { instance?: string; requestId: string }): Problem {
  return {
    type: `urn:colis:problem:${error.code}`,
    title: TITLE_BY_CODE[error.code],
    status: STATUS_BY_CODE[error.code],
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(request.instance === undefined ? {} : { instance: request.instance }),
    requestId: request.requestId,
    ...error.extensions,
  }
}

export function toProblem(c: Context, error: ApiError): Problem {
  return problemBody(error, { instance: c.req.path, requestId: c.get('requestId') })
}

export function problemResponse(c: Context, error: ApiError): Response {
  const body = toProblem(c, error)
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  // Built outside `c.json`, so the header the requestId middleware prepared must be set again here.
  if (body.requestId) headers['x-request-id'] = body.requestId
  if (Object.hasOwn(CHALLENGE_BY_CODE, error.code)) {
    headers['www-authenticate'] = CHALLENGE_BY_CODE[error.code as UnauthorizedCode]
  }
  return new Response(JSON.stringify(body), { status: body.status, headers })
}

const PROBLEM_CODES = Object.keys(STATUS_BY_CODE) as [ProblemCode, ...ProblemCode[]]

export const CarrierCandidateSchema = z
  .object({
    carrier: z.string().openapi({ example: 'laposte' }),
    confidence: z.number().openapi({ example: 0.9 }),
    reason: z.string(),
  })
  .openapi('CarrierCandidate')

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:colis:problem:not_found' }),
    title: z.string().openapi({ example: 'Not found' }),
    status: z.number().int().openapi({ example: 404 }),
    code: z.enum(PROBLEM_CODES).describe('Stable error code; `type` is `urn:colis:problem:<code>`'),
    detail: z.string().optional().openapi({ example: 'no such tracking' }),
    instance: z
      .string()
      .optional()
      .describe('The request path; absent when the request could not be read at all')
      .openapi({ example: '/v1/trackings/trk_7Hc2pQx9LmA4zR8tVb1N' }),
    requestId: z.string().describe('Also in the `X-Request-Id` header'),
    errors: z
      .array(
        z
          .object({
            pointer: z
              .string()
              .describe('JSON pointer (RFC 6901) to the field')
              .openapi({ example: '/trackingNumber' }),
            detail: z.string(),
          })
          .openapi('FieldError'),
      )
      .optional()
      .describe('`validation_failed`: every bad field'),
    carriers: z.array(z.string()).optional().describe('`unknown_carrier`: the carriers of this deployment'),
    candidates: z
      .array(CarrierCandidateSchema)
      .optional()
      .describe('`ambiguous_carrier`: the carriers that could track the number'),
    problems: z
      .array(z.string())
      .optional()
      .describe('`unknown_tracking_number_format`: why no carrier took the number'),
    contrastRatio: z
      .number()
      .optional()
      .describe("`insufficient_contrast`: the colour's contrast ratio with white, rounded down")
      .openapi({ example: 1.07 }),
    minimumContrastRatio: z
      .number()
      .optional()
      .describe('`insufficient_contrast`: the ratio needed (WCAG 2.1 AA)')
      .openapi({ example: 4.5 }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details (`application/problem+json`)' })

export type Problem = z.output<typeof ProblemSchema>

type StatusOf<C extends ProblemCode> = (typeof STATUS_BY_CODE)[C]
type ProblemResponses<C extends ProblemCode> = {
  [S in StatusOf<C>]: {
    description: string
    content: { 'application/problem+json': { schema: typeof ProblemSchema } }
  }
}

/** Headers some problems come with, documented beside them. */
const PROBLEM_HEADERS: Partial<Record<number, z.ZodObject>> = {
  401: z.object({ 'www-authenticate': z.string().openapi({ example: 'Bearer realm="colis"' }) }),
  429: z.object({ 'retry-after': z.string().describe('Seconds to wait').openapi({ example: '3' }) }),
}

/** Every route can fail this way: a bug. */
const ALWAYS = ['internal'] as const satisfies readonly ProblemCode[]

/** What the API-key check in front of every /v1 route can answer. */
export const API_KEY_PROBLEMS = [
  'unauthorized',
  'rate_limited',
  'redis_unavailable',
] as const satisfies readonly ProblemCode[]

/**
 * The problem+json answers of a route, one per status, each naming the codes it can carry (plus
 * `internal`, which any route can give).
 */
export function problemResponses<C extends ProblemCode>(
  ...codes: C[]
): ProblemResponses<C | (typeof ALWAYS)[number]> {
  const byStatus = new Map<number, ProblemCode[]>()
  for (const code of new Set<ProblemCode>([...codes, ...ALWAYS])) {
    const status = STATUS_BY_CODE[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  const entries = [...byStatus].map(([status, statusCodes]) => [
    status,
    {
      description: statusCodes.map((code) => `\`${code}\`: ${TITLE_BY_CODE[code]}`).join('; '),
      ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
      content: {
        'application/problem+json': {
          schema: ProblemSchema.extend({
            status: z.literal(status),
            code: z.enum(statusCodes as [ProblemCode, ...ProblemCode[]]),
          }),
        },
      },
    },
  ])
  return Object.fromEntries(entries) as ProblemResponses<C | (typeof ALWAYS)[number]>
}
