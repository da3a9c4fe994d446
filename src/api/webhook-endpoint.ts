import { z } from '@hono/zod-openapi'
import { WEBHOOK_EVENT_TYPES } from '../domain/webhook-events.js'
import { createId } from '../store/record-ids.js'
import type { WebhookEndpoint } from '../store/webhook-store.js'
import { createWebhookSecret } from '../webhooks/sign.js'
import type { AppDeps } from './app-deps.js'
import { ApiError } from './problem.js'

export const CreateEndpointSchema = z
  .object({
    url: z.string().min(1).max(2048),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1)
      .refine((events) => new Set(events).size === events.length, { message: 'events must not repeat' })
      .optional(),
    description: z.string().max(256).optional(),
  })
  .strict()
  .openapi('CreateWebhookEndpoint', {
    example: { url: 'https://shop.example/hooks/colis', events: ['tracking.status_changed'] },
  })

export const WebhookEndpointSchema = z
  .object({
    id: z.string().openapi({ example: 'whk_4bq0x7kz2mYp1rT9sVw3' }),
    url: z.string().openapi({ example: 'https://shop.example/hooks/colis' }),
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    description: z.string().optional(),
    trackingId: z.string().optional().describe('Set on a shopper subscription: the tracking it follows'),
    createdAt: z.iso.datetime({ offset: true }),
    disabledAt: z.iso.datetime({ offset: true }).optional(),
    disabledReason: z.string().optional(),
  })
  .openapi('WebhookEndpoint')

export const CreatedWebhookEndpointSchema = WebhookEndpointSchema.extend({
  secret: z
    .string()
    .describe('Signing secret (Standard Webhooks); shown only here and at rotation')
    .openapi({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).openapi('CreatedWebhookEndpoint')

/** The endpoint as the API shows it: never its secrets (given once, at creation or rotation). */
export function toEndpointView(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    trackingId: endpoint.trackingId,
    createdAt: endpoint.createdAt,
    disabledAt: endpoint.disabledAt,
    disabledReason: endpoint.disabledReason,
  }
}

/** The endpoint as its creator sees it once: with its signing secret. */
export function toCreatedEndpointView(endpoint: WebhookEndpoint, secret: string) {
  return { ...toEndpointView(endpoint), secret }
}

/** Validates the URL (SSRF guard) and builds a new endpoint with a fresh `whsec_` secret. */
export async function buildEndpoint(
  deps: AppDeps,
  input: z.output<typeof CreateEndpointSchema>,
  owner: { merchantId: string; trackingId?: string },
  now: Date,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const check = await deps.checkWebhookUrl(input.url)
  if (!check.ok) throw new ApiError('invalid_webhook_url', check.reason)
  const createdAt = now.toISOString()
  const secret = createWebhookSecret()
  const endpoint = {
    id: createId('whk'),
    ...owner,
    url: input.url,
    events: input.events ?? [...WEBHOOK_EVENT_TYPES],
    description: input.description,
    secrets: [{ secret, createdAt }],
    createdAt,
  }
  return { endpoint, secret }
}
