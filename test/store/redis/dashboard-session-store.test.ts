import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisDashboardSessionStore } from '../../../src/store/redis/redis-dashboard-session-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { runDashboardSessionStoreContract, SESSION } from '../dashboard-session-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

async function keysUnder(prefix: string): Promise<string[]> {
  return redis.keys(`${prefix}:*`)
}

/**
 * Redis's own time cannot be moved: every key of the prefix (under its hash tag too, when sharded) is
 * brought `ms` nearer its expiry instead.
 */
async function elapse(prefix: string, ms: number): Promise<void> {
  for (const key of await redis.keys(`*${prefix}*`)) {
    const leftMs = await redis.pttl(key)
    if (leftMs < 0) continue
    if (leftMs <= ms) await redis.del(key)
    else await redis.pexpire(key, leftMs - ms)
  }
}

for (const shards of [1, 8]) {
  runDashboardSessionStoreContract(`redis dashboard-session store, ${shards} shard(s)`, () => {
    const prefix = uniquePrefix('dashboard-sessions')
    return {
      store: createRedisDashboardSessionStore(redis, prefix, shards),
      elapse: (ms) => elapse(prefix, ms),
    }
  })
}

describe('redis dashboard-session store', () => {
  it('keeps a session under the digest of its id, never the id itself, expiring after its idle time', async () => {
    const prefix = uniquePrefix('dashboard-sessions-stored')
    const store = createRedisDashboardSessionStore(redis, prefix)
    const id = await store.start(SESSION, 60_000)
    const [key, ...others] = await keysUnder(prefix)
    expect(others).toEqual([])
    expect(key).toMatch(new RegExp(`^${prefix}:dash:session:[0-9a-f]{64}$`))
    expect(key).not.toContain(id)
    expect(await redis.get(key ?? '')).not.toContain(id)
    const leftMs = await redis.pttl(key ?? '')
    expect(leftMs).toBeGreaterThan(50_000)
    expect(leftMs).toBeLessThanOrEqual(60_000)
    await store.resume(id, 600_000)
    expect(await redis.pttl(key ?? '')).toBeGreaterThan(60_000)
  })
})
