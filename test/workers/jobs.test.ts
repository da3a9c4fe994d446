import { describe, expect, it } from 'vitest'
import {
  bullPrefix,
  DELIVERY_QUEUE,
  EMAIL_QUEUE,
  MAINTENANCE_QUEUE,
  pollQueueName,
  queuePrefix,
} from '../../workers/jobs.js'

/** The hash tag Redis Cluster hashes a key by: its first non-empty `{…}`, or the whole key. */
function hashTagOf(key: string): string {
  const open = key.indexOf('{')
  const close = open === -1 ? -1 : key.indexOf('}', open + 1)
  return close > open + 1 ? key.slice(open + 1, close) : key
}

const QUEUES = [
  pollQueueName('laposte'),
  pollQueueName('chronopost'),
  DELIVERY_QUEUE,
  EMAIL_QUEUE,
  MAINTENANCE_QUEUE,
]

describe('BullMQ queue prefixes', () => {
  it('keeps every queue under `<prefix>:bull` with one shard, as colis always had them', () => {
    const config = { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 1 }
    for (const queue of QUEUES) expect(queuePrefix(config, queue)).toBe(bullPrefix(config))
    expect(bullPrefix(config)).toBe('colis:bull')
  })

  it('gives each queue a hash tag of its own with several shards: its keys in one slot, queues apart', () => {
    const config = { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 64 }
    const tags = QUEUES.map((queue) => {
      const prefix = queuePrefix(config, queue)
      // BullMQ's keys are `<prefix>:<queue>:<suffix>`: every one of a queue shares its tag.
      const keyTags = ['wait', 'meta', 'limiter', 'job-1'].map((suffix) =>
        hashTagOf(`${prefix}:${queue}:${suffix}`),
      )
      expect(new Set(keyTags).size).toBe(1)
      return keyTags[0]
    })
    expect(tags[0]).toBe('colis:bull:poll-laposte')
    expect(new Set(tags).size).toBe(QUEUES.length)
  })
})
