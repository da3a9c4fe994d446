import {
  type MilestoneFacts,
  SHOPPER_LANGUAGES,
  SHOPPER_MILESTONES,
  type ShopperLanguage,
  type ShopperMilestone,
} from '../domain/shopper-milestones.js'
import type { RedisClient } from '../redis/redis-client.js'
import { defineScripts, type ScriptedRedis } from './redis/lua-scripts.js'
import { createRedisKeys } from './redis/redis-keys.js'
import { decodeEmailSubscriptionAnswer } from './redis/script-answers.js'
import { execByShard, replyValue } from './redis/shard-reads.js'

export const EMAIL_LANGUAGES = SHOPPER_LANGUAGES
export type EmailLanguage = ShopperLanguage

/** A shopper's e-mail subscription to one tracking: it goes away with the tracking. */
export interface EmailSubscription {
  id: string
  trackingId: string
  merchantId: string
  channel: 'email'
  /** Personal data: shown to the merchant who gave it, never logged, never in a job or a webhook. */
  to: string
  lang: EmailLanguage
  events: ShopperMilestone[]
  createdAt: string
  /** The secret part of the unsubscribe link; never shown through the API. */
  unsubscribeSecret: string
  /** The shopper asked for no more e-mails (one-click unsubscribe); the record stays for the log. */
  unsubscribedAt?: string
}

export interface EmailAttempt {
  at: string
  /** The SMTP server's reply code, when it gave one. */
  smtpCode?: number
  /** Its reply text, trimmed, the address left out. */
  smtpResponse?: string
  /** What went wrong before any reply (connection, timeout). */
  error?: string
}

/** One milestone e-mail of one subscription: created once, whatever replays the outbox makes. */
export interface EmailDelivery {
  trackingId: string
  subscriptionId: string
  milestone: ShopperMilestone
  createdAt: string
  state: 'pending' | 'sent' | 'failed' | 'skipped'
  attempts: EmailAttempt[]
  facts: MilestoneFacts
  carrier: string
  trackingNumber: string
}

export type AddOutcome = 'added' | 'gone' | 'too_many'

/** What every e-mail subscription store does. */
export interface EmailSubscriptionStore {
  /**
   * Adds a subscription unless its tracking is gone or has `max` already. `expireAfterMs`: the
   * parcel's life is over, so the tracking's subscriptions go after that long.
   */
  add(subscription: EmailSubscription, options: { max: number; expireAfterMs?: number }): Promise<AddOutcome>
  get(trackingId: string, id: string): Promise<EmailSubscription | undefined>
  /** The tracking's subscriptions, oldest first, each with its deliveries (oldest first). */
  list(trackingId: string): Promise<Array<{ subscription: EmailSubscription; deliveries: EmailDelivery[] }>>
  remove(trackingId: string, id: string): Promise<boolean>
  /** Stops the subscription's e-mails (once: a second call changes nothing); undefined when it is gone. */
  unsubscribe(trackingId: string, id: string, atIso: string): Promise<EmailSubscription | undefined>
  /** The subscriptions of several trackings, in one round trip (the relay's batch). */
  subscriptionsOf(trackingIds: readonly string[]): Promise<Map<string, EmailSubscription[]>>
  /**
   * Records each delivery once: true for one recorded now, false for one recorded before (a replay, a
   * milestone seen again) or whose subscription is gone.
   */
  claimDeliveries(deliveries: readonly EmailDelivery[]): Promise<boolean[]>
  loadDelivery(
    trackingId: string,
    subscriptionId: string,
    milestone: ShopperMilestone,
  ): Promise<{ subscription: EmailSubscription; delivery: EmailDelivery } | undefined>
  /** Writes the delivery back (an attempt added, its state), unless it is gone meanwhile. */
  saveDelivery(delivery: EmailDelivery): Promise<void>
}

/** Attempts a delivery keeps, the last ones. */
export const EMAIL_ATTEMPTS_KEPT = 30

export const subscriptionField = (id: string) => `s:${id}`
export const deliveryField = (subscriptionId: string, milestone: ShopperMilestone) =>
  `d:${subscriptionId}:${milestone}`

const byCreation = <T extends { createdAt: string }>(a: T, b: T) =>
  Date.parse(a.createdAt) - Date.parse(b.createdAt)

/** The subscriptions and deliveries of one tracking's hash, as stored. */
export function readEmailHash(fields: Record<string, string>) {
  const subscriptions: EmailSubscription[] = []
  const deliveries: EmailDelivery[] = []
  for (const [field, doc] of Object.entries(fields)) {
    if (field.startsWith('s:')) subscriptions.push(JSON.parse(doc) as EmailSubscription)
    else if (field.startsWith('d:')) deliveries.push(JSON.parse(doc) as EmailDelivery)
  }
  return { subscriptions: subscriptions.sort(byCreation), deliveries: deliveries.sort(byCreation) }
}

export function createEmailSubscriptionStore(
  client: RedisClient,
  prefix: string,
  shards = 1,
): EmailSubscriptionStore {
  const redis = defineScripts(client)
  const keys = createRedisKeys(prefix, shards)
  const parse = <T>(doc: string | null | undefined): T | undefined =>
    doc ? (JSON.parse(doc) as T) : undefined

  return {
    async add(subscription, options) {
      const answer = await redis.addEmailSubscription(
        keys.tracking(subscription.trackingId),
        keys.trackingEmails(subscription.trackingId),
        subscriptionField(subscription.id),
        JSON.stringify(subscription),
        String(options.max),
        options.expireAfterMs === undefined ? '' : String(Math.max(1, Math.round(options.expireAfterMs))),
      )
      return decodeEmailSubscriptionAnswer(answer)
    },

    async get(trackingId, id) {
      return parse<EmailSubscription>(
        await redis.hget(keys.trackingEmails(trackingId), subscriptionField(id)),
      )
    },

    async list(trackingId) {
      const { subscriptions, deliveries } = readEmailHash(
        await redis.hgetall(keys.trackingEmails(trackingId)),
      )
      return subscriptions.map((subscription) => ({
        subscription,
        deliveries: deliveries.filter((delivery) => delivery.subscriptionId === subscription.id),
      }))
    },

    async remove(trackingId, id) {
      const removed = await redis.hdel(
        keys.trackingEmails(trackingId),
        subscriptionField(id),
        ...SHOPPER_MILESTONES.map((milestone) => deliveryField(id, milestone)),
      )
      return removed > 0
    },

    async unsubscribe(trackingId, id, atIso) {
      const key = keys.trackingEmails(trackingId)
      const current = parse<EmailSubscription>(await redis.hget(key, subscriptionField(id)))
      if (!current || current.unsubscribedAt) return current
      const changed = { ...current, unsubscribedAt: atIso }
      const written = await redis.setFieldIfPresent(key, subscriptionField(id), JSON.stringify(changed))
      return written === 1 ? changed : undefined
    },

    async subscriptionsOf(trackingIds) {
      const replies = await execByShard(redis, trackingIds, keys.shardOf, (pipeline, id) =>
        pipeline.hgetall(keys.trackingEmails(id)),
      )
      return new Map(
        trackingIds.map((id, index) => [
          id,
          readEmailHash((replyValue(replies[index]) as Record<string, string> | null) ?? {}).subscriptions,
        ]),
      )
    },

    async claimDeliveries(deliveries) {
      if (deliveries.length === 0) return []
      const byTracking = new Map<string, number[]>()
      deliveries.forEach((delivery, index) => {
        byTracking.set(delivery.trackingId, [...(byTracking.get(delivery.trackingId) ?? []), index])
      })
      const groups = [...byTracking].map(([trackingId, indexes]) => ({ trackingId, indexes }))
      const replies = await execByShard(
        redis,
        groups,
        ({ trackingId }) => keys.shardOf(trackingId),
        (pipeline, { trackingId, indexes }) => {
          ;(pipeline as unknown as ScriptedRedis).claimEmailDeliveries(
            keys.trackingEmails(trackingId),
            ...indexes.flatMap((index) => {
              const delivery = deliveries[index] as EmailDelivery
              return [
                subscriptionField(delivery.subscriptionId),
                deliveryField(delivery.subscriptionId, delivery.milestone),
                JSON.stringify(delivery),
              ]
            }),
          )
        },
      )
      const created: boolean[] = new Array(deliveries.length).fill(false)
      groups.forEach(({ indexes }, group) => {
        const answers = replyValue(replies[group]) as number[]
        indexes.forEach((index, at) => {
          created[index] = answers[at] === 1
        })
      })
      return created
    },

    async loadDelivery(trackingId, subscriptionId, milestone) {
      const [subscriptionDoc, deliveryDoc] = await redis.hmget(
        keys.trackingEmails(trackingId),
        subscriptionField(subscriptionId),
        deliveryField(subscriptionId, milestone),
      )
      const subscription = parse<EmailSubscription>(subscriptionDoc)
      const delivery = parse<EmailDelivery>(deliveryDoc)
      return subscription && delivery ? { subscription, delivery } : undefined
    },

    async saveDelivery(delivery) {
      await redis.setFieldIfPresent(
        keys.trackingEmails(delivery.trackingId),
        deliveryField(delivery.subscriptionId, delivery.milestone),
        JSON.stringify({ ...delivery, attempts: delivery.attempts.slice(-EMAIL_ATTEMPTS_KEPT) }),
      )
    },
  }
}
