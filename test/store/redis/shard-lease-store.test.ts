import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisShardLeaseStore } from '../../../src/store/redis/redis-shard-lease-store.js'
import { eventually } from '../../support/harness.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { runShardLeaseStoreContract } from '../shard-lease-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

runShardLeaseStoreContract('redis shard lease store', (shards, now) =>
  createRedisShardLeaseStore(redis, uniquePrefix('shard-leases'), shards, now),
)

describe('redis shard lease store on the server clock', () => {
  it("takes over a silent peer's shards once their lease has run out", async () => {
    const store = createRedisShardLeaseStore(redis, uniquePrefix('shard-leases-time'), 4)
    const leaseMs = 300
    expect((await store.balance('a', leaseMs)).held).toEqual([0, 1, 2, 3])
    expect((await store.balance('b', leaseMs)).held).toEqual([])
    const taken = await eventually(
      () => store.balance('b', leaseMs),
      (round) => round.held.length === 4,
      5_000,
    )
    expect(taken).toEqual({ held: [0, 1, 2, 3], live: 1 })
  })
})
