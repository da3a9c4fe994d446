// The queues and job payloads, shared by their producers and their consumers. Job data holds ids only,
// never personal data.
import type { Config } from '../src/config.js'
import type { ShopperMilestone } from '../src/domain/shopper-milestones.js'
import { tagInStretch } from '../src/redis/slot-stretch.js'

export const DELIVERY_QUEUE = 'webhook-deliveries'
export const MAINTENANCE_QUEUE = 'maintenance'
export const EMAIL_QUEUE = 'shopper-emails'

/**
 * A carrier's poll queue of one lane (POLL_QUEUE_LANES): BullMQ's limiter is per queue. Lane 0 keeps
 * the name of the carrier's one queue; a carrier id holds no dot, so no two names meet.
 */
export function pollQueueName(carrier: string, lane = 0): string {
  return lane === 0 ? `poll-${carrier}` : `poll-${carrier}.${lane}`
}

/**
 * How many lanes a carrier polls through: `lanes` (POLL_QUEUE_LANES), or one for a carrier whose rate
 * allows fewer requests a window than there are lanes. Each lane's limiter is its own, so lanes would
 * each send their first request at once: more than such a carrier takes in a window. One lane keeps
 * lane 0's queue, placed as with every lane.
 */
export function carrierLanes(rate: { max: number }, lanes: number): number {
  return rate.max >= lanes ? lanes : 1
}

/** Every poll queue of `carrier`, lane by lane, for its count of lanes (see `carrierLanes`). */
export function pollQueueNames(carrier: string, lanes: number): string[] {
  return Array.from({ length: lanes }, (_, lane) => pollQueueName(carrier, lane))
}

/**
 * The lane whose queue polls a shard's trackings, of a carrier's `lanes`: lanes take the shards in
 * runs, lane *k* the *k*-th. A shard's hash tag sits in its own stretch of the slots, in shard order,
 * and a lane's queue in the lane's stretch: a lane's shards then sit on its queue's master, so a poll
 * job's BullMQ work and its store scripts run on one node (where the masters hold even ranges of
 * slots, and as many lanes).
 */
export function laneOfShard(shard: number, shards: number, lanes: number): number {
  return Math.floor((shard * lanes) / Math.max(1, shards))
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
  config: Pick<Config, 'COLIS_REDIS_PREFIX' | 'COLIS_SHARDS' | 'POLL_QUEUE_LANES'>,
  queue: string,
): string {
  if (config.COLIS_SHARDS <= 1) return bullPrefix(config)
  const tag = `${config.COLIS_REDIS_PREFIX}:bull:${queue}`
  const lane = POLL_LANE.exec(queue)
  if (!lane) return `{${tag}}`
  // A carrier's lanes are spaced out over the slots, so that they land on as many masters.
  return `{${tagInStretch(tag, Number(lane[1] ?? 0), config.POLL_QUEUE_LANES)}}`
}

/** A poll queue's name, its lane (absent for lane 0) in the first group. */
const POLL_LANE = /^poll-[a-z][a-z0-9-]*(?:\.(\d+))?$/

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
