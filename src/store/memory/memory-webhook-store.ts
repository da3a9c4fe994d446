import {
  ATTEMPTS_KEPT,
  DELIVERIES_KEPT_PER_ENDPOINT,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookStore,
} from '../webhook-store.js'

/** The memory twin of the Redis webhook store: same port, documents kept as JSON text like there. */
export interface MemoryWebhookStore extends WebhookStore {
  /** Drops a tracking's shopper subscriptions: what deleting the tracking does in Redis. */
  forgetTracking(trackingId: string): void
  /** The delivery ids whose redelivery was asked, in order (the Redis store appends them to the outbox). */
  redeliveryRequests(): string[]
}

export interface MemoryWebhookStoreOptions {
  /** Whether a tracking still exists: a subscription to one that is gone is refused. */
  trackingExists(trackingId: string): Promise<boolean>
}

const parse = <T>(doc: string | undefined): T | undefined => (doc ? (JSON.parse(doc) as T) : undefined)

export function createMemoryWebhookStore(options: MemoryWebhookStoreOptions): MemoryWebhookStore {
  const endpoints = new Map<string, string>()
  const merchantIndex = new Map<string, Set<string>>()
  const trackingIndex = new Map<string, Set<string>>()
  const deliveries = new Map<string, string>()
  const deliveryIndex = new Map<string, Array<{ id: string; atMs: number }>>()
  const redeliveries: string[] = []

  const indexOf = (map: Map<string, Set<string>>, id: string) => {
    const ids = map.get(id) ?? new Set<string>()
    map.set(id, ids)
    return ids
  }
  const endpointsIn = (ids: Iterable<string> | undefined) =>
    [...(ids ?? [])].sort().flatMap((id) => parse<WebhookEndpoint>(endpoints.get(id)) ?? [])
  /** Newest first, then by id descending: the order of a Redis sorted set read in reverse. */
  const newestFirst = (a: { id: string; atMs: number }, b: { id: string; atMs: number }) =>
    b.atMs - a.atMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

  function update<T>(documents: Map<string, string>, id: string, change: (current: T) => T | undefined) {
    const current = parse<T>(documents.get(id))
    if (!current) return undefined
    const changed = change(current)
    if (!changed) return current
    documents.set(id, JSON.stringify(changed))
    return changed
  }

  return {
    async createEndpoint(endpoint) {
      if (endpoint.trackingId) {
        if (!(await options.trackingExists(endpoint.trackingId))) return false
        indexOf(trackingIndex, endpoint.trackingId).add(endpoint.id)
      } else {
        indexOf(merchantIndex, endpoint.merchantId).add(endpoint.id)
      }
      endpoints.set(endpoint.id, JSON.stringify(endpoint))
      return true
    },

    async getEndpoint(id) {
      return parse<WebhookEndpoint>(endpoints.get(id))
    },

    async updateEndpoint(id, change) {
      return update(endpoints, id, change)
    },

    async deleteEndpoint(endpoint) {
      endpoints.delete(endpoint.id)
      const index = endpoint.trackingId
        ? trackingIndex.get(endpoint.trackingId)
        : merchantIndex.get(endpoint.merchantId)
      index?.delete(endpoint.id)
    },

    async listEndpoints(scope) {
      return endpointsIn(
        'trackingId' in scope ? trackingIndex.get(scope.trackingId) : merchantIndex.get(scope.merchantId),
      )
    },

    async endpointsOf(scopes) {
      return {
        ofMerchant: new Map(scopes.merchantIds.map((id) => [id, endpointsIn(merchantIndex.get(id))])),
        ofTracking: new Map(scopes.trackingIds.map((id) => [id, endpointsIn(trackingIndex.get(id))])),
      }
    },

    async createDeliveries(created) {
      const touched = new Set<string>()
      const docs = created.map((delivery) => {
        if (deliveries.has(delivery.id)) return undefined
        const doc = JSON.stringify(delivery)
        deliveries.set(delivery.id, doc)
        const index = deliveryIndex.get(delivery.endpointId) ?? []
        deliveryIndex.set(delivery.endpointId, index)
        if (!index.some(({ id }) => id === delivery.id))
          index.push({ id: delivery.id, atMs: Date.parse(delivery.createdAt) })
        touched.add(delivery.endpointId)
        return doc
      })
      for (const endpointId of touched) {
        const index = deliveryIndex.get(endpointId) ?? []
        deliveryIndex.set(endpointId, index.sort(newestFirst).slice(0, DELIVERIES_KEPT_PER_ENDPOINT))
      }
      return docs
    },

    async getDelivery(id) {
      return parse<WebhookDelivery>(deliveries.get(id))
    },

    async loadDelivery(deliveryId) {
      const stored = deliveries.get(deliveryId)
      const delivery = parse<WebhookDelivery>(stored)
      if (!stored || !delivery) return undefined
      return { delivery, stored, endpoint: parse<WebhookEndpoint>(endpoints.get(delivery.endpointId)) }
    },

    async recordAttempt(id, attempt, state) {
      update<WebhookDelivery>(deliveries, id, (delivery) => ({
        ...delivery,
        attempts: [...delivery.attempts, attempt].slice(-ATTEMPTS_KEPT),
        state,
      }))
    },

    async requestRedelivery(id) {
      redeliveries.push(id)
    },

    async listDeliveries(endpointId, limit, beforeMs) {
      return (deliveryIndex.get(endpointId) ?? [])
        .filter(({ atMs }) => beforeMs === undefined || atMs < beforeMs)
        .sort(newestFirst)
        .slice(0, limit)
        .flatMap(({ id }) => parse<WebhookDelivery>(deliveries.get(id)) ?? [])
    },

    forgetTracking(trackingId) {
      for (const id of trackingIndex.get(trackingId) ?? []) endpoints.delete(id)
      trackingIndex.delete(trackingId)
    },

    redeliveryRequests() {
      return [...redeliveries]
    },
  }
}
