import { Queue } from 'bullmq'
import type { TrackingNotification } from '../../src/domain/tracking-notifications.js'
import type { WebhookEventType } from '../../src/domain/webhook-events.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { DELIVERY_QUEUE, queuePrefix } from '../../workers/jobs.js'
import type { Harness } from './harness.js'
import { untilOutboxDrained, untilQueueIdle } from './idle.js'

export interface SeededNotification {
  merchantId: string
  trackingId: string
  type?: WebhookEventType
}

/**
 * The webhook side of a harness whose workers run: notifications written straight to its outbox (as a
 * saved poll writes them), and the signal that everything they caused is done.
 */
export function openWebhookPipeline(harness: Harness) {
  const redis = harness.connect()
  const outboxKey = createRedisKeys(harness.config.COLIS_REDIS_PREFIX).outbox(0)
  const deliveries = new Queue(DELIVERY_QUEUE, {
    connection: redis,
    prefix: queuePrefix(harness.config, DELIVERY_QUEUE),
  })
  const sequences = new Map<string, number>()
  return {
    /** Appends `count` notifications of a tracking (sequence 1, 2… per tracking) to the outbox. */
    async seed({ merchantId, trackingId, type }: SeededNotification, count = 1): Promise<void> {
      for (let index = 0; index < count; index++) {
        const sequence = (sequences.get(trackingId) ?? 0) + 1
        sequences.set(trackingId, sequence)
        const timestamp = new Date().toISOString()
        const message: TrackingNotification = {
          type: type ?? (sequence % 2 === 1 ? 'tracking.updated' : 'tracking.status_changed'),
          merchantId,
          trackingId,
          sequence,
          timestamp,
          data: JSON.stringify({ tracking: { id: trackingId, status: 'in_transit', events: [] }, sequence }),
        }
        await redis.xadd(outboxKey, '*', 'm', JSON.stringify(message))
      }
    },
    /** Every outbox entry relayed and every delivery job settled (retries included): nothing more will be sent. */
    async untilIdle(timeoutMs?: number): Promise<void> {
      await untilOutboxDrained(redis, outboxKey, timeoutMs)
      await untilQueueIdle(deliveries, timeoutMs)
    },
    async close(): Promise<void> {
      await deliveries.close()
      await redis.quit()
    },
  }
}
