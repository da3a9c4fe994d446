import { createRoute, z } from '@hono/zod-openapi'
import type { AppDeps } from '../app-deps.js'
import {
  CreateEmailNotificationSchema,
  EmailNotificationSchema,
  MAX_EMAIL_SUBSCRIPTIONS_PER_TRACKING,
  subscribeByEmail,
  toEmailNotificationView,
} from '../email-subscription.js'
import { EmailNotificationId, TrackingId } from '../path-params.js'
import { API_KEY_PROBLEMS, ApiError, problemResponses } from '../problem.js'
import { createRouter, jsonBody, jsonResponse } from '../router.js'
import { requireJsonBody } from '../validation.js'

const TrackingParams = z.object({ id: TrackingId })

const TAGS = ['Notifications']

const createNotificationRoute = createRoute({
  method: 'post',
  path: '/{id}/notifications',
  operationId: 'createNotification',
  tags: TAGS,
  summary: "E-mail the parcel's milestones to a shopper",
  description:
    'Each milestone is e-mailed once, in French or English, with a one-click unsubscribe link. At most ' +
    `${MAX_EMAIL_SUBSCRIPTIONS_PER_TRACKING} per tracking; they go away with the tracking, and NOTIFY_RETENTION ` +
    "after the parcel's life is over.",
  middleware: [requireJsonBody] as const,
  request: { params: TrackingParams, body: jsonBody(CreateEmailNotificationSchema) },
  responses: {
    201: jsonResponse(EmailNotificationSchema, 'Created'),
    ...problemResponses(
      ...API_KEY_PROBLEMS,
      'not_found',
      'invalid_json',
      'validation_failed',
      'payload_too_large',
      'unsupported_media_type',
      'email_not_configured',
      'too_many_notifications',
    ),
  },
})

const listNotificationsRoute = createRoute({
  method: 'get',
  path: '/{id}/notifications',
  operationId: 'listNotifications',
  tags: TAGS,
  summary: "List a tracking's e-mail notifications, with their delivery logs",
  request: { params: TrackingParams },
  responses: {
    200: jsonResponse(z.object({ data: z.array(EmailNotificationSchema) }), 'Oldest first'),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const deleteNotificationRoute = createRoute({
  method: 'delete',
  path: '/{id}/notifications/{notificationId}',
  operationId: 'deleteNotification',
  tags: TAGS,
  summary: 'Delete an e-mail notification, its address and its log',
  request: { params: TrackingParams.extend({ notificationId: EmailNotificationId }) },
  responses: {
    204: { description: 'Deleted' },
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

/** Shoppers' e-mail notifications of one tracking. Mounted under /v1/trackings. */
export function emailNotificationRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date())

  async function ownedTracking(merchantId: string, id: string) {
    const found = await deps.store.get(merchantId, id)
    if (!found) throw new ApiError('not_found', 'no such tracking')
    return found.record
  }

  return createRouter()
    .openapi(createNotificationRoute, async (c) => {
      const input = c.req.valid('json')
      const tracking = await ownedTracking(c.get('merchantId'), c.req.valid('param').id)
      const subscription = await subscribeByEmail(deps, tracking, input, now())
      return c.json(toEmailNotificationView(subscription, []), 201)
    })
    .openapi(listNotificationsRoute, async (c) => {
      const tracking = await ownedTracking(c.get('merchantId'), c.req.valid('param').id)
      const listed = await deps.emails.list(tracking.id)
      return c.json(
        {
          data: listed.map(({ subscription, deliveries }) =>
            toEmailNotificationView(subscription, deliveries),
          ),
        },
        200,
      )
    })
    .openapi(deleteNotificationRoute, async (c) => {
      const { id, notificationId } = c.req.valid('param')
      const tracking = await ownedTracking(c.get('merchantId'), id)
      if (!(await deps.emails.remove(tracking.id, notificationId)))
        throw new ApiError('not_found', 'no such notification')
      return c.body(null, 204)
    })
}
