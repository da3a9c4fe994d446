import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { createUnknownCodeStore } from '../../../src/store/unknown-code-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { runUnknownCodeStoreContract } from '../unknown-code-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

for (const shards of [1, 8]) {
  runUnknownCodeStoreContract(`redis unknown-code store, ${shards} shard(s)`, (limits) =>
    createUnknownCodeStore(redis, uniquePrefix('unknown-codes'), limits, shards),
  )
}
