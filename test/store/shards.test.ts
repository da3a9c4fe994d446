import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newTrackingRecord } from '../../src/store/new-tracking.js'
import { createPageToken, PAGE_TOKEN } from '../../src/store/page-token.js'
import { createTrackingId, TRACKING_ID } from '../../src/store/record-ids.js'
import { allShards, drawInShard, shardOfRegistration, shardOfText } from '../../src/store/shards.js'
import { laPosteNumber } from '../api/tracking-api.js'
import { propertyRuns } from '../support/property-runs.js'

const shardCounts = fc.integer({ min: 1, max: 1024 })

describe('logical shards', () => {
  it('draws tracking ids and page tokens in the shard asked, in the shapes colis gives out', () => {
    fc.assert(
      fc.property(
        shardCounts.chain((shards) => fc.tuple(fc.constant(shards), fc.nat({ max: shards - 1 }))),
        ([shards, shard]) => {
          const id = createTrackingId(shard, shards)
          const token = createPageToken(shard, shards)
          expect(id).toMatch(TRACKING_ID)
          expect(token).toMatch(PAGE_TOKEN)
          expect(shardOfText(id, shards)).toBe(shard)
          expect(shardOfText(token, shards)).toBe(shard)
        },
      ),
      { numRuns: propertyRuns(300) },
    )
  })

  it('keeps all but the last two characters of a draw as drawn', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{10}$/), fc.integer({ min: 2, max: 64 }), (drawn, shards) => {
        const kept = drawInShard(() => drawn, 'abcdefghijklmnopqrstuvwxyz', 1, shards)
        expect(kept.slice(0, -2)).toBe(drawn.slice(0, -2))
        expect(shardOfText(kept, shards)).toBe(1)
      }),
    )
  })

  it('puts a new tracking, its id and its page token in its registration’s shard', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,12}$/),
        fc.constantFrom('laposte', 'chronopost', 'dpd'),
        fc.stringMatching(/^[A-Z0-9]{8,16}$/),
        fc.integer({ min: 1, max: 256 }),
        (merchantId, carrier, trackingNumber, shards) => {
          const record = newTrackingRecord(
            { merchantId, carrier, trackingNumber },
            '2026-12-06T10:00:00.000Z',
            shards,
          )
          const shard = shardOfRegistration({ merchantId, carrier, trackingNumber }, shards)
          expect(shardOfText(record.id, shards)).toBe(shard)
          expect(shardOfText(record.pageToken ?? '', shards)).toBe(shard)
        },
      ),
      { numRuns: propertyRuns(200) },
    )
  })

  it('spreads numbers with a check digit over every shard', () => {
    const counts = new Array<number>(64).fill(0)
    for (let index = 0; index < 10_000; index++) {
      const shard = shardOfRegistration(
        { merchantId: 'shop', carrier: 'laposte', trackingNumber: laPosteNumber(index) },
        64,
      )
      counts[shard] = (counts[shard] ?? 0) + 1
    }
    const mean = 10_000 / 64
    expect(Math.min(...counts)).toBeGreaterThan(mean / 2)
    expect(Math.max(...counts)).toBeLessThan(mean * 1.5)
  })

  it('tells apart registrations that differ in any part', () => {
    const a = { merchantId: 'shop', carrier: 'laposte', trackingNumber: '6A12345678901' }
    const spread = new Set(
      Array.from({ length: 200 }, (_, index) =>
        shardOfRegistration({ ...a, trackingNumber: `6A${index}` }, 64),
      ),
    )
    expect(spread.size).toBeGreaterThan(40)
    expect(shardOfRegistration(a, 1)).toBe(0)
    expect(allShards(3)).toEqual([0, 1, 2])
  })
})
