import { Hono } from 'hono'
import type { Metrics } from '../metrics.js'
import { presentedToken, tokenMatches } from './middleware/bearer-token.js'
import { ApiError } from './problem.js'

export interface MetricsRouteDeps {
  metrics: Pick<Metrics, 'render'>
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  token?: string
}

/** `GET /metrics`: the Prometheus text exposition of this process's registry. */
export function metricsRoute(deps: MetricsRouteDeps) {
  return new Hono().get('/metrics', async (c) => {
    if (deps.token && !tokenMatches(presentedToken(c.req.header('authorization')), deps.token)) {
      throw new ApiError('metrics_unauthorized', 'send the metrics token as "Authorization: Bearer <token>"')
    }
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' })
  })
}
