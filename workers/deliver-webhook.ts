import { UnrecoverableError } from 'bullmq'
import type { Dispatcher } from 'undici'
import type { Logger } from '../src/logger.js'
import type { Metrics } from '../src/metrics.js'
import type {
  DeliveryAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookStore,
} from '../src/store/webhook-store.js'
import { sendWebhook } from '../src/webhooks/send-webhook.js'
import { webhookHeaders } from '../src/webhooks/sign.js'
import type { DeliveryJobData } from './relay-outbox.js'

/** A failed attempt that BullMQ retries on the webhook schedule (honouring the receiver's Retry-After). */
export class RetryableDeliveryError extends Error {
  override readonly name = 'RetryableDeliveryError'
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}

export interface DeliveryDeps {
  webhooks: WebhookStore
  dispatcher: Dispatcher
  timeoutMs: number
  /** An endpoint failing every attempt for this long is disabled (5 days by default). */
  disableAfterMs: number
  /** Attempts in all (the first one included). */
  attempts: number
  logger: Logger
  now?: () => number
  metrics?: Pick<Metrics, 'webhookDeliveries' | 'webhookDuration'>
}

function activeSecrets(endpoint: WebhookEndpoint, nowMs: number): string[] {
  return endpoint.secrets
    .filter((secret) => !secret.expiresAt || Date.parse(secret.expiresAt) > nowMs)
    .map((secret) => secret.secret)
}

async function disable(deps: DeliveryDeps, endpoint: WebhookEndpoint, reason: string, nowIso: string) {
  deps.logger.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled')
  // Changes only these fields of the endpoint as it is now (a rotation may have happened meanwhile).
  await deps.webhooks.updateEndpoint(endpoint.id, (current) =>
    current.disabledAt ? undefined : { ...current, disabledAt: nowIso, disabledReason: reason },
  )
}

/** One delivery attempt, signed with every active secret of the endpoint (two during a rotation). */
export async function processDeliveryJob(
  job: { data: DeliveryJobData; attemptsMade: number },
  deps: DeliveryDeps,
): Promise<WebhookDelivery['state']> {
  const loaded = await deps.webhooks.loadDelivery(job.data.deliveryId, job.data.endpointId)
  if (!loaded) return 'failed'
  const { delivery, stored, endpoint } = loaded
  const record = (attempt: DeliveryAttempt, state: WebhookDelivery['state']) =>
    deps.webhooks.recordAttempt(delivery.id, attempt, state, stored)
  const nowMs = (deps.now ?? Date.now)()
  const nowIso = new Date(nowMs).toISOString()
  if (!endpoint || endpoint.disabledAt) {
    await record({ at: nowIso, durationMs: 0, error: 'endpoint disabled or deleted' }, 'endpoint_disabled')
    return 'endpoint_disabled'
  }
  const headers = webhookHeaders({
    id: delivery.messageId,
    timestampSeconds: Math.floor(nowMs / 1000),
    body: delivery.body,
    secrets: activeSecrets(endpoint, nowMs),
  })
  const result = await sendWebhook({
    url: endpoint.url,
    headers,
    body: delivery.body,
    dispatcher: deps.dispatcher,
    timeoutMs: deps.timeoutMs,
  })
  deps.metrics?.webhookDeliveries.inc({ outcome: result.outcome })
  deps.metrics?.webhookDuration.observe({ outcome: result.outcome }, result.durationMs / 1000)
  const attempt = {
    at: nowIso,
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    error: result.error,
  }

  if (result.outcome === 'delivered') {
    await record(attempt, 'delivered')
    if (endpoint.failingSince)
      await deps.webhooks.updateEndpoint(endpoint.id, (current) =>
        current.failingSince ? { ...current, failingSince: undefined } : undefined,
      )
    return 'delivered'
  }
  if (result.outcome === 'gone') {
    await record(attempt, 'endpoint_disabled')
    await disable(deps, endpoint, 'the endpoint answered 410 Gone', nowIso)
    throw new UnrecoverableError('410 Gone: endpoint disabled')
  }
  if (result.outcome === 'failed') {
    await record(attempt, 'failed')
    throw new UnrecoverableError(result.error ?? 'the endpoint URL cannot be used')
  }
  const failingSince = endpoint.failingSince ?? nowIso
  if (nowMs - Date.parse(failingSince) >= deps.disableAfterMs) {
    await record(attempt, 'endpoint_disabled')
    await disable(deps, endpoint, 'every delivery failed for too long', nowIso)
    throw new UnrecoverableError('endpoint disabled after failing for too long')
  }
  if (!endpoint.failingSince)
    await deps.webhooks.updateEndpoint(endpoint.id, (current) =>
      current.failingSince ? undefined : { ...current, failingSince },
    )
  const last = job.attemptsMade + 1 >= deps.attempts
  await record(attempt, last ? 'failed' : 'pending')
  throw new RetryableDeliveryError(
    result.error ?? `receiver answered ${result.statusCode ?? 'nothing'}`,
    result.retryAfterMs,
  )
}
