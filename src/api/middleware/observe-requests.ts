import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'

/** Probes and scrapes: logged at debug, so they do not drown the access log. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics'])
const UNMATCHED_ROUTE = 'unmatched'

/**
 * The route pattern that answered (`/v1/trackings/:id`), never the raw path: metric labels must stay
 * few. Middleware (`app.use`) entries are `ALL` routes; the endpoint is the last route with a method.
 */
export function routeOf(c: Context): string {
  const endpoint = matchedRoutes(c).findLast((route) => route.method !== 'ALL')
  return endpoint?.path ?? UNMATCHED_ROUTE
}

/**
 * One JSON log line per request (request id, method, route, path, status, duration) and the request
 * metrics. Registered right after the request id middleware, so it sees every answer, errors included.
 */
export function observeRequests(deps: {
  logger: Logger
  metrics?: Pick<Metrics, 'httpRequests' | 'httpDuration'>
  clientAddress?: (c: Context) => string
}): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const started = performance.now()
    await next()
    const seconds = (performance.now() - started) / 1000
    const status = c.res.status
    const route = routeOf(c)
    deps.metrics?.httpRequests.inc({ method: c.req.method, route, status: String(status) })
    deps.metrics?.httpDuration.observe({ method: c.req.method, route }, seconds)
    const line = {
      requestId: c.get('requestId'),
      method: c.req.method,
      route,
      path: c.req.path,
      status,
      durationMs: Math.round(seconds * 100_000) / 100,
      ...(deps.clientAddress ? { client: deps.clientAddress(c) } : {}),
    }
    if (QUIET_PATHS.has(c.req.path)) deps.logger.debug(line, 'request')
    else if (status >= 500) deps.logger.warn(line, 'request')
    else deps.logger.info(line, 'request')
  }
}
