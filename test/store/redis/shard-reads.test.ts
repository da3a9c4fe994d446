import fc from 'fast-check'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newestAcrossShards } from '../../../src/store/redis/shard-reads.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(() => redis.quit())

describe('newestAcrossShards', () => {
  it('pages through indexes of several shards as through one index holding them all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.nat({ max: 8 })), {
          selector: ([time]) => time,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 12 }),
        async (shards, entries, pageSize) => {
          const prefix = uniquePrefix('newest')
          const indexes = Array.from({ length: shards }, (_, shard) => `${prefix}:${shard}`)
          const members = entries.map(([time]) => String(time).padStart(4, '0'))
          const writes = redis.pipeline()
          for (const [at, [, shard]] of entries.entries())
            writes.zadd(indexes[shard % shards] as string, 0, members[at] as string)
          await writes.exec()
          const expected = [...members].sort().reverse()
          const seen: string[] = []
          let max = '+'
          for (;;) {
            const page = await newestAcrossShards(redis, indexes, max, pageSize)
            seen.push(...page)
            if (page.length < pageSize) break
            max = `(${page.at(-1)}`
          }
          expect(seen).toEqual(expected)
        },
      ),
      { numRuns: 40 },
    )
  })
})
