import type { TrackingRecord } from '../domain/tracking.js'
import { isTerminalStatus } from '../domain/tracking-status.js'
import type { RedisClient } from '../redis/redis-client.js'
import type { AnalyticsStore, OutcomeFactsOf } from '../store/analytics-store.js'
import { type ApiKeyStore, createApiKeyStore } from '../store/api-key-store.js'
import { type CarrierHealthStore, createCarrierHealthStore } from '../store/carrier-health-store.js'
import type { DashboardSessionStore } from '../store/dashboard-session-store.js'
import {
  createEmailSubscriptionStore,
  type EmailSubscriptionStore,
} from '../store/email-subscription-store.js'
import { createMemoryApiKeyStore } from '../store/memory/memory-api-key-store.js'
import { createMemoryCarrierHealthStore } from '../store/memory/memory-carrier-health-store.js'
import { createMemoryDashboardSessionStore } from '../store/memory/memory-dashboard-session-store.js'
import {
  createMemoryEmailSubscriptionStore,
  type MemoryEmailSubscriptionStore,
} from '../store/memory/memory-email-subscription-store.js'
import { createMemoryMerchantSettingsStore } from '../store/memory/memory-merchant-settings-store.js'
import { createMemoryTrackingStore, type MemoryTrackingStore } from '../store/memory/memory-tracking-store.js'
import { createMemoryUnknownCodeStore } from '../store/memory/memory-unknown-code-store.js'
import { createMemoryWebhookStore, type MemoryWebhookStore } from '../store/memory/memory-webhook-store.js'
import type { MerchantSettingsStore } from '../store/merchant-settings-store.js'
import { createRedisAnalyticsStore } from '../store/redis/redis-analytics-store.js'
import { createRedisDashboardSessionStore } from '../store/redis/redis-dashboard-session-store.js'
import { createRedisMerchantSettingsStore } from '../store/redis/redis-merchant-settings-store.js'
import { createRedisTrackingStore } from '../store/redis/redis-tracking-store.js'
import type { ReplicaWait } from '../store/redis/replica-wait.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { createUnknownCodeStore, type UnknownCodeStore } from '../store/unknown-code-store.js'
import { createWebhookStore, type WebhookStore } from '../store/webhook-store.js'

/** Stands between a process and its tracking store (tests use it for fault injection). */
export type WrapTrackingStore = (store: TrackingStore) => TrackingStore

export interface StoreOptions {
  wrap?: WrapTrackingStore
  /** Trackings a store keeps decoded for reads; 0 turns the cache off. */
  readCacheEntries?: number
  /** NOTIFY_RETENTION: e-mail subscriptions go this long after their parcel's life is over. */
  notifyRetentionMs?: number
  /** ANALYTICS_RETENTION: a cell-week goes this long after its week ends. */
  analyticsRetentionMs?: number
  /** The carriers' delivery days, to measure the parcels a save finishes. */
  outcomeFacts?: OutcomeFactsOf
  /** COLIS_SHARDS: the shards the keyspace was made with (claimKeyspace checks it). */
  shards?: number
  /** REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT. */
  waitReplicas?: ReplicaWait
}

/** The tracking store on one connection, under COLIS_REDIS_PREFIX. */
export function createTrackingStore(
  redis: RedisClient,
  prefix: string,
  options: StoreOptions = {},
): TrackingStore {
  const store = createRedisTrackingStore(redis, prefix, {
    readCacheEntries: options.readCacheEntries,
    notifyRetentionMs: options.notifyRetentionMs,
    analyticsRetentionMs: options.analyticsRetentionMs,
    outcomeFacts: options.outcomeFacts,
    shards: options.shards,
    waitReplicas: options.waitReplicas,
  })
  return options.wrap ? options.wrap(store) : store
}

/** Every store a process uses. */
export interface Stores {
  trackings: TrackingStore
  apiKeys: ApiKeyStore
  webhooks: WebhookStore
  emails: EmailSubscriptionStore
  carrierHealth: CarrierHealthStore
  unknownCodes: UnknownCodeStore
  merchantSettings: MerchantSettingsStore
  /** The cell-weeks the tracking store's saves fill as parcels finish, for carrier reports. */
  analytics: AnalyticsStore
  /** The merchant dashboard's sign-in sessions. */
  dashboardSessions: DashboardSessionStore
}

/** Every store a process uses, on one connection. */
export function createStores(redis: RedisClient, prefix: string, options: StoreOptions = {}): Stores {
  const shards = options.shards ?? 1
  return {
    trackings: createTrackingStore(redis, prefix, options),
    apiKeys: createApiKeyStore(redis, prefix, shards),
    webhooks: createWebhookStore(redis, prefix, shards),
    emails: createEmailSubscriptionStore(redis, prefix, shards),
    carrierHealth: createCarrierHealthStore(redis, prefix, shards),
    unknownCodes: createUnknownCodeStore(redis, prefix, undefined, shards),
    merchantSettings: createRedisMerchantSettingsStore(redis, prefix, shards),
    analytics: createRedisAnalyticsStore(redis, prefix, shards),
    dashboardSessions: createRedisDashboardSessionStore(redis, prefix, shards),
  }
}

export interface MemoryStores extends Stores {
  trackings: MemoryTrackingStore
  webhooks: MemoryWebhookStore
  emails: MemoryEmailSubscriptionStore
}

/**
 * Every store in memory, tied together as the Redis ones are: deleting a tracking drops its
 * subscriptions, and a save that ends a parcel's life sets its e-mail subscriptions' expiry.
 */
export function createMemoryStores(
  options: {
    now?: () => number
    notifyRetentionMs?: number
    analyticsRetentionMs?: number
    outcomeFacts?: OutcomeFactsOf
  } = {},
): MemoryStores {
  const saved = createMemoryTrackingStore(options)
  const trackingExists = async (id: string) => (await saved.loadForPoll([id]))[0] !== undefined
  const webhooks = createMemoryWebhookStore({ trackingExists })
  const emails = createMemoryEmailSubscriptionStore({ trackingExists, now: options.now })
  const retentionMs = options.notifyRetentionMs ?? 30 * 24 * 3600 * 1000
  const isOver = (record: TrackingRecord) => isTerminalStatus(record.status, record.final ?? false)
  const trackings: MemoryTrackingStore = {
    ...saved,
    async delete(merchantId, id) {
      const deleted = await saved.delete(merchantId, id)
      if (deleted) {
        webhooks.forgetTracking(id)
        emails.forgetTracking(id)
      }
      return deleted
    },
    async save(changes) {
      const outcomes = await saved.save(changes)
      changes.forEach(({ before, record }, index) => {
        if (outcomes[index] !== 'saved' || isOver(before.record) === isOver(record)) return
        emails.expireTracking(record.id, isOver(record) ? retentionMs : undefined)
      })
      return outcomes
    },
  }
  return {
    trackings,
    apiKeys: createMemoryApiKeyStore(),
    webhooks,
    emails,
    carrierHealth: createMemoryCarrierHealthStore(),
    unknownCodes: createMemoryUnknownCodeStore(),
    merchantSettings: createMemoryMerchantSettingsStore(),
    analytics: saved.analytics,
    dashboardSessions: createMemoryDashboardSessionStore({ now: options.now }),
  }
}
