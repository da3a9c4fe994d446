import type { Config } from '../src/config.js'

export const DELIVERY_QUEUE = 'webhook-deliveries'
export const MAINTENANCE_QUEUE = 'maintenance'

export function pollQueueName(carrier: string): string {
  return `poll-${carrier}`
}

export function bullPrefix(config: Pick<Config, 'COLIS_REDIS_PREFIX'>): string {
  return `${config.COLIS_REDIS_PREFIX}:bull`
}
