// The queues and job payloads, shared by their producers and their consumers. Job data holds ids only,
// never personal data.
import type { Config } from '../src/config.js'

export const DELIVERY_QUEUE = 'webhook-deliveries'
export const MAINTENANCE_QUEUE = 'maintenance'

/** One poll queue per carrier: BullMQ's limiter is per queue. */
export function pollQueueName(carrier: string): string {
  return `poll-${carrier}`
}

export function bullPrefix(config: Pick<Config, 'COLIS_REDIS_PREFIX'>): string {
  return `${config.COLIS_REDIS_PREFIX}:bull`
}

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
