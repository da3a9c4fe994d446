import { type OpenAPIHono, z } from '@hono/zod-openapi'
import { CreateKeySchema, ListKeysQuerySchema } from './admin/admin-routes.js'
import { QUEUE_BOARD_PATH } from './admin/queue-board.js'
import { problemResponses } from './problem.js'
import { jsonBody, jsonResponse } from './router.js'

type Registry = OpenAPIHono['openAPIRegistry']

const ApiKeySchema = z
  .object({
    keyId: z.string().openapi({ example: 'k7Qm2xPz9RtB' }),
    merchantId: z.string().openapi({ example: 'shop-42' }),
    createdAt: z.iso.datetime({ offset: true }),
    label: z.string().optional(),
    revokedAt: z.iso.datetime({ offset: true }).optional().describe('Set once the key is revoked'),
  })
  .openapi('ApiKey')

const CreatedApiKeySchema = ApiKeySchema.omit({ revokedAt: true })
  .extend({
    key: z
      .string()
      .describe('The whole key, shown only here: colis keeps a hash of its secret')
      .openapi({ example: `colis_k7Qm2xPz9RtB_${'x'.repeat(43)}` }),
  })
  .openapi('CreatedApiKey')

const KeyIdParamsSchema = z.object({ keyId: z.string().openapi({ example: 'k7Qm2xPz9RtB' }) })

const ADMIN = { tags: ['Admin'], security: [{ adminToken: [] }] }
/** What the admin token check in front of every /admin route can answer. */
const ADMIN_PROBLEMS = ['unauthorized', 'rate_limited', 'redis_unavailable'] as const

/**
 * `/admin` in /openapi.json, when COLIS_ADMIN_TOKEN turns it on. The routes themselves are plain Hono
 * (the queue dashboard is bull-board's); its own API and assets under /admin/queues/ are not described.
 */
export function describeAdminRoutes(registry: Registry, options: { queueBoard: boolean }): void {
  registry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      'COLIS_ADMIN_TOKEN: `Authorization: Bearer <token>` (a browser may give it as the Basic password, any user name)',
  })
  registry.registerPath({
    ...ADMIN,
    method: 'post',
    path: '/admin/keys',
    operationId: 'createApiKey',
    summary: 'Create an API key for a merchant',
    request: { body: jsonBody(CreateKeySchema) },
    responses: {
      201: jsonResponse(CreatedApiKeySchema, 'Created; the key is shown this once'),
      ...problemResponses(
        ...ADMIN_PROBLEMS,
        'invalid_json',
        'validation_failed',
        'unsupported_media_type',
        'payload_too_large',
      ),
    },
  })
  registry.registerPath({
    ...ADMIN,
    method: 'get',
    path: '/admin/keys',
    operationId: 'listApiKeys',
    summary: 'List API keys, newest first, without their secrets',
    request: { query: ListKeysQuerySchema },
    responses: {
      200: jsonResponse(z.object({ data: z.array(ApiKeySchema) }), 'Every key (of one merchant, if asked)'),
      ...problemResponses(...ADMIN_PROBLEMS, 'validation_failed'),
    },
  })
  registry.registerPath({
    ...ADMIN,
    method: 'delete',
    path: '/admin/keys/{keyId}',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key for good',
    description: 'Every API process stops accepting it within a moment; it stays listed with `revokedAt`.',
    request: { params: KeyIdParamsSchema },
    responses: {
      200: jsonResponse(ApiKeySchema, 'Revoked'),
      ...problemResponses(...ADMIN_PROBLEMS, 'not_found'),
    },
  })
  if (!options.queueBoard) return
  registry.registerPath({
    ...ADMIN,
    method: 'get',
    path: QUEUE_BOARD_PATH,
    operationId: 'getQueueDashboard',
    summary: 'The queue dashboard (bull-board), for a browser',
    responses: {
      200: { description: 'The dashboard page', content: { 'text/html': { schema: z.string() } } },
      ...problemResponses(...ADMIN_PROBLEMS),
    },
  })
}

/** `GET /metrics` in /openapi.json; it needs COLIS_METRICS_TOKEN when that is set. */
export function describeMetricsRoute(registry: Registry, options: { token: boolean }): void {
  if (options.token) {
    registry.registerComponent('securitySchemes', 'metricsToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'COLIS_METRICS_TOKEN: `Authorization: Bearer <token>`',
    })
  }
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tags: ['Operations'],
    summary: "This process's Prometheus metrics",
    security: options.token ? [{ metricsToken: [] }] : [],
    responses: {
      200: {
        description: 'Prometheus text exposition format',
        content: { 'text/plain': { schema: z.string() } },
      },
      ...(options.token ? problemResponses('unauthorized', 'rate_limited') : problemResponses()),
    },
  })
}
