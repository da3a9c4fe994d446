import { createRoute, z } from '@hono/zod-openapi'
import type { AppDeps } from '../app-deps.js'
import { SubscriptionId, TrackingId } from '../path-params.js'
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

const MAX_SUBSCRIPTIONS_PER_TRACKING = 5

const TrackingParams = z.object({ id: TrackingId })

const TAGS = ['Subscriptions']

const subscribeRoute = createRoute({
  method: 'post',
  path: '/{id}/subscriptions',
  operationId: 'createSubscription',
  tags: TAGS,
  summary: 'Subscribe a webhook to one tracking',
  description: `A shopper subscription: it follows one tracking and goes away with it. At most ${MAX_SUBSCRIPTIONS_PER_TRACKING} per tracking.`,
  middleware: [requireJsonBody] as const,
  request: {
    params: TrackingParams,
    body: jsonBody(CreateEndpointSchema),
  },
  responses: {
    201: jsonResponse(CreatedWebhookEndpointSchema, 'Created, with its signing secret (shown once)'),
    ...problemResponses(
      ...API_KEY_PROBLEMS,
      'not_found',
      'invalid_json',
      'validation_failed',
      'payload_too_large',
      'unsupported_media_type',
      'invalid_webhook_url',
      'too_many_webhooks',
    ),
  },
})

const listSubscriptionsRoute = createRoute({
  method: 'get',
  path: '/{id}/subscriptions',
  operationId: 'listSubscriptions',
  tags: TAGS,
  summary: "List a tracking's subscriptions",
  request: { params: TrackingParams },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(WebhookEndpointSchema) }),
      'The subscriptions, without their secrets',
    ),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const unsubscribeRoute = createRoute({
  method: 'delete',
  path: '/{id}/subscriptions/{subscriptionId}',
  operationId: 'deleteSubscription',
  tags: TAGS,
  summary: 'Delete a subscription',
  request: { params: TrackingParams.extend({ subscriptionId: SubscriptionId }) },
  responses: {
    204: { description: 'Deleted' },
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

/** Shopper subscriptions: webhooks about one tracking, gone with it. Mounted under /v1/trackings. */
export function subscriptionRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date())

  async function ownedTracking(merchantId: string, id: string) {
    const found = await deps.store.get(merchantId, id)
    if (!found) throw new ApiError('not_found', 'no such tracking')
    return found.record
  }

  return createRouter()
    .openapi(subscribeRoute, async (c) => {
      const input = c.req.valid('json')
      const merchantId = c.get('merchantId')
      const tracking = await ownedTracking(merchantId, c.req.valid('param').id)
      const existing = await deps.webhooks.listEndpoints({ trackingId: tracking.id })
      if (existing.length >= MAX_SUBSCRIPTIONS_PER_TRACKING) {
        throw new ApiError(
          'too_many_webhooks',
          `at most ${MAX_SUBSCRIPTIONS_PER_TRACKING} subscriptions per tracking`,
        )
      }
      const { endpoint, secret } = await buildEndpoint(
        deps,
        input,
        { merchantId, trackingId: tracking.id },
        now(),
      )
      if (!(await deps.webhooks.createEndpoint(endpoint))) throw new ApiError('not_found', 'no such tracking')
      return c.json(toCreatedEndpointView(endpoint, secret), 201)
    })
    .openapi(listSubscriptionsRoute, async (c) => {
      const tracking = await ownedTracking(c.get('merchantId'), c.req.valid('param').id)
      const endpoints = await deps.webhooks.listEndpoints({ trackingId: tracking.id })
      return c.json({ data: endpoints.map(toEndpointView) }, 200)
    })
    .openapi(unsubscribeRoute, async (c) => {
      const { id, subscriptionId } = c.req.valid('param')
      const tracking = await ownedTracking(c.get('merchantId'), id)
      const endpoint = await deps.webhooks.getEndpoint(subscriptionId)
      if (!endpoint || endpoint.trackingId !== tracking.id)
        throw new ApiError('not_found', 'no such subscription')
      await deps.webhooks.deleteEndpoint(endpoint)
      return c.body(null, 204)
    })
}
