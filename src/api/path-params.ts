import { z } from '@hono/zod-openapi'
import { DELIVERY_ID, EMAIL_SUBSCRIPTION_ID, TRACKING_ID, WEBHOOK_ENDPOINT_ID } from '../store/record-ids.js'

/**
 * Path ids, each checked against the shape colis gives out before any store call. A path the shape
 * refuses is answered as an unknown id (404 `not_found`, with the message given here), see
 * `rejectInvalidInput`.
 */
export const TrackingId = z
  .string()
  .regex(TRACKING_ID, 'no such tracking')
  .openapi({ example: 'trk_7Hc2pQx9LmA4zR8tVb1N' })

export const WebhookEndpointId = z
  .string()
  .regex(WEBHOOK_ENDPOINT_ID, 'no such webhook endpoint')
  .openapi({ example: 'whk_4bq0x7kz2mYp1rT9sVw3' })

export const SubscriptionId = z
  .string()
  .regex(WEBHOOK_ENDPOINT_ID, 'no such subscription')
  .openapi({ example: 'whk_9Tq2LmZ0xPv7Kd3sRw1Y' })

export const DeliveryId = z
  .string()
  .regex(DELIVERY_ID, 'no such delivery')
  .openapi({ example: 'dlv_1764950400000x0_whk_4bq0x7kz2mYp1rT9sVw3' })

export const EmailNotificationId = z
  .string()
  .regex(EMAIL_SUBSCRIPTION_ID, 'no such notification')
  .openapi({ example: 'ntf_3kQ9xLm2Pz7Rt0VbW4sY' })
