import { Webhook } from 'standardwebhooks'
import { expect } from 'vitest'
import { eventually, type Harness } from './harness.js'
import type { ReceivedWebhook, startWebhookReceiver } from './webhook-receiver.js'

export type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>

export interface TrackingView {
  id: string
  status: string
  events: Array<{ id: string }>
  [field: string]: unknown
}

export interface Payload {
  type: string
  timestamp: string
  data: {
    tracking: TrackingView
    newEvents?: Array<{ id: string }>
    alert?: unknown
    sequence: number
  }
}

export interface CreatedEndpoint {
  id: string
  url: string
  events: string[]
  secret: string
  trackingId?: string
}

export interface EndpointView {
  id: string
  url: string
  events: string[]
  trackingId?: string
  disabledAt?: string
  disabledReason?: string
  secret?: string
}

export interface Delivery {
  id: string
  endpointId: string
  messageId: string
  type: string
  trackingId: string
  createdAt: string
  state: string
  attempts: Array<{ at: string; statusCode?: number; durationMs: number; error?: string }>
}

export const payloadOf = (request: ReceivedWebhook) => JSON.parse(request.body) as Payload
export const headersOf = (request: ReceivedWebhook) => request.headers as Record<string, string>
export const webhookId = (request: ReceivedWebhook) => String(request.headers['webhook-id'])
export const signaturesOf = (request: ReceivedWebhook) =>
  String(request.headers['webhook-signature']).split(' ')

/** Requests grouped by `webhook-id`, in the order they arrived. */
export function byWebhookId(received: readonly ReceivedWebhook[]): Map<string, ReceivedWebhook[]> {
  const groups = new Map<string, ReceivedWebhook[]>()
  for (const request of received) {
    const group = groups.get(webhookId(request)) ?? []
    group.push(request)
    groups.set(webhookId(request), group)
  }
  return groups
}

/** Every request verifies with `secret` (an independent implementation: the standardwebhooks package). */
export function expectAllVerify(received: readonly ReceivedWebhook[], secret: string) {
  expect(received.length).toBeGreaterThan(0)
  const webhook = new Webhook(secret)
  for (const request of received) {
    expect(() => webhook.verify(request.body, headersOf(request))).not.toThrow()
  }
}

/** The answer of one receiver: `first` the first time a webhook-id comes, 200 afterwards. */
export function failFirstAttempt<T>(first: T) {
  const seen = new Set<string>()
  return (request: ReceivedWebhook) => {
    const id = webhookId(request)
    if (seen.has(id)) return 200
    seen.add(id)
    return first
  }
}

export function api(harness: () => Harness) {
  async function json<T>(key: string, path: string, init?: RequestInit, status = 200): Promise<T> {
    const response = await harness().request(key, path, init)
    const text = await response.text()
    expect(response.status, `${init?.method ?? 'GET'} ${path}: ${text}`).toBe(status)
    return (text ? JSON.parse(text) : undefined) as T
  }
  return {
    json,
    async merchant(name: string): Promise<string> {
      return (await harness().apiKeys.create(name)).key
    },
    subscribe(key: string, url: string, events?: string[]): Promise<CreatedEndpoint> {
      return json(key, '/v1/webhooks', { method: 'POST', body: JSON.stringify({ url, events }) }, 201)
    },
    async register(key: string, trackingNumber: string): Promise<string> {
      const created = await json<{ id: string }>(
        key,
        '/v1/trackings',
        { method: 'POST', body: JSON.stringify({ trackingNumber, carrier: 'sandbox' }) },
        201,
      )
      return created.id
    },
    tracking: (key: string, id: string) => json<TrackingView>(key, `/v1/trackings/${id}`),
    endpoint: (key: string, id: string) => json<EndpointView>(key, `/v1/webhooks/${id}`),
    async deliveries(key: string, endpointId: string): Promise<Delivery[]> {
      return (await json<{ data: Delivery[] }>(key, `/v1/webhooks/${endpointId}/deliveries?limit=100`)).data
    },
  }
}

/** Waits for the last notification of a DELIVERED journey (its status_changed to delivered) at `receiver`. */
export function journeyEnd(receiver: Receiver, trackingId: string, timeoutMs = 30_000) {
  return eventually(
    async () => receiver.received.map(payloadOf),
    (payloads) =>
      payloads.some(
        (payload) =>
          payload.type === 'tracking.status_changed' &&
          payload.data.tracking.id === trackingId &&
          payload.data.tracking.status === 'delivered',
      ),
    timeoutMs,
  )
}
