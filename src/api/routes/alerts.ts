import { Hono } from 'hono'
import { z } from 'zod'
import { ALERT_TYPES } from '../../domain/delay-alerts.js'
import { InvalidCursorError } from '../../store/tracking-store.js'
import type { ApiEnv, AppDeps } from '../app.js'
import { ApiError } from '../problem.js'
import { parseWith } from '../validation.js'

const AlertQuerySchema = z.object({
  type: z.enum(ALERT_TYPES).optional(),
  state: z.enum(['open', 'resolved']).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
})

export function alertRoutes(deps: AppDeps) {
  return new Hono<ApiEnv>().get('/', async (c) => {
    const query = parseWith(AlertQuerySchema, c.req.query())
    try {
      const page = await deps.store.listAlerts(c.get('merchantId'), query)
      return c.json({ data: page.data, nextCursor: page.nextCursor ?? null })
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new ApiError('invalid_cursor', error.message)
      throw error
    }
  })
}
