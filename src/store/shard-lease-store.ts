/**
 * Which worker process works which logical shard (COLIS_SHARDS): each live process holds a fair share
 * of the shards under expiring leases. A lease spreads work; it is not a lock: a shard worked by two
 * processes for a moment (during a hand-over) stays correct, because every claim on it is atomic.
 */
export interface ShardLeaseStore {
  /**
   * One round for `owner`: notes it alive for `leaseMs`, renews the leases it keeps, gives back those
   * beyond its fair share (ceil(shards / live processes)) and takes free or expired ones up to it.
   */
  balance(owner: string, leaseMs: number): Promise<ShardLeaseRound>
  /** Gives back every lease of `owner` and forgets it: its peers take its shards on their next round. */
  leave(owner: string): Promise<void>
}

export interface ShardLeaseRound {
  /** The shards `owner` holds now, in order. */
  held: number[]
  /** The processes alive now, `owner` included. */
  live: number
}

/**
 * The shards `owner` keeps, gives back and takes, given who holds what: the rule both stores apply.
 * `holders` maps a shard to its lease (absent: free); a lease that ran out is free too.
 */
export function balanceShards(
  owner: string,
  shards: number,
  live: number,
  holders: ReadonlyMap<number, { owner: string; expiresAtMs: number }>,
  nowMs: number,
): { keep: number[]; release: number[]; take: number[] } {
  const fair = Math.ceil(shards / Math.max(1, live))
  const mine: number[] = []
  const free: number[] = []
  for (let shard = 0; shard < shards; shard++) {
    const lease = holders.get(shard)
    if (lease?.owner === owner) mine.push(shard)
    else if (lease === undefined || lease.expiresAtMs <= nowMs) free.push(shard)
  }
  const keep = mine.slice(0, fair)
  return { keep, release: mine.slice(fair), take: free.slice(0, fair - keep.length) }
}
