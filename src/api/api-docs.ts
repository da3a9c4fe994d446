import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { type OpenAPIHono, z } from '@hono/zod-openapi'
import { VERSION } from '../version.js'
import type { ApiEnv } from './api-env.js'
import { describeWebhookPayloads } from './webhook-payload-docs.js'

export const OPENAPI_PATH = '/openapi.json'
export const DOCS_PATH = '/docs'
const ASSETS_PATH = `${DOCS_PATH}/assets`

const API_DESCRIPTION = `Self-hosted multi-carrier parcel tracking: one normalized timeline per parcel, delay alerts on
the French business calendar, signed webhooks.

Every error is RFC 9457 \`application/problem+json\` with a stable \`code\` and the \`requestId\` (also in
the \`X-Request-Id\` header); validation errors list every bad field in \`errors\`.`

const TAGS = [
  { name: 'Trackings', description: 'Parcels a merchant follows' },
  { name: 'Subscriptions', description: 'Webhooks about one tracking (shopper notifications)' },
  { name: 'Alerts', description: 'Late, stalled, exception… on the French business calendar' },
  { name: 'Webhooks', description: 'Signed notifications to merchant endpoints' },
  {
    name: 'Merchant',
    description: 'How the tracking page and e-mails present the merchant, and its settings',
  },
  { name: 'Carriers', description: 'The carriers of this deployment' },
  { name: 'Health', description: 'Probes for orchestrators; no API key' },
  { name: 'Operations', description: 'Prometheus metrics' },
  { name: 'Admin', description: 'API keys and the queue dashboard, with COLIS_ADMIN_TOKEN' },
  { name: 'Docs', description: 'This document and Swagger UI; no API key' },
]

/** Relative: the deployment that serves this document, whatever its address. */
const SERVERS = [{ url: '/', description: 'This colis deployment' }]

/**
 * Swagger UI's own files, served from the swagger-ui-dist package: the docs work air-gapped and under
 * a CSP that allows only this origin (its stock page loads them from a CDN).
 */
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const SWAGGER_UI_FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const satisfies Record<string, string>

// In a file of its own, not inline: the CSP below allows no inline script.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  validatorUrl: null,
})
`

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>colis API</title>
<link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${ASSETS_PATH}/init.js"></script>
</body>
</html>
`

/**
 * Same origin only, no inline script or style element. React sets Swagger UI's inline styles through
 * the CSSOM, which `style-src` does not govern; its icons are `data:` SVGs in the stylesheet.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const DOCS_HEADERS = {
  'content-security-policy': DOCS_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

function describeDocsRoutes(registry: OpenAPIHono<ApiEnv>['openAPIRegistry']) {
  const docs = { tags: ['Docs'], security: [] }
  registry.registerPath({
    ...docs,
    method: 'get',
    path: OPENAPI_PATH,
    operationId: 'getOpenApiDocument',
    summary: 'This document (OpenAPI 3.1)',
    responses: {
      200: { description: 'The OpenAPI document', content: { 'application/json': { schema: z.object({}) } } },
    },
  })
  registry.registerPath({
    ...docs,
    method: 'get',
    path: DOCS_PATH,
    operationId: 'getApiDocs',
    summary: 'Swagger UI on this document, for a browser (its assets are served under /docs/assets/)',
    responses: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } },
  })
}

/**
 * `GET /openapi.json` (OpenAPI 3.1, from the routes' own zod schemas), and Swagger UI at `GET /docs`.
 * Both without an API key: they describe the API, they do not open it.
 */
export function serveApiDocs(app: OpenAPIHono<ApiEnv>) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from `colis keys create`: `Authorization: Bearer <key>`',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'COLIS_ADMIN_TOKEN, for operator routes: `Authorization: Bearer <token>`',
  })
  let document: unknown
  app.get(OPENAPI_PATH, (c) => {
    // Built once: the routes do not change after startup.
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'colis API',
        version: VERSION,
        description: API_DESCRIPTION,
        license: { name: 'MIT' },
      },
      servers: SERVERS,
      tags: TAGS,
      security: [{ apiKey: [] }],
    })
    return c.json(document)
  })
  app.get(DOCS_PATH, (c) => c.html(DOCS_PAGE, 200, DOCS_HEADERS))
  describeDocsRoutes(app.openAPIRegistry)
  describeWebhookPayloads(app.openAPIRegistry)

  const cache = new Map<string, Promise<Buffer>>()
  app.get(`${ASSETS_PATH}/:file`, async (c) => {
    const file = c.req.param('file')
    const headers = { ...DOCS_HEADERS, 'cache-control': 'public, max-age=86400' }
    if (file === 'init.js') {
      return c.body(INIT_SCRIPT, 200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' })
    }
    if (!Object.hasOwn(SWAGGER_UI_FILES, file)) return c.notFound()
    const type = SWAGGER_UI_FILES[file as keyof typeof SWAGGER_UI_FILES]
    let content = cache.get(file)
    if (!content) {
      content = readFile(join(SWAGGER_UI_DIR, file))
      cache.set(file, content)
    }
    return c.body(new Uint8Array(await content), 200, { ...headers, 'content-type': type })
  })
}
