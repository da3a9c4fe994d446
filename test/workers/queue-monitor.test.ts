import type { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { createQueueMonitor } from '../../workers/queue-monitor.js'

/** The monitor opens its queues only to read them: listing their names needs no connection. */
const NO_CONNECTION = {} as Redis

describe('the queues an API process monitors', () => {
  it("lists each carrier's poll lanes, one for a carrier slower than the lanes, and the e-mail queue when e-mail is on", () => {
    const monitor = createQueueMonitor({
      connection: NO_CONNECTION,
      config: {
        COLIS_REDIS_PREFIX: 'colis',
        COLIS_SHARDS: 64,
        POLL_QUEUE_LANES: 3,
        SMTP_URL: 'smtp://mail:25',
      },
      carriers: () => [
        { id: 'laposte', rateLimit: { max: 10 } },
        { id: 'dhl', rateLimit: { max: 1 } },
      ],
    })
    expect(monitor.names()).toEqual([
      'poll-laposte',
      'poll-laposte.1',
      'poll-laposte.2',
      'poll-dhl',
      'webhook-deliveries',
      'shopper-emails',
    ])
  })

  it('lists the maintenance queue with one shard, and no e-mail queue without SMTP_URL', () => {
    const monitor = createQueueMonitor({
      connection: NO_CONNECTION,
      config: { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 1, POLL_QUEUE_LANES: 1 },
      carriers: () => [{ id: 'sandbox', rateLimit: { max: 50 } }],
    })
    expect(monitor.names()).toEqual(['poll-sandbox', 'webhook-deliveries', 'maintenance'])
  })
})
