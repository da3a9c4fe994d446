import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeyStore } from '../../../src/store/api-key-store.js'
import { claimKeyspace, KeyspaceMismatchError } from '../../../src/store/redis/keyspace-claim.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(() => redis.quit())

describe('the keyspace’s shard count', () => {
  it('is stored at the first start and accepted again at the next', async () => {
    const prefix = uniquePrefix('keyspace')
    await claimKeyspace(redis, prefix, 16)
    await claimKeyspace(redis, prefix, 16)
    expect(await redis.hget(`${prefix}:keyspace`, 'shards')).toBe('16')
  })

  it('refuses another count, naming the stored one', async () => {
    const prefix = uniquePrefix('keyspace')
    await claimKeyspace(redis, prefix, 1)
    const refusal = await claimKeyspace(redis, prefix, 64).catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(KeyspaceMismatchError)
    expect((refusal as Error).message).toContain('COLIS_SHARDS is 64')
    expect((refusal as Error).message).toContain('set COLIS_SHARDS=1')
  })

  it('counts data written before the count was stored as one shard', async () => {
    const prefix = uniquePrefix('keyspace')
    await createApiKeyStore(redis, prefix).create('shop')
    await expect(claimKeyspace(redis, prefix, 64)).rejects.toThrow(/laid out for 1 shard/)
    await claimKeyspace(redis, prefix, 1)
  })
})
