import { Hono } from 'hono'
import type { ApiEnv, AppDeps } from '../app.js'
import { ApiError } from '../problem.js'

const READY_TIMEOUT_MS = 1_000

export function healthRoutes(deps: AppDeps) {
  return new Hono<ApiEnv>()
    .get('/healthz', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      try {
        await Promise.race([
          deps.pingRedis(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS).unref(),
          ),
        ])
      } catch {
        throw new ApiError('redis_unavailable', 'Redis does not answer')
      }
      return c.json({ status: 'ready' })
    })
}
