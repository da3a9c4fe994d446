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

runCarrierHealthStoreContract('redis carrier-health store', () =>
  createCarrierHealthStore(redis, uniquePrefix('carrier-health')),
)
