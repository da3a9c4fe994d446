import { Queue, Worker } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSilentLogger } from '../../src/logger.js'
import type { RedisClient } from '../../src/redis/redis-client.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createWebhookStore, type WebhookStore } from '../../src/store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../../src/webhooks/egress-guard.js'
import { createWebhookSecret } from '../../src/webhooks/sign.js'
import { type DeliveryDeps, deliveryBackoff, processDeliveryJob } from '../../workers/deliver-webhook.js'
import { DELIVERY_QUEUE, type DeliveryJobData, queuePrefix } from '../../workers/jobs.js'
import { startOutboxRelay } from '../../workers/relay-outbox.js'
import { eventually } from '../support/harness.js'
import { uniquePrefix } from '../support/redis.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const SHARDS = 8

/**
 * One relay over the outboxes of the shards it holds: entries of several streams, even under one
 * entry id, become deliveries of their own, each sent once; a shard taken on later is read from then
 * on; redeliveries asked through the API come through shard 0's outbox.
 */
export function describeRelayOverShards(
  title: string,
  connections: () => { connect(): RedisClient; closeAll(): Promise<unknown> },
) {
  describe(title, () => {
    const prefix = uniquePrefix('relay-shards')
    const config = { COLIS_REDIS_PREFIX: prefix, COLIS_SHARDS: SHARDS, POLL_QUEUE_LANES: 1 }
    const keys = createRedisKeys(prefix, SHARDS)
    const cleanups: Array<() => Promise<unknown>> = []
    let held: number[] = [0, 1, 2, 3]
    let writer: RedisClient
    let webhooks: WebhookStore
    let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>

    beforeAll(async () => {
      const { connect, closeAll } = connections()
      cleanups.push(closeAll)
      writer = connect()
      receiver = await startWebhookReceiver()
      cleanups.push(() => receiver.close())
      webhooks = createWebhookStore(connect(), prefix, SHARDS)
      await webhooks.createEndpoint({
        id: 'whk_AAAAAAAAAAAAAAAAAAAA',
        merchantId: 'shop',
        url: receiver.url,
        events: ['tracking.updated'],
        secrets: [{ secret: createWebhookSecret(), createdAt: new Date().toISOString() }],
        createdAt: new Date().toISOString(),
      })
      const dispatcher = createGuardedDispatcher({
        allowed: parseAllowedCidrs('127.0.0.1/32'),
        timeoutMs: 5000,
      })
      cleanups.push(() => dispatcher.close())
      const prefixOfDeliveries = queuePrefix(config, DELIVERY_QUEUE)
      const queue = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
        connection: connect(),
        prefix: prefixOfDeliveries,
      })
      cleanups.push(() => queue.close())
      const deliver: DeliveryDeps = {
        webhooks,
        dispatcher,
        timeoutMs: 5000,
        disableAfterMs: 86_400_000,
        attempts: 3,
        logger: createSilentLogger(),
      }
      const worker = new Worker<DeliveryJobData>(DELIVERY_QUEUE, (job) => processDeliveryJob(job, deliver), {
        connection: connect(),
        prefix: prefixOfDeliveries,
        settings: { backoffStrategy: deliveryBackoff(0.001) },
      })
      cleanups.push(() => worker.close())
      const relay = startOutboxRelay({
        redis: connect(),
        outboxKey: keys.outbox,
        shards: () => held,
        sharded: true,
        webhooks,
        queue,
        consumer: 'relay-shards',
        claimIdleMs: 60_000,
        blockMs: 100,
        idleMs: 100,
        firstAttempts: { deps: deliver, slots: 4, retryFactor: 0.001 },
        logger: createSilentLogger(),
      })
      cleanups.push(() => relay.stop())
      // One entry id in every shard's outbox: only the shard tells their deliveries apart.
      for (let shard = 0; shard < SHARDS; shard++) {
        const message = {
          type: 'tracking.updated',
          merchantId: 'shop',
          trackingId: `trk_${shard}`,
          sequence: 1,
          timestamp: new Date().toISOString(),
          data: JSON.stringify({ tracking: { id: `trk_${shard}` } }),
        }
        await writer.xadd(keys.outbox(shard), '1-1', 'm', JSON.stringify(message))
      }
    })

    afterAll(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
    })

    const webhookIds = () => receiver.received.map((request) => String(request.headers['webhook-id']))

    it('sends the entries of the shards it holds, each once, the shard in its ids', async () => {
      await eventually(
        async () => webhookIds(),
        (ids) => ids.length === 4,
      )
      expect(webhookIds().sort()).toEqual(['msg_1x1x0', 'msg_1x1x1', 'msg_1x1x2', 'msg_1x1x3'])
      // The shards it does not hold wait, unread, for their holder.
      const unread = await Promise.all([4, 5, 6, 7].map((shard) => writer.xlen(keys.outbox(shard))))
      expect(unread).toEqual([1, 1, 1, 1])
      const deliveries = await webhooks.listDeliveries('whk_AAAAAAAAAAAAAAAAAAAA', 10)
      expect(deliveries.map((delivery) => delivery.id).sort()).toEqual(
        [0, 1, 2, 3].map((shard) => `dlv_1x1x${shard}_whk_AAAAAAAAAAAAAAAAAAAA`),
      )
    })

    it('reads a shard from the moment it holds it', async () => {
      held = [0, 1, 2, 3, 4, 5, 6, 7]
      await eventually(
        async () => webhookIds(),
        (ids) => ids.length === SHARDS,
      )
      expect(new Set(webhookIds()).size).toBe(SHARDS)
      await eventually(
        () => Promise.all(held.map((shard) => writer.xlen(keys.outbox(shard)))),
        (lengths) => lengths.every((length) => length === 0),
      )
    })

    it("relays a redelivery asked through the API, written to shard 0's outbox", async () => {
      held = [0]
      await webhooks.requestRedelivery('dlv_1x1x5_whk_AAAAAAAAAAAAAAAAAAAA')
      await eventually(
        async () => webhookIds(),
        (ids) => ids.length === SHARDS + 1,
      )
      expect(webhookIds().at(-1)).toBe('msg_1x1x5')
    })
  })
}
