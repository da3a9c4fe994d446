import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import { ReplicaWaitError } from '../../../src/store/redis/replica-wait.js'
import { laPosteNumber } from '../../api/tracking-api.js'
import { createHarness } from '../../support/harness.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { loadOne, parcel, T0 } from '../store-helpers.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(() => redis.quit())

/** The suite's Redis has no replica: every WAIT for one times out, as after losing a replica. */
const waitForOne = { replicas: 1, timeoutMs: 30 }

describe('REDIS_WAIT_REPLICAS on a Redis whose replica does not confirm', () => {
  it('does not acknowledge a registration, which a retry then finds', async () => {
    const prefix = uniquePrefix('wait')
    const waiting = createRedisTrackingStore(redis, prefix, { waitReplicas: waitForOne })
    await expect(waiting.register(parcel(), new Date(T0))).rejects.toBeInstanceOf(ReplicaWaitError)
    const retried = await createRedisTrackingStore(redis, prefix).register(parcel(), new Date(T0))
    expect(retried.created).toBe(false)
  })

  it('does not acknowledge a save that carries notifications, and saves others as before', async () => {
    const prefix = uniquePrefix('wait')
    const { record } = await createRedisTrackingStore(redis, prefix).register(parcel(), new Date(T0))
    const waiting = createRedisTrackingStore(redis, prefix, { waitReplicas: waitForOne })
    const view = await loadOne(waiting, record.id)
    expect(await waiting.save([{ before: view, record: { ...view.record, failureCount: 1 } }])).toEqual([
      'saved',
    ])
    const again = await loadOne(waiting, record.id)
    const notification = {
      type: 'tracking.updated' as const,
      merchantId: record.merchantId,
      trackingId: record.id,
      sequence: 1,
      timestamp: new Date(T0).toISOString(),
      data: '{}',
    }
    await expect(
      waiting.save([
        { before: again, record: { ...again.record, failureCount: 2 }, notifications: [notification] },
      ]),
    ).rejects.toBeInstanceOf(ReplicaWaitError)
  })

  it('answers the API client 503 problem+json, never 500', async () => {
    const harness = await createHarness('wait-api', { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT: '30ms' })
    try {
      const { key } = await harness.apiKeys.create('shop-wait')
      const response = await harness.request(key, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify({ trackingNumber: laPosteNumber(7), carrier: 'laposte' }),
      })
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ status: 503, code: 'redis_unavailable' })
    } finally {
      await harness.close()
    }
  })
})
