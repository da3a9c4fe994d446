import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliveryIdOf } from '../../src/store/record-ids.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createHarness, type Harness } from '../support/harness.js'
import { expectProblem, laPosteNumber, NUMBER, type TrackingBody } from './tracking-api.js'

/** The trackings API's cases that read the Redis store's own keys (due and in-flight polls). */
describe('trackings API on Redis', () => {
  let harness: Harness
  let keyA: string

  beforeAll(async () => {
    harness = await createHarness('api-trackings-redis')
    keyA = (await harness.apiKeys.create('shop-a')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  async function register(key: string, trackingNumber: string) {
    const response = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber, carrier: 'laposte' }),
    })
    expect([200, 201]).toContain(response.status)
    return (await response.json()) as TrackingBody
  }

  const redisKeys = () => createRedisKeys(harness.config.COLIS_REDIS_PREFIX)

  describe('DELETE /v1/trackings/{id}', () => {
    it('answers 204, then the tracking is gone', async () => {
      const mine = await register(keyA, laPosteNumber(40))
      const path = `/v1/trackings/${mine.id}`
      const deleted = await harness.request(keyA, path, { method: 'DELETE' })
      expect(deleted.status).toBe(204)
      expect(await deleted.text()).toBe('')
      await expectProblem(await harness.request(keyA, path), 404, 'not_found')
      await expectProblem(await harness.request(keyA, path, { method: 'DELETE' }), 404, 'not_found')
      await expectProblem(
        await harness.request(keyA, `${path}/refresh`, { method: 'POST' }),
        404,
        'not_found',
      )
      const keys = redisKeys()
      expect(await harness.redis.zscore(keys.due(0, 'laposte'), mine.id)).toBeNull()
      expect(await harness.redis.zscore(keys.inflight(0, 'laposte'), mine.id)).toBeNull()
    })
  })

  describe('POST /v1/trackings/{id}/refresh', () => {
    it('answers 202 due for a freshly registered tracking, and never adds a second pending poll', async () => {
      const mine = await register(keyA, laPosteNumber(50))
      const keys = redisKeys()
      const before = await harness.redis.zscore(keys.due(0, 'laposte'), mine.id)
      for (let round = 0; round < 3; round++) {
        const response = await harness.request(keyA, `/v1/trackings/${mine.id}/refresh`, { method: 'POST' })
        expect(response.status).toBe(202)
        expect(await response.json()).toEqual({ id: mine.id, refresh: 'due' })
      }
      expect(await harness.redis.zscore(keys.due(0, 'laposte'), mine.id)).toBe(before)
      expect(await harness.redis.zscore(keys.inflight(0, 'laposte'), mine.id)).toBeNull()
    })

    it('answers queued when the next poll was later, then due', async () => {
      const mine = await register(keyA, laPosteNumber(51))
      const [view] = await harness.store.loadForPoll([mine.id])
      if (!view) throw new Error('setup')
      const later = Date.now() + 3_600_000
      await harness.store.save([{ before: view, record: view.record, nextPoll: { atMs: later } }])
      // Read once before: the answer for this version is then kept, and must follow the due time.
      const before = (await (await harness.request(keyA, `/v1/trackings/${mine.id}`)).json()) as TrackingBody
      expect(before.nextCheckAt).toBe(new Date(later).toISOString())
      const path = `/v1/trackings/${mine.id}/refresh`

      const first = await harness.request(keyA, path, { method: 'POST' })
      expect(first.status).toBe(202)
      expect(await first.json()).toEqual({ id: mine.id, refresh: 'queued' })
      const second = await harness.request(keyA, path, { method: 'POST' })
      expect(await second.json()).toEqual({ id: mine.id, refresh: 'due' })

      const keys = redisKeys()
      const score = Number(await harness.redis.zscore(keys.due(0, 'laposte'), mine.id))
      expect(score).toBeLessThanOrEqual(Date.now())
      expect(await harness.redis.zrank(keys.due(0, 'laposte'), mine.id)).not.toBeNull()
      expect(await harness.redis.zscore(keys.inflight(0, 'laposte'), mine.id)).toBeNull()

      const shown = (await (await harness.request(keyA, `/v1/trackings/${mine.id}`)).json()) as TrackingBody
      expect(shown.nextCheckAt).toBe(new Date(score).toISOString())
    })

    it('answers running while a poll holds the tracking', async () => {
      const harnessRunning = await createHarness('api-refresh-running')
      try {
        const key = (await harnessRunning.apiKeys.create('shop-run')).key
        const created = await harnessRunning.request(key, '/v1/trackings', {
          method: 'POST',
          body: JSON.stringify({ trackingNumber: NUMBER, carrier: 'laposte' }),
        })
        const { id } = (await created.json()) as TrackingBody
        expect(await harnessRunning.store.claimDue(0, 'laposte', Date.now(), 10, 60_000)).toEqual([id])
        const response = await harnessRunning.request(key, `/v1/trackings/${id}/refresh`, { method: 'POST' })
        expect(response.status).toBe(202)
        expect(await response.json()).toEqual({ id, refresh: 'running' })
        const keys = createRedisKeys(harnessRunning.config.COLIS_REDIS_PREFIX)
        expect(await harnessRunning.redis.zscore(keys.due(0, 'laposte'), id)).toBeNull()
      } finally {
        await harnessRunning.close()
      }
    })
  })

  describe('a path id naming another key of its record', () => {
    it('answers 404 not_found, never the 500 of a Redis WRONGTYPE', async () => {
      const mine = await register(keyA, laPosteNumber(60))
      const hook = { url: 'https://93.184.215.14/colis-hooks' }
      const subscribed = await harness.request(keyA, `/v1/trackings/${mine.id}/subscriptions`, {
        method: 'POST',
        body: JSON.stringify(hook),
      })
      expect(subscribed.status).toBe(201)
      const endpoint = await harness.request(keyA, '/v1/webhooks', {
        method: 'POST',
        body: JSON.stringify(hook),
      })
      const endpointId = ((await endpoint.json()) as { id: string }).id
      const webhooks = createWebhookStore(harness.redis, harness.config.COLIS_REDIS_PREFIX)
      await webhooks.createDeliveries([
        {
          id: deliveryIdOf('1764950400000-0', endpointId),
          endpointId,
          messageId: 'msg_1764950400000x0',
          type: 'tracking.updated',
          trackingId: mine.id,
          createdAt: new Date().toISOString(),
          state: 'delivered',
          attempts: [],
          body: '{}',
        },
      ])
      const keys = redisKeys()
      // The keys these paths would name exist, and are not the record's own type.
      expect(await harness.redis.type(keys.trackingSubscriptions(mine.id))).not.toBe('none')
      expect(await harness.redis.type(keys.webhookDeliveries(endpointId))).not.toBe('none')

      for (const path of [
        `/v1/trackings/${mine.id}:subs`,
        `/v1/trackings/${mine.id}:subs/subscriptions`,
        `/v1/webhooks/${endpointId}:deliveries`,
        `/v1/webhooks/${endpointId}:deliveries/deliveries`,
      ]) {
        await expectProblem(await harness.request(keyA, path), 404, 'not_found')
      }
      await expectProblem(
        await harness.request(keyA, `/v1/trackings/${mine.id}:subs/refresh`, { method: 'POST' }),
        404,
        'not_found',
      )
    })
  })

  describe('health', () => {
    it('answers /readyz 200 when Redis answers', async () => {
      const response = await harness.app.request('/readyz')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ status: 'ready' })
    })
  })
})
