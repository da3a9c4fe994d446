import { describe, expect, it } from 'vitest'
import type { ShardLeaseStore } from '../../src/store/shard-lease-store.js'

/** A store for `shards` shards whose clock is `now` (ms). */
export type ShardLeaseStoreFactory = (
  shards: number,
  now: () => number,
) => ShardLeaseStore | Promise<ShardLeaseStore>

const LEASE_MS = 15_000

/** Every process's held shards after one round each, in `owners` order. */
async function roundOf(store: ShardLeaseStore, owners: string[]): Promise<Map<string, number[]>> {
  const held = new Map<string, number[]>()
  for (const owner of owners) held.set(owner, (await store.balance(owner, LEASE_MS)).held)
  return held
}

/** Asserts that the processes' holdings are disjoint and cover every shard. */
function expectEveryShardOnce(held: Map<string, number[]>, shards: number) {
  const all = [...held.values()].flat().sort((a, b) => a - b)
  expect(all).toEqual(Array.from({ length: shards }, (_, shard) => shard))
}

/** The rules every shard lease store keeps, on a clock the test moves. */
export function runShardLeaseStoreContract(name: string, create: ShardLeaseStoreFactory) {
  describe(name, () => {
    async function setup(shards: number) {
      let nowMs = 1_700_000_000_000
      const store = await create(shards, () => nowMs)
      return {
        store,
        advance(ms: number) {
          nowMs += ms
        },
      }
    }

    it('gives a lone process every shard, and keeps them on each renewal', async () => {
      const { store, advance } = await setup(8)
      expect(await store.balance('a', LEASE_MS)).toEqual({ held: [0, 1, 2, 3, 4, 5, 6, 7], live: 1 })
      advance(LEASE_MS / 3)
      expect(await store.balance('a', LEASE_MS)).toEqual({ held: [0, 1, 2, 3, 4, 5, 6, 7], live: 1 })
    })

    it('splits 64 shards fairly between three processes, each shard held once', async () => {
      const { store, advance } = await setup(64)
      const owners = ['a', 'b', 'c']
      let held = await roundOf(store, owners)
      for (let round = 0; round < 2; round++) {
        advance(LEASE_MS / 3)
        held = await roundOf(store, owners)
      }
      expectEveryShardOnce(held, 64)
      for (const shards of held.values()) expect(shards.length).toBeLessThanOrEqual(Math.ceil(64 / 3))
      expect((await store.balance('a', LEASE_MS)).live).toBe(3)
    })

    it('has a process give back its extra shards when a peer joins, which the peer then takes', async () => {
      const { store, advance } = await setup(8)
      expect((await store.balance('a', LEASE_MS)).held).toHaveLength(8)
      // Nothing is free yet: the newcomer waits for the holder's next round.
      expect(await store.balance('b', LEASE_MS)).toEqual({ held: [], live: 2 })
      advance(LEASE_MS / 3)
      expect((await store.balance('a', LEASE_MS)).held).toEqual([0, 1, 2, 3])
      expect((await store.balance('b', LEASE_MS)).held).toEqual([4, 5, 6, 7])
    })

    it("takes a dead process's shards once its lease has run out, not before", async () => {
      const { store, advance } = await setup(8)
      await roundOf(store, ['a', 'b'])
      advance(LEASE_MS / 3)
      const split = await roundOf(store, ['a', 'b'])
      expectEveryShardOnce(split, 8)
      // b dies: a renews alone, and leaves b's shards alone while b's leases may still be renewed.
      advance(LEASE_MS / 3)
      expect((await store.balance('a', LEASE_MS)).held).toEqual(split.get('a'))
      advance(LEASE_MS - LEASE_MS / 3)
      expect(await store.balance('a', LEASE_MS)).toEqual({ held: [0, 1, 2, 3, 4, 5, 6, 7], live: 1 })
    })

    it('hands a leaving process shards to its peers at once', async () => {
      const { store, advance } = await setup(8)
      await roundOf(store, ['a', 'b'])
      advance(LEASE_MS / 3)
      await roundOf(store, ['a', 'b'])
      await store.leave('b')
      expect(await store.balance('a', LEASE_MS)).toEqual({ held: [0, 1, 2, 3, 4, 5, 6, 7], live: 1 })
    })

    it('leaves a process with no shard when there are more processes than shards', async () => {
      const { store, advance } = await setup(2)
      const owners = ['a', 'b', 'c']
      await roundOf(store, owners)
      advance(LEASE_MS / 3)
      const held = await roundOf(store, owners)
      expectEveryShardOnce(held, 2)
      for (const shards of held.values()) expect(shards.length).toBeLessThanOrEqual(1)
    })
  })
}
