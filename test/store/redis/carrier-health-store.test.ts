import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { createCarrierHealthStore } from '../../../src/store/carrier-health-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { runCarrierHealthStoreContract } from '../carrier-health-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

for (const shards of [1, 8]) {
  runCarrierHealthStoreContract(`redis carrier-health store, ${shards} shard(s)`, () =>
    createCarrierHealthStore(redis, uniquePrefix('carrier-health'), shards),
  )
}
