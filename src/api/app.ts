import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import { throttleErrorLog } from '../log-throttle.js'
import { isRedirection } from '../redis/redis-client.js'
import { adminRoutes } from './admin/admin-routes.js'
import { serveApiDocs } from './api-docs.js'
import type { AppDeps } from './app-deps.js'
import { MAX_LOGO_BYTES } from './branding/logo-upload.js'
import { DASHBOARD_PATH, dashboardRoutes } from './dashboard/dashboard-routes.js'
import { metricsRoute } from './metrics-route.js'
import { authenticateApiKey, createKeyCache } from './middleware/authenticate.js'
import { clientAddress } from './middleware/client-address.js'
import { observeRequests } from './middleware/observe-requests.js'
import { createAuthFailureGuard, limitPerApiKey, throttleFailedAuth } from './middleware/rate-limit.js'
import { describeAdminRoutes, describeMetricsRoute } from './operator-routes-docs.js'
import { ApiError, problemResponse } from './problem.js'
import { keepRecentMerchantSettings } from './recent-merchant-settings.js'
import { createRouter } from './router.js'
import { alertRoutes } from './routes/alerts.js'
import {
  ANALYTICS_PATH,
  analyticsRoutes,
  isOperatorAnalyticsPath,
  OPERATOR_ANALYTICS_PATH,
  operatorAnalyticsRoutes,
} from './routes/analytics.js'
import { carrierRoutes } from './routes/carriers.js'
import { emailNotificationRoutes } from './routes/email-notifications.js'
import { healthRoutes } from './routes/health.js'
import { logoAssetRoutes } from './routes/logo-assets.js'
import { LOGO_UPLOAD_PATH, MERCHANT_PATH, merchantRoutes } from './routes/merchant.js'
import { subscriptionRoutes } from './routes/subscriptions.js'
import { trackingRoutes } from './routes/trackings.js'
import { isUnknownCodesPath, unknownCodeRoutes } from './routes/unknown-codes.js'
import { unsubscribeRoutes } from './routes/unsubscribe.js'
import { webhookRoutes } from './routes/webhooks.js'
import { ORDER_LOOKUP_PATH, orderLookupRoutes } from './tracking-page/order-lookup-routes.js'
import { trackingPageRoutes } from './tracking-page/page-routes.js'
import { TRACKING_PAGES_PATH } from './tracking-page/page-url.js'

const BODY_LIMIT_BYTES = 64 * 1024
/** `POST /v1/trackings/batch` takes up to 1000 registrations at once. */
const BATCH_BODY_LIMIT_BYTES = 1024 * 1024
const BATCH_PATH = '/v1/trackings/batch'

function limitBodies(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError('payload_too_large', `request bodies are limited to ${maxSize} bytes`)
    },
  })
}

/** How long a verified key is trusted without asking Redis (a revocation reaches other processes sooner, by pub/sub). */
const API_KEY_CACHE_MS = 5_000

/** How long a merchant's settings are used without asking Redis (a change made through another process shows within it). */
const MERCHANT_SETTINGS_CACHE_MS = 5_000

/**
 * Errors the Redis client raises when it cannot reach the server or a cluster slot has no master, a
 * slot still moving after the resends (REDIS_WAIT_REPLICAS' writes), and a write its replicas did not
 * confirm in time; and the replies of a Redis that is there but cannot serve for now: loading its
 * data (a replica resyncing after a failover), busy with a script, cut off from its master,
 * without the replicas `min-replicas-to-write` asks, or a replica that a write reached.
 */
function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  return (
    isRedirection(error) ||
    /^(LOADING|BUSY|MASTERDOWN|NOREPLICAS|READONLY) /.test(error.message) ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|ETIMEDOUT|ECONNRESET|MaxRetriesPerRequest|Stream isn't writeable|Command timed out|CLUSTERDOWN|Too many Cluster redirections|refresh slots cache/i.test(
      error.message,
    ) ||
    ['MaxRetriesPerRequestError', 'RedisStalledError', 'ReplicaWaitError'].includes(error.name)
  )
}

/** An API-key middleware of `/v1`, left out on the operator routes under it (which take the admin token). */
function forMerchants(middleware: MiddlewareHandler): MiddlewareHandler {
  return (c, next) =>
    isUnknownCodesPath(c.req.path) || isOperatorAnalyticsPath(c.req.path) ? next() : middleware(c, next)
}

export function createApp(appDeps: AppDeps) {
  const deps: AppDeps = {
    ...appDeps,
    merchantSettings: keepRecentMerchantSettings(
      appDeps.merchantSettings,
      appDeps.merchantSettingsCacheMs ?? MERCHANT_SETTINGS_CACHE_MS,
    ),
  }
  const app = createRouter()
  app.use(requestId({ headerName: 'x-request-id' }))
  app.use(
    observeRequests({
      logger: deps.logger,
      metrics: deps.metrics,
      clientAddress: (c) => clientAddress(c, deps.trustProxy === true),
    }),
  )
  const limitBody = limitBodies(BODY_LIMIT_BYTES)
  const limitBatchBody = limitBodies(BATCH_BODY_LIMIT_BYTES)
  const limitLogoBody = limitBodies(MAX_LOGO_BYTES)
  const bodyLimitOf = (path: string) =>
    path === BATCH_PATH ? limitBatchBody : path === LOGO_UPLOAD_PATH ? limitLogoBody : limitBody
  app.use('*', (c, next) => {
    // GET and HEAD carry no body; asking for one would make @hono/node-server build a whole Request.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next()
    return bodyLimitOf(c.req.path)(c, next)
  })
  app.route('/', healthRoutes(deps))
  app.route('/', logoAssetRoutes(deps))
  // Public: shoppers follow it from an e-mail; the link's token is its only credential.
  app.route('/unsubscribe', unsubscribeRoutes(deps))
  serveApiDocs(app)

  const keyCache = createKeyCache(deps.apiKeyCacheMs ?? API_KEY_CACHE_MS)
  const trustProxy = deps.trustProxy === true
  const guard = deps.rateLimits
    ? createAuthFailureGuard(deps.rateLimits, { metrics: deps.metrics })
    : undefined
  if (guard) {
    const throttle = throttleFailedAuth(guard, { trustProxy })
    if (deps.admin) {
      app.use('/admin/*', throttle)
      app.use('/v1/carriers/:id/unknown-codes', throttle)
      app.use(`${OPERATOR_ANALYTICS_PATH}/*`, throttle)
    }
    if (deps.metrics && deps.metricsToken) app.use('/metrics', throttle)
  }
  app.use(
    '/v1/*',
    forMerchants(
      authenticateApiKey({ verify: (key) => deps.apiKeys.verify(key), cache: keyCache, guard, trustProxy }),
    ),
  )
  if (deps.rateLimits) {
    app.use(
      '/v1/*',
      forMerchants(limitPerApiKey(deps.rateLimits, (c) => c.get('apiKeyId'), { metrics: deps.metrics })),
    )
  }
  deps.onApiKeyRevoked?.((keyId) => keyCache.forget(keyId))
  app.route('/v1/trackings', trackingRoutes(deps))
  app.route('/v1/trackings', subscriptionRoutes(deps))
  app.route('/v1/trackings', emailNotificationRoutes(deps))
  app.route('/v1/carriers', carrierRoutes(deps))
  app.route('/v1/carriers', unknownCodeRoutes(deps))
  app.route('/v1/alerts', alertRoutes(deps))
  app.route('/v1/webhooks', webhookRoutes(deps))
  app.route(ANALYTICS_PATH, analyticsRoutes(deps))
  app.route(OPERATOR_ANALYTICS_PATH, operatorAnalyticsRoutes(deps))
  app.route(TRACKING_PAGES_PATH, trackingPageRoutes(deps, guard))
  app.route(ORDER_LOOKUP_PATH, orderLookupRoutes(deps, guard))
  if (deps.dashboard) app.route(DASHBOARD_PATH, dashboardRoutes(deps, deps.dashboard, guard))
  app.route(MERCHANT_PATH, merchantRoutes(deps))

  if (deps.metrics) {
    app.route('/', metricsRoute({ metrics: deps.metrics, token: deps.metricsToken }))
    describeMetricsRoute(app.openAPIRegistry, { token: deps.metricsToken !== undefined })
  }
  if (deps.admin) {
    app.route(
      '/admin',
      adminRoutes(deps.admin, (keyId) => keyCache.forget(keyId)),
    )
    describeAdminRoutes(app.openAPIRegistry, { queueBoard: deps.admin.boardQueues !== undefined })
  }

  app.notFound((c) => problemResponse(c, new ApiError('route_not_found', `${c.req.method} ${c.req.path}`)))
  // Once per distinct error and minute: during an outage every request fails the same way (each
  // one's 503 is in its request line).
  const logRedisUnavailable = throttleErrorLog(deps.logger, 'redis unavailable: answering 503')
  app.onError((error, c) => {
    if (error instanceof ApiError) return problemResponse(c, error)
    if (isRedisUnavailable(error)) {
      logRedisUnavailable(error)
      return problemResponse(c, new ApiError('redis_unavailable', 'try again in a few seconds'))
    }
    deps.logger.error({ err: error, requestId: c.get('requestId'), path: c.req.path }, 'unhandled API error')
    return problemResponse(c, new ApiError('internal'))
  })
  return app
}
