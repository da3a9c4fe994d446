import calculateSlot from 'cluster-key-slot'
import { describe, expect, it } from 'vitest'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import {
  bullPrefix,
  carrierLanes,
  DELIVERY_QUEUE,
  EMAIL_QUEUE,
  laneOfShard,
  MAINTENANCE_QUEUE,
  pollQueueName,
  pollQueueNames,
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
    const config = { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 1, POLL_QUEUE_LANES: 1 }
    for (const queue of QUEUES) expect(queuePrefix(config, queue)).toBe(bullPrefix(config))
    expect(bullPrefix(config)).toBe('colis:bull')
  })

  it('gives each queue a hash tag of its own with several shards: its keys in one slot, queues apart', () => {
    const config = { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 64, POLL_QUEUE_LANES: 1 }
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
    expect(tags[2]).toBe('colis:bull:webhook-deliveries')
    expect(new Set(tags).size).toBe(QUEUES.length)
  })
})

describe('poll lanes (POLL_QUEUE_LANES)', () => {
  it("names lane 0 as the carrier's one queue, and gives each lane a run of shards, all of them in one lane", () => {
    expect(pollQueueNames('laposte', 3)).toEqual(['poll-laposte', 'poll-laposte.1', 'poll-laposte.2'])
    expect(Array.from({ length: 7 }, (_, shard) => laneOfShard(shard, 7, 3))).toEqual([0, 0, 0, 1, 1, 2, 2])
    const lanes = Array.from({ length: 64 }, (_, shard) => laneOfShard(shard, 64, 3))
    expect([0, 1, 2].map((lane) => lanes.filter((of) => of === lane).length)).toEqual([22, 21, 21])
    expect(laneOfShard(0, 1, 1)).toBe(0)
  })

  it('polls a carrier through one lane when its rate allows fewer requests a window than there are lanes', () => {
    expect(carrierLanes({ max: 10 }, 3)).toBe(3)
    expect(carrierLanes({ max: 3 }, 3)).toBe(3)
    // Three lanes would each send a first request at once: three in a window that takes two.
    expect(carrierLanes({ max: 2 }, 3)).toBe(1)
    expect(carrierLanes({ max: 1 }, 1)).toBe(1)
  })

  it("puts a lane's shards' tags in the same third of the slots as the lane's queue, but at the edges", () => {
    const config = { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 64, POLL_QUEUE_LANES: 3 }
    const laneSlots = pollQueueNames('laposte', 3).map((queue) =>
      calculateSlot(hashTagOf(`${queuePrefix(config, queue)}:${queue}:wait`)),
    )
    const stretchOf = (slot: number) => Math.floor((slot * 3) / 16_384)
    const keys = createRedisKeys('colis', 64)
    const apart = Array.from({ length: 64 }, (_, shard) => shard).filter(
      (shard) =>
        stretchOf(calculateSlot(hashTagOf(keys.due(shard, 'laposte')))) !==
        stretchOf(laneSlots[laneOfShard(shard, 64, 3)] ?? -1),
    )
    expect(apart.length).toBeLessThanOrEqual(2)
  })

  it("puts each of a carrier's lanes in its own third of the slots on a cluster, and all under <prefix>:bull on one Redis", () => {
    for (const carrier of ['laposte', 'chronopost', 'mondialrelay', 'dhl']) {
      const sharded = { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 64, POLL_QUEUE_LANES: 3 }
      const slots = pollQueueNames(carrier, sharded.POLL_QUEUE_LANES).map((queue) => {
        const tag = hashTagOf(`${queuePrefix(sharded, queue)}:${queue}:wait`)
        expect(tag.startsWith(`colis:bull:${queue}`)).toBe(true)
        return calculateSlot(tag)
      })
      expect(slots.map((slot) => Math.floor((slot * 3) / 16_384))).toEqual([0, 1, 2])
      const single = { COLIS_REDIS_PREFIX: 'colis', COLIS_SHARDS: 1, POLL_QUEUE_LANES: 1 }
      expect(queuePrefix(single, pollQueueName(carrier))).toBe('colis:bull')
    }
  })
})
