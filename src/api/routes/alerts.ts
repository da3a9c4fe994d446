import { createRoute, z } from '@hono/zod-openapi'
import { ALERT_TYPES } from '../../domain/delay-alerts.js'
import { InvalidCursorError } from '../../store/tracking-store.js'
import type { AppDeps } from '../app-deps.js'
import { API_KEY_PROBLEMS, ApiError, problemResponses } from '../problem.js'
import { createRouter, jsonResponse } from '../router.js'
import { DelayAlertSchema } from '../tracking-view-schema.js'

const AlertQuerySchema = z.object({
  type: z.enum(ALERT_TYPES).optional(),
  state: z.enum(['open', 'resolved']).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
})

const AlertSchema = DelayAlertSchema.extend({ trackingId: z.string() }).openapi('Alert')

const listAlertsRoute = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listAlerts',
  tags: ['Alerts'],
  summary: 'List delay alerts',
  request: { query: AlertQuerySchema },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(AlertSchema), nextCursor: z.string().nullable() }),
      'A page of alerts',
    ),
    ...problemResponses(...API_KEY_PROBLEMS, 'validation_failed', 'invalid_cursor'),
  },
})

export function alertRoutes(deps: AppDeps) {
  return createRouter().openapi(listAlertsRoute, async (c) => {
    const query = c.req.valid('query')
    try {
      const page = await deps.store.listAlerts(c.get('merchantId'), query)
      return c.json({ data: page.data, nextCursor: page.nextCursor ?? null }, 200)
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new ApiError('invalid_cursor', error.message)
      throw error
    }
  })
}
