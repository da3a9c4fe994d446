import type { WebhookEventType } from '../domain/webhook-events.js'
import type { RedisClient } from '../redis/redis-client.js'
import { defineScripts } from './redis/lua-scripts.js'
import { createRedisKeys } from './redis/redis-keys.js'
import { decodeCompareAndSetAnswer, decodeSubscriptionAnswer } from './redis/script-answers.js'
import { execByShard, replyValue } from './redis/shard-reads.js'
import { allShards } from './shards.js'

export interface WebhookSecret {
  secret: string
  createdAt: string
  /** A rotated-out secret keeps signing until then (24 h), so receivers can switch without loss. */
  expiresAt?: string
}

export interface WebhookEndpoint {
  id: string
  merchantId: string
  /** Set for a shopper subscription: it follows one tracking and goes away with it. */
  trackingId?: string
  url: string
  events: WebhookEventType[]
  description?: string
  secrets: WebhookSecret[]
  createdAt: string
  /** First failure since the last success: five days of failures disable the endpoint. */
  failingSince?: string
  disabledAt?: string
  disabledReason?: string
}

export interface DeliveryAttempt {
  at: string
  statusCode?: number
  durationMs: number
  error?: string
}

export interface WebhookDelivery {
  id: string
  endpointId: string
  /** The `webhook-id` header: the same on every attempt and every redelivery. */
  messageId: string
  type: WebhookEventType
  trackingId: string
  createdAt: string
  state: 'pending' | 'delivered' | 'failed' | 'endpoint_disabled'
  attempts: DeliveryAttempt[]
  body: string
}

/** What every webhook store does: endpoints (a merchant's own, a tracking's subscriptions) and deliveries. */
export interface WebhookStore {
  /** False when the endpoint subscribes to a tracking that is gone (nothing written then). */
  createEndpoint(endpoint: WebhookEndpoint): Promise<boolean>
  getEndpoint(id: string): Promise<WebhookEndpoint | undefined>
  /** Applies `change` to the endpoint as it is now; `change` returns undefined when there is nothing to do. */
  updateEndpoint(
    id: string,
    change: (current: WebhookEndpoint) => WebhookEndpoint | undefined,
  ): Promise<WebhookEndpoint | undefined>
  deleteEndpoint(endpoint: WebhookEndpoint): Promise<void>
  /** The merchant's own endpoints, or a tracking's shopper subscriptions, by id. */
  listEndpoints(scope: { merchantId: string } | { trackingId: string }): Promise<WebhookEndpoint[]>
  endpointsOf(scopes: { merchantIds: string[]; trackingIds: string[] }): Promise<{
    ofMerchant: Map<string, WebhookEndpoint[]>
    ofTracking: Map<string, WebhookEndpoint[]>
  }>
  /** Gives, in order, the document written for each delivery created now, or undefined for an existing one. */
  createDeliveries(deliveries: readonly WebhookDelivery[]): Promise<Array<string | undefined>>
  getDelivery(id: string): Promise<WebhookDelivery | undefined>
  /** The delivery, its document as stored (what `recordAttempt` compares against), and its endpoint. */
  loadDelivery(
    deliveryId: string,
    endpointId?: string,
  ): Promise<{ delivery: WebhookDelivery; stored: string; endpoint?: WebhookEndpoint } | undefined>
  /** Appends an attempt (the last 30 kept) and sets the state. */
  recordAttempt(
    id: string,
    attempt: DeliveryAttempt,
    state: WebhookDelivery['state'],
    stored?: string,
  ): Promise<void>
  /** Asks the relay to deliver again, with the same webhook-id. */
  requestRedelivery(id: string): Promise<void>
  /** The endpoint's deliveries created before `beforeMs` (if given), newest first. */
  listDeliveries(endpointId: string, limit: number, beforeMs?: number): Promise<WebhookDelivery[]>
}

const DELIVERY_TTL_SECONDS = 30 * 24 * 3600
/** Deliveries an endpoint lists, the newest ones. */
export const DELIVERIES_KEPT_PER_ENDPOINT = 1000
/** Attempts a delivery keeps, the last ones. */
export const ATTEMPTS_KEPT = 30

/**
 * Endpoint documents, merchants' endpoint sets and deliveries share the slot of no tracking, even when
 * sharded: endpoints and deliveries are found by their id alone (a delivery job names both, read in one
 * MGET), and a tracking's deletion drops its subscriptions' documents in one DEL. Spreading deliveries,
 * the busiest of them, would take ids that name their slot. A tracking's set of subscriptions is in its
 * shard.
 */
export function createWebhookStore(client: RedisClient, prefix: string, shards = 1): WebhookStore {
  const redis = defineScripts(client)
  const compareAndSet = async (key: string, expected: string, replacement: string) =>
    decodeCompareAndSetAnswer(await redis.compareAndSet(key, expected, replacement))
  const keys = createRedisKeys(prefix, shards)
  const parse = <T>(doc: string | null): T | undefined => (doc ? (JSON.parse(doc) as T) : undefined)
  // Merchants' endpoint sets, in the slot of no tracking: their own pipeline, unless one shard holds all.
  const merchantGroup = shards > 1 ? -1 : 0

  /**
   * Applies `change` to the JSON document at `key` as it is now: compare-and-set, retried on conflict
   * (its expiry kept). `read`: the document as the caller already has it, which saves the first GET.
   * Undefined when the document is gone; the current one when `change` returns undefined.
   */
  async function updateDocument<T>(
    key: string,
    change: (current: T) => T | undefined,
    read?: string,
  ): Promise<T | undefined> {
    let doc = read ?? (await redis.get(key))
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = parse<T>(doc)
      if (!current || !doc) return undefined
      const changed = change(current)
      if (!changed) return current
      if ((await compareAndSet(key, doc, JSON.stringify(changed))) === 'replaced') return changed
      doc = await redis.get(key)
    }
    throw new Error(`${key} kept changing: update given up`)
  }

  /**
   * Adds a merchant's endpoint to, or removes it from, the copy of the merchant's set in every shard,
   * where saves read whether anyone listens (one slot each: a pipeline per shard, sent together). Added
   * before the endpoint exists and removed after it is gone: a crash between leaves a copy naming an
   * endpoint that is not there, which only makes saves ship payloads the relay then finds nobody for.
   * With one shard the copy is the set itself, written with the document.
   */
  async function changeShardCopies(change: 'sadd' | 'srem', endpoint: WebhookEndpoint) {
    if (shards <= 1) return
    const replies = await execByShard(
      redis,
      allShards(shards),
      (shard) => shard,
      (pipeline, shard) =>
        pipeline[change](keys.merchantWebhooksInShard(shard, endpoint.merchantId), endpoint.id),
    )
    for (const reply of replies) replyValue(reply)
  }

  return {
    /**
     * A subscription's document lives in the slot of no tracking, its tracking and the set naming it in
     * the tracking's shard: the document is written first, then named only if the tracking still
     * exists, and deleted again when it does not. A crash between the steps leaves a document no set
     * names and whose id nobody was given: nothing reads it. A tracking deleted meanwhile either sees
     * the new member (and deletes the document with its own) or makes the script answer gone.
     */
    async createEndpoint(endpoint: WebhookEndpoint): Promise<boolean> {
      const doc = JSON.stringify(endpoint)
      if (endpoint.trackingId) {
        await redis.set(keys.webhook(endpoint.id), doc)
        const answer = await redis.addSubscription(
          keys.tracking(endpoint.trackingId),
          keys.trackingSubscriptions(endpoint.trackingId),
          endpoint.id,
        )
        if (decodeSubscriptionAnswer(answer) === 'added') return true
        await redis.del(keys.webhook(endpoint.id))
        return false
      }
      await changeShardCopies('sadd', endpoint)
      await redis
        .multi()
        .set(keys.webhook(endpoint.id), doc)
        .sadd(keys.merchantWebhooks(endpoint.merchantId), endpoint.id)
        .exec()
      return true
    },

    async getEndpoint(id: string): Promise<WebhookEndpoint | undefined> {
      return parse<WebhookEndpoint>(await redis.get(keys.webhook(id)))
    },

    /**
     * Applies `change` to the endpoint as it is now, not as it was read earlier: an attempt can last
     * 15 s, and writing back what it read then would undo a rotation or a disabling made meanwhile.
     * `change` returns undefined when there is nothing to do.
     */
    updateEndpoint(
      id: string,
      change: (current: WebhookEndpoint) => WebhookEndpoint | undefined,
    ): Promise<WebhookEndpoint | undefined> {
      return updateDocument(keys.webhook(id), change)
    },

    /**
     * A subscription's document goes before its tracking's set forgets it (another slot): a crash
     * between leaves a member whose document is gone, which every reader skips and which goes with
     * the tracking.
     */
    async deleteEndpoint(endpoint: WebhookEndpoint): Promise<void> {
      if (endpoint.trackingId) {
        await redis.del(keys.webhook(endpoint.id))
        await redis.srem(keys.trackingSubscriptions(endpoint.trackingId), endpoint.id)
        return
      }
      await redis
        .multi()
        .del(keys.webhook(endpoint.id))
        .srem(keys.merchantWebhooks(endpoint.merchantId), endpoint.id)
        .exec()
      await changeShardCopies('srem', endpoint)
    },

    /** The merchant's own endpoints, or a tracking's shopper subscriptions. */
    async listEndpoints(scope: { merchantId: string } | { trackingId: string }): Promise<WebhookEndpoint[]> {
      const index =
        'trackingId' in scope
          ? keys.trackingSubscriptions(scope.trackingId)
          : keys.merchantWebhooks(scope.merchantId)
      const ids = (await redis.smembers(index)).sort()
      if (ids.length === 0) return []
      const docs = await redis.mget(ids.map((id) => keys.webhook(id)))
      return docs.flatMap((doc) => {
        const endpoint = parse<WebhookEndpoint>(doc)
        return endpoint ? [endpoint] : []
      })
    },

    /**
     * The endpoints of several merchants and trackings, in two round trips (the relay's batch): the sets
     * first, one pipeline per slot (merchants' sets share one, trackings' are in their shards), sent
     * together; then every document at once (they share one slot).
     */
    async endpointsOf(scopes: { merchantIds: string[]; trackingIds: string[] }) {
      const indexes = [
        ...scopes.merchantIds.map((id) => ({ key: keys.merchantWebhooks(id), group: merchantGroup })),
        ...scopes.trackingIds.map((id) => ({ key: keys.trackingSubscriptions(id), group: keys.shardOf(id) })),
      ]
      const replies = await execByShard(
        redis,
        indexes,
        ({ group }) => group,
        (pipeline, { key }) => pipeline.smembers(key),
      )
      const members = replies.map((reply) => (replyValue(reply) as string[] | null) ?? [])
      const all = [...new Set(members.flat())]
      const docs = all.length > 0 ? await redis.mget(all.map((id) => keys.webhook(id))) : []
      const byId = new Map(
        docs.flatMap((doc): Array<[string, WebhookEndpoint]> => {
          const endpoint = parse<WebhookEndpoint>(doc)
          return endpoint ? [[endpoint.id, endpoint]] : []
        }),
      )
      const resolve = (ids: string[] | undefined) => (ids ?? []).flatMap((id) => byId.get(id) ?? [])
      return {
        ofMerchant: new Map(scopes.merchantIds.map((id, index) => [id, resolve(members[index])])),
        ofTracking: new Map(
          scopes.trackingIds.map((id, index) => [id, resolve(members[scopes.merchantIds.length + index])]),
        ),
      }
    },

    /**
     * Records deliveries once each (SET NX), in one round trip; a replayed outbox entry creates nothing.
     * Gives, in order, the document written for each delivery created now (what `recordAttempt` compares
     * against), or undefined for one that existed already.
     */
    async createDeliveries(deliveries: readonly WebhookDelivery[]): Promise<Array<string | undefined>> {
      if (deliveries.length === 0) return []
      const pipeline = redis.pipeline()
      const docs = deliveries.map((delivery) => JSON.stringify(delivery))
      deliveries.forEach((delivery, index) => {
        pipeline.set(keys.delivery(delivery.id), docs[index] as string, 'EX', DELIVERY_TTL_SECONDS, 'NX')
        pipeline.zadd(
          keys.webhookDeliveries(delivery.endpointId),
          'NX',
          Date.parse(delivery.createdAt),
          delivery.id,
        )
      })
      for (const endpointId of new Set(deliveries.map((delivery) => delivery.endpointId))) {
        pipeline.zremrangebyrank(keys.webhookDeliveries(endpointId), 0, -DELIVERIES_KEPT_PER_ENDPOINT - 1)
      }
      const results = (await pipeline.exec()) ?? []
      return docs.map((doc, index) => {
        const [error, reply] = results[index * 2] ?? []
        if (error) throw error
        return reply === 'OK' ? doc : undefined
      })
    },
    async getDelivery(id: string): Promise<WebhookDelivery | undefined> {
      return parse<WebhookDelivery>(await redis.get(keys.delivery(id)))
    },

    /**
     * What a delivery attempt needs: the delivery (with its document as stored, for `recordAttempt`)
     * and its endpoint, in one round trip when the caller knows the endpoint's id (delivery jobs carry
     * it), in two otherwise.
     */
    async loadDelivery(
      deliveryId: string,
      endpointId?: string,
    ): Promise<{ delivery: WebhookDelivery; stored: string; endpoint?: WebhookEndpoint } | undefined> {
      const [stored, endpointDoc] = endpointId
        ? await redis.mget(keys.delivery(deliveryId), keys.webhook(endpointId))
        : [await redis.get(keys.delivery(deliveryId)), null]
      const delivery = parse<WebhookDelivery>(stored ?? null)
      if (!stored || !delivery) return undefined
      const endpoint =
        endpointId === delivery.endpointId
          ? parse<WebhookEndpoint>(endpointDoc ?? null)
          : await this.getEndpoint(delivery.endpointId)
      return { delivery, stored, endpoint }
    },

    /**
     * Appends an attempt and sets the state, by compare-and-set. Given the document as the caller read
     * it (`stored`), that is one round trip unless someone changed it meanwhile.
     */
    async recordAttempt(
      id: string,
      attempt: DeliveryAttempt,
      state: WebhookDelivery['state'],
      stored?: string,
    ): Promise<void> {
      await updateDocument<WebhookDelivery>(
        keys.delivery(id),
        (delivery) => ({
          ...delivery,
          attempts: [...delivery.attempts, attempt].slice(-ATTEMPTS_KEPT),
          state,
        }),
        stored,
      )
    },

    /** Asks the relay (through the outbox) to deliver again, with the same webhook-id. */
    async requestRedelivery(id: string): Promise<void> {
      await redis.xadd(keys.outbox(0), '*', 'r', id)
    },

    async listDeliveries(endpointId: string, limit: number, beforeMs?: number): Promise<WebhookDelivery[]> {
      const ids = await redis.zrevrangebyscore(
        keys.webhookDeliveries(endpointId),
        beforeMs === undefined ? '+inf' : `(${beforeMs}`,
        '-inf',
        'LIMIT',
        0,
        limit,
      )
      if (ids.length === 0) return []
      const docs = await redis.mget(ids.map((id) => keys.delivery(id)))
      return docs.flatMap((doc) => {
        const delivery = parse<WebhookDelivery>(doc)
        return delivery ? [delivery] : []
      })
    },
  }
}
