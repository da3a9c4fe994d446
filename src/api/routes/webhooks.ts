import { Hono } from 'hono'
import { z } from 'zod'
import type { WebhookEndpoint } from '../../store/webhook-store.js'
import { createWebhookSecret } from '../../webhooks/sign.js'
import type { ApiEnv, AppDeps } from '../app.js'
import { ApiError } from '../problem.js'
import { parseJsonBody, parseWith } from '../validation.js'
import { buildEndpoint, CreateEndpointSchema, toEndpointView } from '../webhook-endpoint.js'

const MAX_ENDPOINTS_PER_MERCHANT = 20
/** A rotated-out secret keeps signing this long, so receivers switch without losing a delivery. */
const ROTATION_OVERLAP_MS = 24 * 3600 * 1000

const DeliveriesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z.iso.datetime().optional(),
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

  return new Hono<ApiEnv>()
    .post('/', async (c) => {
      const input = await parseJsonBody(c, CreateEndpointSchema)
      const merchantId = c.get('merchantId')
      const existing = await deps.webhooks.listEndpoints({ merchantId })
      if (existing.length >= MAX_ENDPOINTS_PER_MERCHANT) {
        throw new ApiError(
          'too_many_webhooks',
          `at most ${MAX_ENDPOINTS_PER_MERCHANT} endpoints per merchant`,
        )
      }
      const endpoint = await buildEndpoint(deps, input, { merchantId }, now())
      await deps.webhooks.createEndpoint(endpoint)
      c.header('location', `/v1/webhooks/${endpoint.id}`)
      return c.json({ ...toEndpointView(endpoint), secret: endpoint.secrets[0]?.secret }, 201)
    })
    .get('/', async (c) => {
      const endpoints = await deps.webhooks.listEndpoints({ merchantId: c.get('merchantId') })
      return c.json({ data: endpoints.map(toEndpointView) })
    })
    .get('/:id', async (c) => c.json(toEndpointView(await owned(c.get('merchantId'), c.req.param('id')))))
    .delete('/:id', async (c) => {
      await deps.webhooks.deleteEndpoint(await owned(c.get('merchantId'), c.req.param('id')))
      return c.body(null, 204)
    })
    .post('/:id/rotate-secret', async (c) => {
      const endpoint = await owned(c.get('merchantId'), c.req.param('id'))
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
      return c.json({ id: endpoint.id, secret, previousSecretExpiresAt: expiresAt })
    })
    .get('/:id/deliveries', async (c) => {
      const endpoint = await owned(c.get('merchantId'), c.req.param('id'))
      const query = parseWith(DeliveriesQuerySchema, c.req.query())
      const deliveries = await deps.webhooks.listDeliveries(
        endpoint.id,
        query.limit,
        query.before ? Date.parse(query.before) : undefined,
      )
      return c.json({ data: deliveries.map(({ body: _body, ...delivery }) => delivery) })
    })
    .post('/:id/deliveries/:deliveryId/redeliver', async (c) => {
      const endpoint = await owned(c.get('merchantId'), c.req.param('id'))
      const delivery = await deps.webhooks.getDelivery(c.req.param('deliveryId'))
      if (!delivery || delivery.endpointId !== endpoint.id)
        throw new ApiError('not_found', 'no such delivery')
      await deps.webhooks.requestRedelivery(delivery.id)
      return c.json({ id: delivery.id, redelivery: 'queued' }, 202)
    })
}
