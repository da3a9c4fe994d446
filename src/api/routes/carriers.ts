import { Hono } from 'hono'
import { z } from 'zod'
import type { ApiEnv, AppDeps } from '../app.js'
import { parseWith } from '../validation.js'

const DetectQuerySchema = z.object({ number: z.string().min(1).max(64) })

export function carrierRoutes(deps: AppDeps) {
  return new Hono<ApiEnv>()
    .get('/', async (c) => {
      const carriers = deps.carriers.list()
      const failures = await deps.carrierFailures(carriers.map((carrier) => carrier.id))
      return c.json({
        data: carriers.map((carrier) => ({
          id: carrier.id,
          name: carrier.name,
          batchSize: carrier.batchSize,
          rateLimit: carrier.rateLimit,
          needsCredentials: carrier.needsCredentials,
          configured: carrier.configured,
          recentFailures: failures.get(carrier.id) ?? {},
        })),
      })
    })
    .get('/detect', (c) => {
      const { number } = parseWith(DetectQuerySchema, c.req.query())
      return c.json(deps.carriers.detect(number))
    })
}
