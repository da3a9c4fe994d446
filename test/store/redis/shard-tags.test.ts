import calculateSlot from 'cluster-key-slot'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { shardTags } from '../../../src/store/redis/shard-tags.js'
import { propertyRuns } from '../../support/property-runs.js'

const SLOTS = 16_384

/** How many of `tags` each of `masters` masters holds, with the slot ranges `redis-cli --cluster create` makes. */
function tagsPerMaster(tags: readonly string[], masters: number): number[] {
  const counts = new Array<number>(masters).fill(0)
  const perMaster = SLOTS / masters
  for (const tag of tags) {
    const master = Math.min(masters - 1, Math.floor(calculateSlot(tag) / perMaster))
    counts[master] = (counts[master] ?? 0) + 1
  }
  return counts
}

const prefixes = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/)

describe('shard tags', () => {
  it("puts each shard's tag in its own equal stretch of the slots, named after the prefix and the shard", () => {
    fc.assert(
      fc.property(prefixes, fc.integer({ min: 2, max: 256 }), (prefix, shards) => {
        const tags = shardTags(prefix, shards)
        expect(tags).toHaveLength(shards)
        tags.forEach((tag, shard) => {
          expect(tag.startsWith(`${prefix}:${shard}`)).toBe(true)
          const slot = calculateSlot(tag)
          expect(slot).toBeGreaterThanOrEqual(Math.floor((shard * SLOTS) / shards))
          expect(slot).toBeLessThan(Math.floor(((shard + 1) * SLOTS) / shards))
        })
      }),
      { numRuns: 25 },
    )
  })

  it('finds a tag in its stretch for each of the most shards colis takes (1024)', () => {
    const tags = shardTags('colis', 1024)
    expect(tags.map((tag) => Math.floor(calculateSlot(tag) / 16))).toEqual(tags.map((_, shard) => shard))
  })

  it('gives every process the same tags for the same prefix and count', () => {
    expect(shardTags('colis', 64)).toEqual([...shardTags('colis', 64)])
    expect(shardTags('colis', 64)).not.toEqual(
      shardTags('other', 64).map((tag) => tag.replace('other', 'colis')),
    )
  })

  it('spreads 64 shards over 2 to 16 masters with even slot ranges within one shard of an even share', () => {
    fc.assert(
      fc.property(prefixes, fc.integer({ min: 2, max: 16 }), (prefix, masters) => {
        const counts = tagsPerMaster(shardTags(prefix, 64), masters)
        // A master's range starts and ends inside a shard's stretch, whose tag may fall either side.
        expect(Math.min(...counts)).toBeGreaterThanOrEqual(Math.floor(64 / masters) - 1)
        expect(Math.max(...counts)).toBeLessThanOrEqual(Math.ceil(64 / masters) + 1)
      }),
      { numRuns: propertyRuns(100) },
    )
  })

  it('spreads the default prefix better than tags left where their hash puts them (64 shards, 3 and 10 masters)', () => {
    const plain = Array.from({ length: 64 }, (_, shard) => `colis:${shard}`)
    expect(tagsPerMaster(plain, 3)).toEqual([24, 19, 21])
    expect(tagsPerMaster(shardTags('colis', 64), 3)).toEqual([21, 22, 21])
    expect(Math.max(...tagsPerMaster(plain, 10))).toBe(9)
    expect(Math.max(...tagsPerMaster(shardTags('colis', 64), 10))).toBe(7)
  })
})
