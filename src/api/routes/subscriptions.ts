import { Hono } from 'hono'
import type { ApiEnv, AppDeps } from '../app.js'
import { ApiError } from '../problem.js'
import { parseJsonBody } from '../validation.js'
import { buildEndpoint, CreateEndpointSchema, toEndpointView } from '../webhook-endpoint.js'

const MAX_SUBSCRIPTIONS_PER_TRACKING = 5

/** Shopper subscriptions: webhooks about one tracking, gone with it. Mounted under /v1/trackings. */
export function subscriptionRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date())

  async function ownedTracking(merchantId: string, id: string) {
    const found = await deps.store.get(merchantId, id)
    if (!found) throw new ApiError('not_found', 'no such tracking')
    return found.record
  }

  return new Hono<ApiEnv>()
    .post('/:id/subscriptions', async (c) => {
      const input = await parseJsonBody(c, CreateEndpointSchema)
      const merchantId = c.get('merchantId')
      const tracking = await ownedTracking(merchantId, c.req.param('id'))
      const existing = await deps.webhooks.listEndpoints({ trackingId: tracking.id })
      if (existing.length >= MAX_SUBSCRIPTIONS_PER_TRACKING) {
        throw new ApiError(
          'too_many_webhooks',
          `at most ${MAX_SUBSCRIPTIONS_PER_TRACKING} subscriptions per tracking`,
        )
      }
      const endpoint = await buildEndpoint(deps, input, { merchantId, trackingId: tracking.id }, now())
      if (!(await deps.webhooks.createEndpoint(endpoint))) throw new ApiError('not_found', 'no such tracking')
      return c.json({ ...toEndpointView(endpoint), secret: endpoint.secrets[0]?.secret }, 201)
    })
    .get('/:id/subscriptions', async (c) => {
      const tracking = await ownedTracking(c.get('merchantId'), c.req.param('id'))
      const endpoints = await deps.webhooks.listEndpoints({ trackingId: tracking.id })
      return c.json({ data: endpoints.map(toEndpointView) })
    })
    .delete('/:id/subscriptions/:subscriptionId', async (c) => {
      const tracking = await ownedTracking(c.get('merchantId'), c.req.param('id'))
      const endpoint = await deps.webhooks.getEndpoint(c.req.param('subscriptionId'))
      if (!endpoint || endpoint.trackingId !== tracking.id)
        throw new ApiError('not_found', 'no such subscription')
      await deps.webhooks.deleteEndpoint(endpoint)
      return c.body(null, 204)
    })
}
