// The queues and job payloads, shared by their producers and their consumers. Job data holds ids only,
// never personal data.
import type { Config } from '../src/config.js'
import type { ShopperMilestone } from '../src/domain/shopper-milestones.js'

export const DELIVERY_QUEUE = 'webhook-deliveries'
export const MAINTENANCE_QUEUE = 'maintenance'
export const EMAIL_QUEUE = 'shopper-emails'

/** One poll queue per carrier: BullMQ's limiter is per queue. */
export function pollQueueName(carrier: string): string {
  return `poll-${carrier}`
}

/** Where every queue lives with one shard: under the prefix, as it always has (existing queues stay). */
export function bullPrefix(config: Pick<Config, 'COLIS_REDIS_PREFIX'>): string {
  return `${config.COLIS_REDIS_PREFIX}:bull`
}

/**
 * The BullMQ prefix of one queue. With several shards (a Redis Cluster) each queue takes a hash tag
 * of its own, `{<prefix>:bull:<queue>}`: BullMQ needs every key of a queue in one slot, and a tag per
 * queue puts different carriers' poll queues (and the delivery, e-mail and maintenance queues) on
 * different nodes, while each carrier's limiter, being its queue's, stays one for all processes.
 */
export function queuePrefix(
  config: Pick<Config, 'COLIS_REDIS_PREFIX' | 'COLIS_SHARDS'>,
  queue: string,
): string {
  return config.COLIS_SHARDS > 1 ? `{${config.COLIS_REDIS_PREFIX}:bull:${queue}}` : bullPrefix(config)
}

/** The prefix of each queue, as the queues' builders take it. */
export type QueuePrefix = (queue: string) => string

export interface PollJobData {
  ids: string[]
}

export interface DeliveryJobData {
  deliveryId: string
  /** Lets the attempt read the delivery and its endpoint in one round trip (absent on redeliveries). */
  endpointId?: string
  /** Attempts made before this job (the relay's first one): they count toward the limit and the schedule. */
  attemptsBefore?: number
  /** Asked through the API: attempted again even though the delivery is settled. */
  redelivery?: boolean
}

/** One milestone e-mail of one subscription: ids only, the address is read when it is sent. */
export interface EmailJobData {
  trackingId: string
  subscriptionId: string
  milestone: ShopperMilestone
}

/** The job of a milestone e-mail: the same whatever outbox entry asks for it, so it is queued once. */
export function emailJobId(subscriptionId: string, milestone: ShopperMilestone): string {
  return `${subscriptionId}-${milestone}`
}
