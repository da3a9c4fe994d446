import { SHOPPER_MILESTONES } from '../../domain/shopper-milestones.js'
import {
  deliveryField,
  EMAIL_ATTEMPTS_KEPT,
  type EmailDelivery,
  type EmailSubscription,
  type EmailSubscriptionStore,
  readEmailHash,
  subscriptionField,
} from '../email-subscription-store.js'

/** The memory twin of the Redis e-mail subscription store: one map of fields per tracking, as there. */
export interface MemoryEmailSubscriptionStore extends EmailSubscriptionStore {
  /** Drops a tracking's subscriptions: what deleting the tracking does in Redis. */
  forgetTracking(trackingId: string): void
  /** The tracking's subscriptions go after `afterMs`: what a save that ends the parcel's life does in Redis. */
  expireTracking(trackingId: string, afterMs: number | undefined): void
}

export interface MemoryEmailSubscriptionStoreOptions {
  trackingExists(trackingId: string): Promise<boolean>
  now?: () => number
}

export function createMemoryEmailSubscriptionStore(
  options: MemoryEmailSubscriptionStoreOptions,
): MemoryEmailSubscriptionStore {
  const now = options.now ?? Date.now
  const hashes = new Map<string, { fields: Map<string, string>; expiresAtMs?: number }>()

  /** The tracking's fields, or undefined once expired (then dropped, as Redis drops an expired key). */
  function fieldsOf(trackingId: string): Map<string, string> | undefined {
    const hash = hashes.get(trackingId)
    if (hash?.expiresAtMs !== undefined && hash.expiresAtMs <= now()) {
      hashes.delete(trackingId)
      return undefined
    }
    return hash?.fields
  }
  function fieldsFor(trackingId: string): Map<string, string> {
    const existing = fieldsOf(trackingId)
    if (existing) return existing
    const fields = new Map<string, string>()
    hashes.set(trackingId, { fields })
    return fields
  }
  const parse = <T>(doc: string | undefined): T | undefined => (doc ? (JSON.parse(doc) as T) : undefined)
  const dropIfEmpty = (trackingId: string) => {
    if (fieldsOf(trackingId)?.size === 0) hashes.delete(trackingId)
  }
  const expireTracking = (trackingId: string, afterMs: number | undefined) => {
    const hash = hashes.get(trackingId)
    if (hash) hash.expiresAtMs = afterMs === undefined ? undefined : now() + afterMs
  }

  return {
    async add(subscription, { max, expireAfterMs }) {
      if (!(await options.trackingExists(subscription.trackingId))) return 'gone'
      const fields = fieldsFor(subscription.trackingId)
      const count = [...fields.keys()].filter((field) => field.startsWith('s:')).length
      if (count >= max) {
        dropIfEmpty(subscription.trackingId)
        return 'too_many'
      }
      fields.set(subscriptionField(subscription.id), JSON.stringify(subscription))
      if (expireAfterMs !== undefined) expireTracking(subscription.trackingId, expireAfterMs)
      return 'added'
    },

    async get(trackingId, id) {
      return parse<EmailSubscription>(fieldsOf(trackingId)?.get(subscriptionField(id)))
    },

    async list(trackingId) {
      const { subscriptions, deliveries } = readEmailHash(Object.fromEntries(fieldsOf(trackingId) ?? []))
      return subscriptions.map((subscription) => ({
        subscription,
        deliveries: deliveries.filter((delivery) => delivery.subscriptionId === subscription.id),
      }))
    },

    async remove(trackingId, id) {
      const fields = fieldsOf(trackingId)
      if (!fields) return false
      let removed = fields.delete(subscriptionField(id))
      for (const milestone of SHOPPER_MILESTONES)
        removed = fields.delete(deliveryField(id, milestone)) || removed
      dropIfEmpty(trackingId)
      return removed
    },

    async unsubscribe(trackingId, id, atIso) {
      const fields = fieldsOf(trackingId)
      const current = parse<EmailSubscription>(fields?.get(subscriptionField(id)))
      if (!fields || !current || current.unsubscribedAt) return current
      const changed = { ...current, unsubscribedAt: atIso }
      fields.set(subscriptionField(id), JSON.stringify(changed))
      return changed
    },

    async subscriptionsOf(trackingIds) {
      return new Map(
        trackingIds.map((id) => [id, readEmailHash(Object.fromEntries(fieldsOf(id) ?? [])).subscriptions]),
      )
    },

    async claimDeliveries(deliveries) {
      return deliveries.map((delivery) => {
        const fields = fieldsOf(delivery.trackingId)
        const field = deliveryField(delivery.subscriptionId, delivery.milestone)
        if (!fields?.has(subscriptionField(delivery.subscriptionId)) || fields.has(field)) return false
        fields.set(field, JSON.stringify(delivery))
        return true
      })
    },

    async loadDelivery(trackingId, subscriptionId, milestone) {
      const fields = fieldsOf(trackingId)
      const subscription = parse<EmailSubscription>(fields?.get(subscriptionField(subscriptionId)))
      const delivery = parse<EmailDelivery>(fields?.get(deliveryField(subscriptionId, milestone)))
      return subscription && delivery ? { subscription, delivery } : undefined
    },

    async saveDelivery(delivery) {
      const fields = fieldsOf(delivery.trackingId)
      const field = deliveryField(delivery.subscriptionId, delivery.milestone)
      if (!fields?.has(field)) return
      fields.set(
        field,
        JSON.stringify({ ...delivery, attempts: delivery.attempts.slice(-EMAIL_ATTEMPTS_KEPT) }),
      )
    },

    forgetTracking(trackingId) {
      hashes.delete(trackingId)
    },

    expireTracking,
  }
}
