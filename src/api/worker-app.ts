import { Hono } from 'hono'
import { requestId } from 'hono/request-id'
import type { ApiEnv } from './api-env.js'
import type { AppDeps } from './app-deps.js'
import { metricsRoute } from './metrics-route.js'
import { observeRequests } from './middleware/observe-requests.js'
import { ApiError, problemResponse } from './problem.js'
import { healthRoutes } from './routes/health.js'

export type WorkerAppDeps = Pick<AppDeps, 'pingRedis' | 'logger' | 'metrics' | 'metricsToken'>

/**
 * The HTTP surface of a `worker` process: the same /healthz and /readyz as the API (so one image
 * HEALTHCHECK fits every role), its /metrics, and nothing of /v1.
 */
export function createWorkerApp(deps: WorkerAppDeps) {
  const app = new Hono<ApiEnv>()
  // As on the API: every answer has a request id and a log line.
  app.use(requestId({ headerName: 'x-request-id' }))
  app.use(observeRequests({ logger: deps.logger, metrics: deps.metrics }))
  app.route('/', healthRoutes(deps))
  // The worker's own counters (polls, carrier errors, webhook deliveries); queue depths are the API's.
  if (deps.metrics) app.route('/', metricsRoute({ metrics: deps.metrics, token: deps.metricsToken }))
  app.notFound((c) => problemResponse(c, new ApiError('route_not_found', `${c.req.method} ${c.req.path}`)))
  app.onError((error, c) => {
    if (error instanceof ApiError) return problemResponse(c, error)
    deps.logger.error(
      { err: error, requestId: c.get('requestId'), path: c.req.path },
      'unhandled worker HTTP error',
    )
    return problemResponse(c, new ApiError('internal'))
  })
  return app
}
