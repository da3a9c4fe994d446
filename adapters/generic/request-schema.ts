import { z } from 'zod'

export const TRACKING_NUMBER_PLACEHOLDER = '{trackingNumber}'
/** The postal code the parcel was registered with, for carriers that answer only number and code together. */
export const DESTINATION_POSTAL_CODE_PLACEHOLDER = '{destinationPostalCode}'

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
  const other = request.url.match(/\{(?!(?:trackingNumber|destinationPostalCode)\})[^}]*\}/)?.[0]
  if (other) {
    report(
      ['url'],
      `unknown placeholder ${other} (only ${TRACKING_NUMBER_PLACEHOLDER} and ${DESTINATION_POSTAL_CODE_PLACEHOLDER})`,
    )
  }
  const filled = request.url
    .replaceAll(TRACKING_NUMBER_PLACEHOLDER, 'X')
    .replaceAll(DESTINATION_POSTAL_CODE_PLACEHOLDER, 'X')
  if (!URL.canParse(filled)) {
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

/** Whether the request carries the parcel's destination postal code, so that none can be tracked without it. */
export function needsDestinationPostalCode(request: Pick<RequestDefinition, 'url' | 'body'>): boolean {
  return [request.url, request.body ?? ''].some((text) => text.includes(DESTINATION_POSTAL_CODE_PLACEHOLDER))
}

/** The environment variables the definition's headers read. */
export function listEnvNames(request: RequestDefinition): string[] {
  return Object.values(request.headers).flatMap((value) => (typeof value === 'string' ? [] : [value.env]))
}
