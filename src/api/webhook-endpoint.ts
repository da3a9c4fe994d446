import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { WEBHOOK_EVENT_TYPES } from '../domain/webhook-events.js'
import type { WebhookEndpoint } from '../store/webhook-store.js'
import { createWebhookSecret } from '../webhooks/sign.js'
import type { AppDeps } from './app.js'
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

/** Validates the URL (SSRF guard) and builds a new endpoint with a fresh `whsec_` secret. */
export async function buildEndpoint(
  deps: AppDeps,
  input: z.output<typeof CreateEndpointSchema>,
  owner: { merchantId: string; trackingId?: string },
  now: Date,
): Promise<WebhookEndpoint> {
  const check = await deps.checkWebhookUrl(input.url)
  if (!check.ok) throw new ApiError('invalid_webhook_url', check.reason)
  const createdAt = now.toISOString()
  return {
    id: `whk_${randomBytes(15).toString('base64url').replace(/[-_]/g, 'x')}`,
    ...owner,
    url: input.url,
    events: input.events ?? [...WEBHOOK_EVENT_TYPES],
    description: input.description,
    secrets: [{ secret: createWebhookSecret(), createdAt }],
    createdAt,
  }
}
