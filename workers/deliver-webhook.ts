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
import { retryDelayMs } from '../src/webhooks/retry-schedule.js'
import { sendWebhook } from '../src/webhooks/send-webhook.js'
import { webhookHeaders } from '../src/webhooks/sign.js'
import type { DeliveryJobData } from './jobs.js'

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

/**
 * The delivery worker's BullMQ backoff: the webhook schedule (honouring the receiver's Retry-After),
 * counting the relay's first attempt for a job that retries it. -1 once every attempt is used.
 */
export function deliveryBackoff(factor: number) {
  return (attemptsMade: number, _type?: string, error?: Error, job?: { data: unknown }): number =>
    retryDelayMs(attemptsMade + ((job?.data as DeliveryJobData | undefined)?.attemptsBefore ?? 0), {
      factor,
      retryAfterMs: error instanceof RetryableDeliveryError ? error.retryAfterMs : undefined,
    }) ?? -1
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

/**
 * What an attempt ended in. `retry`: the delivery stays pending and needs another attempt on the
 * schedule; `gone` and `failed` are final, as is `endpoint_disabled`.
 */
export type AttemptVerdict =
  | { state: 'delivered' | 'endpoint_disabled' | 'failed'; reason?: string }
  | { state: 'retry'; reason: string; retryAfterMs?: number }

/** What an attempt needs: the delivery, its document as stored (for the compare-and-set), its endpoint. */
export interface AttemptTarget {
  delivery: WebhookDelivery
  stored: string
  endpoint?: WebhookEndpoint
}

/**
 * One delivery attempt, signed with every active secret of the endpoint (two during a rotation), and
 * recorded. `attemptNumber` (1-based) tells whether it is the last one allowed. Shared by the relay's
 * first attempts and the delivery worker's retries.
 */
export async function attemptDelivery(
  target: AttemptTarget,
  attemptNumber: number,
  deps: DeliveryDeps,
): Promise<AttemptVerdict> {
  const { delivery, stored, endpoint } = target
  const record = (attempt: DeliveryAttempt, state: WebhookDelivery['state']) =>
    deps.webhooks.recordAttempt(delivery.id, attempt, state, stored)
  const nowMs = (deps.now ?? Date.now)()
  const nowIso = new Date(nowMs).toISOString()
  if (!endpoint || endpoint.disabledAt) {
    await record({ at: nowIso, durationMs: 0, error: 'endpoint disabled or deleted' }, 'endpoint_disabled')
    return { state: 'endpoint_disabled' }
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
    return { state: 'delivered' }
  }
  if (result.outcome === 'gone') {
    await record(attempt, 'endpoint_disabled')
    await disable(deps, endpoint, 'the endpoint answered 410 Gone', nowIso)
    return { state: 'endpoint_disabled', reason: '410 Gone: endpoint disabled' }
  }
  if (result.outcome === 'failed') {
    await record(attempt, 'failed')
    return { state: 'failed', reason: result.error ?? 'the endpoint URL cannot be used' }
  }
  const failingSince = endpoint.failingSince ?? nowIso
  if (nowMs - Date.parse(failingSince) >= deps.disableAfterMs) {
    await record(attempt, 'endpoint_disabled')
    await disable(deps, endpoint, 'every delivery failed for too long', nowIso)
    return { state: 'endpoint_disabled', reason: 'endpoint disabled after failing for too long' }
  }
  if (!endpoint.failingSince)
    await deps.webhooks.updateEndpoint(endpoint.id, (current) =>
      current.failingSince ? undefined : { ...current, failingSince },
    )
  const last = attemptNumber >= deps.attempts
  await record(attempt, last ? 'failed' : 'pending')
  return {
    state: 'retry',
    reason: result.error ?? `receiver answered ${result.statusCode ?? 'nothing'}`,
    retryAfterMs: result.retryAfterMs,
  }
}

/**
 * A delivery job: a retry of a first attempt the relay made, a delivery the relay had no room to
 * attempt itself, a replayed outbox entry, or a redelivery asked through the API. BullMQ retries it
 * on the webhook schedule while the verdict is `retry`.
 */
export async function processDeliveryJob(
  job: { data: DeliveryJobData; attemptsMade: number },
  deps: DeliveryDeps,
): Promise<WebhookDelivery['state']> {
  const loaded = await deps.webhooks.loadDelivery(job.data.deliveryId, job.data.endpointId)
  if (!loaded) return 'failed'
  // A replayed entry whose delivery was settled before the replay (by the relay that died): nothing to do.
  if (!job.data.redelivery && loaded.delivery.state !== 'pending') return loaded.delivery.state
  const verdict = await attemptDelivery(loaded, (job.data.attemptsBefore ?? 0) + job.attemptsMade + 1, deps)
  if (verdict.state === 'retry') throw new RetryableDeliveryError(verdict.reason, verdict.retryAfterMs)
  if (verdict.reason) throw new UnrecoverableError(verdict.reason)
  return verdict.state
}
