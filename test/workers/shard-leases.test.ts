import { describe, expect, it } from 'vitest'
import { createSilentLogger } from '../../src/logger.js'
import { createMemoryShardLeaseStore } from '../../src/store/memory/memory-shard-lease-store.js'
import type { ShardLeaseStore } from '../../src/store/shard-lease-store.js'
import { holdShards } from '../../workers/shard-leases.js'
import { eventually } from '../support/harness.js'

const logger = createSilentLogger()

/** A lease store that counts its calls and may fail them. */
function countingStore(inner: ShardLeaseStore) {
  const calls = { balance: 0, leave: 0 }
  let failing = false
  const store: ShardLeaseStore = {
    async balance(owner, leaseMs) {
      calls.balance++
      if (failing) throw new Error('Connection is closed.')
      return inner.balance(owner, leaseMs)
    },
    async leave(owner) {
      calls.leave++
      return inner.leave(owner)
    },
  }
  return { store, calls, fail: (value: boolean) => (failing = value) }
}

describe('holding shards', () => {
  it('holds the one shard with no lease at all: every process works it, as on one Redis before', async () => {
    const { store, calls } = countingStore(createMemoryShardLeaseStore(1))
    const holding = await holdShards({
      openLeases: () => store,
      shards: 1,
      owner: 'a',
      leaseMs: 15_000,
      logger,
    })
    expect(holding.held()).toEqual([0])
    expect(holding.leased).toBe(false)
    await holding.stop()
    expect(calls).toEqual({ balance: 0, leave: 0 })
  })

  it('starts with its share already taken, and gives it back when it stops', async () => {
    const leases = createMemoryShardLeaseStore(8)
    const holding = await holdShards({
      openLeases: () => leases,
      shards: 8,
      owner: 'a',
      leaseMs: 60_000,
      logger,
    })
    expect(holding.held()).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    expect(holding.leased).toBe(true)
    await holding.stop()
    expect(holding.held()).toEqual([])
    expect((await leases.balance('b', 60_000)).held).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('keeps working the shards it held while the leases cannot be renewed', async () => {
    const { store, calls, fail } = countingStore(createMemoryShardLeaseStore(4))
    const holding = await holdShards({ openLeases: () => store, shards: 4, owner: 'a', leaseMs: 30, logger })
    expect(holding.held()).toEqual([0, 1, 2, 3])
    fail(true)
    const failedFrom = calls.balance
    await eventually(
      async () => calls.balance,
      (count) => count >= failedFrom + 2,
      5_000,
    )
    expect(holding.held()).toEqual([0, 1, 2, 3])
    await holding.stop()
  })
})
