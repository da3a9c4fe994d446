import { balanceShards, type ShardLeaseStore } from '../shard-lease-store.js'

/** Shard leases in memory, on an injected clock: the Redis store's twin for tests. */
export function createMemoryShardLeaseStore(shards: number, now: () => number = Date.now): ShardLeaseStore {
  const aliveUntil = new Map<string, number>()
  const holders = new Map<number, { owner: string; expiresAtMs: number }>()
  return {
    async balance(owner, leaseMs) {
      const nowMs = now()
      const expiresAtMs = nowMs + leaseMs
      for (const [peer, until] of aliveUntil) if (until <= nowMs) aliveUntil.delete(peer)
      aliveUntil.set(owner, expiresAtMs)
      const { keep, release, take } = balanceShards(owner, shards, aliveUntil.size, holders, nowMs)
      for (const shard of release) holders.delete(shard)
      const held = [...keep, ...take].sort((a, b) => a - b)
      for (const shard of held) holders.set(shard, { owner, expiresAtMs })
      return { held, live: aliveUntil.size }
    },
    async leave(owner) {
      aliveUntil.delete(owner)
      for (const [shard, lease] of holders) if (lease.owner === owner) holders.delete(shard)
    },
  }
}
