import { createRoute, z } from '@hono/zod-openapi'
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhook-events.js'
import type { WebhookEndpoint } from '../../store/webhook-store.js'
import { createWebhookSecret } from '../../webhooks/sign.js'
import type { AppDeps } from '../app-deps.js'
import { DeliveryId, WebhookEndpointId } from '../path-params.js'
import { API_KEY_PROBLEMS, ApiError, problemResponses } from '../problem.js'
import { createRouter, jsonBody, jsonResponse } from '../router.js'
import { requireJsonBody } from '../validation.js'
import {
  buildEndpoint,
  CreatedWebhookEndpointSchema,
  CreateEndpointSchema,
  toCreatedEndpointView,
  toEndpointView,
  WebhookEndpointSchema,
} from '../webhook-endpoint.js'

const MAX_ENDPOINTS_PER_MERCHANT = 20
/** A rotated-out secret keeps signing this long, so receivers switch without losing a delivery. */
const ROTATION_OVERLAP_MS = 24 * 3600 * 1000

const DeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.iso.datetime().optional().describe('Only deliveries created before this instant'),
})

const DeliverySchema = z
  .object({
    id: z.string(),
    endpointId: z.string(),
    messageId: z.string().describe('The `webhook-id` header: the same on every attempt and redelivery'),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    trackingId: z.string(),
    createdAt: z.iso.datetime({ offset: true }),
    state: z.enum(['pending', 'delivered', 'failed', 'endpoint_disabled']),
    attempts: z.array(
      z.object({
        at: z.iso.datetime({ offset: true }),
        statusCode: z.number().int().optional(),
        durationMs: z.number(),
        error: z.string().optional(),
      }),
    ),
  })
  .openapi('WebhookDelivery')

const EndpointParams = z.object({ id: WebhookEndpointId })

const TAGS = ['Webhooks']

const createEndpointRoute = createRoute({
  method: 'post',
  path: '/',
  operationId: 'createWebhookEndpoint',
  tags: TAGS,
  summary: 'Add a webhook endpoint',
  description: `At most ${MAX_ENDPOINTS_PER_MERCHANT} per merchant. Private and link-local addresses are refused.`,
  middleware: [requireJsonBody] as const,
  request: { body: jsonBody(CreateEndpointSchema) },
  responses: {
    201: {
      ...jsonResponse(CreatedWebhookEndpointSchema, 'Created, with its signing secret (shown once)'),
      headers: z.object({ location: z.string().describe('/v1/webhooks/{id}') }),
    },
    ...problemResponses(
      ...API_KEY_PROBLEMS,
      'invalid_json',
      'validation_failed',
      'payload_too_large',
      'unsupported_media_type',
      'invalid_webhook_url',
      'too_many_webhooks',
    ),
  },
})

const listEndpointsRoute = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listWebhookEndpoints',
  tags: TAGS,
  summary: 'List webhook endpoints',
  responses: {
    200: jsonResponse(z.object({ data: z.array(WebhookEndpointSchema) }), 'Every endpoint of the merchant'),
    ...problemResponses(...API_KEY_PROBLEMS),
  },
})

const getEndpointRoute = createRoute({
  method: 'get',
  path: '/{id}',
  operationId: 'getWebhookEndpoint',
  tags: TAGS,
  summary: 'Get a webhook endpoint',
  request: { params: EndpointParams },
  responses: {
    200: jsonResponse(WebhookEndpointSchema, 'The endpoint, without its secrets'),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const deleteEndpointRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  operationId: 'deleteWebhookEndpoint',
  tags: TAGS,
  summary: 'Delete a webhook endpoint',
  request: { params: EndpointParams },
  responses: {
    204: { description: 'Deleted' },
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const rotateSecretRoute = createRoute({
  method: 'post',
  path: '/{id}/rotate-secret',
  operationId: 'rotateWebhookSecret',
  tags: TAGS,
  summary: 'Rotate the signing secret',
  description: 'The previous secret keeps signing (a second signature) for 24 hours.',
  request: { params: EndpointParams },
  responses: {
    200: jsonResponse(
      z.object({
        id: z.string(),
        secret: z.string().describe('The new secret, shown once'),
        previousSecretExpiresAt: z.iso.datetime({ offset: true }),
      }),
      'The new secret',
    ),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const listDeliveriesRoute = createRoute({
  method: 'get',
  path: '/{id}/deliveries',
  operationId: 'listWebhookDeliveries',
  tags: TAGS,
  summary: 'List recent deliveries, newest first',
  request: { params: EndpointParams, query: DeliveriesQuerySchema },
  responses: {
    200: jsonResponse(z.object({ data: z.array(DeliverySchema) }), 'Deliveries with their attempts'),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found', 'validation_failed'),
  },
})

const redeliverRoute = createRoute({
  method: 'post',
  path: '/{id}/deliveries/{deliveryId}/redeliver',
  operationId: 'redeliverWebhook',
  tags: TAGS,
  summary: 'Send a delivery again',
  description: 'Same `webhook-id`, so receivers that already processed it can drop it.',
  request: { params: EndpointParams.extend({ deliveryId: DeliveryId }) },
  responses: {
    202: jsonResponse(z.object({ id: z.string(), redelivery: z.literal('queued') }), 'Queued'),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

export function webhookRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date())

  async function owned(merchantId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await deps.webhooks.getEndpoint(id)
    if (!endpoint || endpoint.merchantId !== merchantId || endpoint.trackingId) {
      throw new ApiError('not_found', 'no such webhook endpoint')
    }
    return endpoint
  }

  return createRouter()
    .openapi(createEndpointRoute, async (c) => {
      const input = c.req.valid('json')
      const merchantId = c.get('merchantId')
      const existing = await deps.webhooks.listEndpoints({ merchantId })
      if (existing.length >= MAX_ENDPOINTS_PER_MERCHANT) {
        throw new ApiError(
          'too_many_webhooks',
          `at most ${MAX_ENDPOINTS_PER_MERCHANT} endpoints per merchant`,
        )
      }
      const { endpoint, secret } = await buildEndpoint(deps, input, { merchantId }, now())
      await deps.webhooks.createEndpoint(endpoint)
      c.header('location', `/v1/webhooks/${endpoint.id}`)
      return c.json(toCreatedEndpointView(endpoint, secret), 201)
    })
    .openapi(listEndpointsRoute, async (c) => {
      const endpoints = await deps.webhooks.listEndpoints({ merchantId: c.get('merchantId') })
      return c.json({ data: endpoints.map(toEndpointView) }, 200)
    })
    .openapi(getEndpointRoute, async (c) =>
      c.json(toEndpointView(await owned(c.get('merchantId'), c.req.valid('param').id)), 200),
    )
    .openapi(deleteEndpointRoute, async (c) => {
      await deps.webhooks.deleteEndpoint(await owned(c.get('merchantId'), c.req.valid('param').id))
      return c.body(null, 204)
    })
    .openapi(rotateSecretRoute, async (c) => {
      const endpoint = await owned(c.get('merchantId'), c.req.valid('param').id)
      const at = now()
      const expiresAt = new Date(at.getTime() + ROTATION_OVERLAP_MS).toISOString()
      const secret = createWebhookSecret()
      // Applied to the endpoint as stored at that moment: a delivery worker may be updating it too.
      const rotated = await deps.webhooks.updateEndpoint(endpoint.id, (current) => ({
        ...current,
        secrets: [
          { secret, createdAt: at.toISOString() },
          ...current.secrets
            .filter((old) => !old.expiresAt || Date.parse(old.expiresAt) > at.getTime())
            .map((old) => ({ ...old, expiresAt: old.expiresAt ?? expiresAt })),
        ],
      }))
      if (!rotated) throw new ApiError('not_found', 'no such webhook endpoint')
      return c.json({ id: endpoint.id, secret, previousSecretExpiresAt: expiresAt }, 200)
    })
    .openapi(listDeliveriesRoute, async (c) => {
      const endpoint = await owned(c.get('merchantId'), c.req.valid('param').id)
      const query = c.req.valid('query')
      const deliveries = await deps.webhooks.listDeliveries(
        endpoint.id,
        query.limit,
        query.before ? Date.parse(query.before) : undefined,
      )
      return c.json({ data: deliveries.map(({ body: _body, ...delivery }) => delivery) }, 200)
    })
    .openapi(redeliverRoute, async (c) => {
      const { id, deliveryId } = c.req.valid('param')
      const endpoint = await owned(c.get('merchantId'), id)
      const delivery = await deps.webhooks.getDelivery(deliveryId)
      if (!delivery || delivery.endpointId !== endpoint.id)
        throw new ApiError('not_found', 'no such delivery')
      await deps.webhooks.requestRedelivery(delivery.id)
      return c.json({ id: delivery.id, redelivery: 'queued' as const }, 202)
    })
}
