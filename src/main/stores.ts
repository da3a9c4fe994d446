import type { Redis } from 'ioredis'
import { createApiKeyStore } from '../store/api-key-store.js'
import { createCarrierHealthStore } from '../store/carrier-health-store.js'
import { createRedisTrackingStore } from '../store/redis/redis-tracking-store.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { createWebhookStore } from '../store/webhook-store.js'

/** Stands between a process and its tracking store (tests use it for fault injection). */
export type WrapTrackingStore = (store: TrackingStore) => TrackingStore

export interface StoreOptions {
  wrap?: WrapTrackingStore
  /** Trackings a store keeps decoded for reads; 0 turns the cache off. */
  readCacheEntries?: number
}

/** The tracking store on one connection, under COLIS_REDIS_PREFIX. */
export function createTrackingStore(redis: Redis, prefix: string, options: StoreOptions = {}): TrackingStore {
  const store = createRedisTrackingStore(redis, prefix, { readCacheEntries: options.readCacheEntries })
  return options.wrap ? options.wrap(store) : store
}

/** Every store a process uses, on one connection. */
export function createStores(redis: Redis, prefix: string, options: StoreOptions = {}) {
  return {
    trackings: createTrackingStore(redis, prefix, options),
    apiKeys: createApiKeyStore(redis, prefix),
    webhooks: createWebhookStore(redis, prefix),
    carrierHealth: createCarrierHealthStore(redis, prefix),
  }
}

export type Stores = ReturnType<typeof createStores>
