import { createRoute, z } from '@hono/zod-openapi'
import type { AppDeps } from '../app-deps.js'
import { ApiError, problemResponses } from '../problem.js'
import { createRouter, jsonResponse } from '../router.js'

const READY_TIMEOUT_MS = 1_000

const TAGS = ['Health']

const livenessRoute = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getLiveness',
  tags: TAGS,
  summary: 'The process is alive',
  security: [],
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ok') }), 'Alive'),
    ...problemResponses(),
  },
})

const readinessRoute = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadiness',
  tags: TAGS,
  summary: 'Redis answers',
  description: `503 when Redis does not answer within ${READY_TIMEOUT_MS} ms.`,
  security: [],
  responses: {
    200: jsonResponse(z.object({ status: z.literal('ready') }), 'Ready'),
    ...problemResponses('redis_unavailable'),
  },
})

export function healthRoutes(deps: Pick<AppDeps, 'pingRedis'>) {
  return createRouter()
    .openapi(livenessRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readinessRoute, async (c) => {
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
      return c.json({ status: 'ready' as const }, 200)
    })
}
