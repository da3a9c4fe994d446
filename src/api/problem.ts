import type { Context } from 'hono'

/** Every error code the API can answer with, and its HTTP status: a closed, exhaustive table. */
export const STATUS_BY_CODE = {
  invalid_json: 400,
  validation_failed: 400,
  invalid_cursor: 400,
  unauthorized: 401,
  not_found: 404,
  route_not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid_tracking_number: 422,
  unknown_carrier: 422,
  carrier_not_configured: 422,
  ambiguous_carrier: 422,
  unknown_tracking_number_format: 422,
  invalid_webhook_url: 422,
  too_many_webhooks: 422,
  redis_unavailable: 503,
  internal: 500,
} as const satisfies Record<string, number>

export type ProblemCode = keyof typeof STATUS_BY_CODE

const TITLE_BY_CODE: Record<ProblemCode, string> = {
  invalid_json: 'Request body is not valid JSON',
  validation_failed: 'Request is not valid',
  invalid_cursor: 'Cursor is not valid',
  unauthorized: 'Missing or invalid API key',
  not_found: 'Not found',
  route_not_found: 'No such route',
  payload_too_large: 'Request body too large',
  unsupported_media_type: 'Request body must be application/json',
  invalid_tracking_number: 'Tracking number is not valid for this carrier',
  unknown_carrier: 'Unknown carrier',
  carrier_not_configured: 'Carrier is not configured on this deployment',
  ambiguous_carrier: 'Several carriers could track this number',
  unknown_tracking_number_format: 'No carrier recognises this tracking number',
  invalid_webhook_url: 'This URL cannot receive webhooks',
  too_many_webhooks: 'Too many webhook endpoints',
  redis_unavailable: 'Storage is unavailable',
  internal: 'Internal error',
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

/** RFC 9457 body; `type` is a stable URN per code so clients can switch on either. */
export function problemResponse(c: Context, error: ApiError): Response {
  const status = STATUS_BY_CODE[error.code]
  const body = {
    type: `urn:colis:problem:${error.code}`,
    title: TITLE_BY_CODE[error.code],
    status,
    code: error.code,
    ...(error.detail ? { detail: error.detail } : {}),
    instance: c.req.path,
    requestId: c.get('requestId'),
    ...error.extensions,
  }
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  // Built outside `c.json`, so the header the requestId middleware prepared must be set again here.
  if (body.requestId) headers['x-request-id'] = body.requestId
  if (error.code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="colis"'
  return new Response(JSON.stringify(body), { status, headers })
}
