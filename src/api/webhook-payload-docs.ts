import { type OpenAPIHono, z } from '@hono/zod-openapi'
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../domain/webhook-events.js'
import { DelayAlertSchema, TrackingEventSchema, TrackingSchema } from './tracking-view-schema.js'

type Registry = OpenAPIHono['openAPIRegistry']

const SIGNATURE_HEADERS = z.object({
  'webhook-id': z
    .string()
    .describe('The same on every attempt of one delivery: deduplicate on it')
    .openapi({ example: 'msg_1773045480123x0' }),
  'webhook-timestamp': z
    .string()
    .describe('Seconds since the epoch, of this attempt')
    .openapi({ example: '1773045480' }),
  'webhook-signature': z
    .string()
    .describe(
      '`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` with the endpoint secret; two, space-separated, while a secret rotates',
    )
    .openapi({ example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }),
})

/** What each event adds to the tracking it is about. */
const EXTRA_BY_TYPE: Record<WebhookEventType, { description: string; data: z.ZodRawShape }> = {
  'tracking.updated': {
    description: 'New carrier events were added to a tracking.',
    data: { newEvents: z.array(TrackingEventSchema).describe('The events this poll added, oldest first') },
  },
  'tracking.status_changed': {
    description:
      "A tracking's status changed (its new status is `data.tracking.status`; once `delivered`, " +
      "`data.tracking.consumerDeadlines` gives the shopper's deadlines).",
    data: {},
  },
  'tracking.forecast_changed': {
    description:
      "colis's delivery window for the parcel moved by a day or more (its new window is " +
      '`data.tracking.deliveryForecast`); not sent for the first window, which comes on the tracking ' +
      'with the change that made it. See docs/forecasts.md',
    data: {
      previousForecast: z
        .object({
          from: z.iso.date().describe('First day of the previous window (Paris date)'),
          to: z.iso.date().describe('Last day of the previous window (Paris date)'),
        })
        .describe('The window before this change'),
    },
  },
  'alert.opened': {
    description: 'A delay alert opened on a tracking (late, stalled, exception…).',
    data: { alert: DelayAlertSchema },
  },
  'alert.resolved': {
    description: 'A delay alert of a tracking was resolved.',
    data: { alert: DelayAlertSchema },
  },
}

const schemaName = (type: WebhookEventType) =>
  `${type
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')}Webhook`

/**
 * The `webhooks` section of /openapi.json: what colis POSTs to a merchant's endpoint for each event
 * type, signed per Standard Webhooks, and what it makes of the endpoint's answer.
 */
export function describeWebhookPayloads(registry: Registry): void {
  for (const type of WEBHOOK_EVENT_TYPES) {
    const extra = EXTRA_BY_TYPE[type]
    const payload = z
      .object({
        type: z.literal(type),
        timestamp: z.iso.datetime({ offset: true }).describe('When the change happened'),
        data: z.object({
          tracking: TrackingSchema,
          ...extra.data,
          sequence: z
            .number()
            .int()
            .describe(
              'Increases with each notification about this tracking: order deliveries, drop stale ones',
            ),
        }),
      })
      .openapi(schemaName(type))
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `on${schemaName(type).replace(/Webhook$/, '')}`,
      tags: ['Webhooks'],
      summary: `\`${type}\``,
      description: `${extra.description} Sent to every endpoint subscribed to \`${type}\`.`,
      security: [],
      request: {
        headers: SIGNATURE_HEADERS,
        body: { required: true, content: { 'application/json': { schema: payload } } },
      },
      responses: {
        200: {
          description:
            'Any 2xx: delivered. 410 disables the endpoint; 429 and 503 are retried after their Retry-After; anything else (redirects and timeouts included) is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, with jitter',
        },
      },
    })
  }
}
