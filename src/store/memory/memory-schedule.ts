/**
 * Ids due at a time, handed out under a lease: the memory twin of a `due` / `inflight` pair. An id is
 * in at most one of the two: waiting (due at its time) or claimed (leased until its time).
 */
export interface LeasedSchedule {
  /** When the id is due, if it waits; undefined when it is claimed or not scheduled. */
  dueAt(id: string): number | undefined
  isClaimed(id: string): boolean
  /** Waits for `atMs` (claimed or not before), or leaves the schedule with `undefined`. */
  set(id: string, atMs: number | undefined): void
  /** Ends a claim without scheduling again. */
  release(id: string): void
  /** Due ids first (earliest first), then ids whose lease ran out, up to `limit`, leased until `leaseUntilMs`. */
  claim(nowMs: number, limit: number, leaseUntilMs: number): string[]
  /** Every id waiting or claimed. */
  ids(): string[]
}

/** Ordered as a Redis sorted set: by time, then by id. */
function earliest(entries: Map<string, number>, nowMs: number, limit: number): string[] {
  return [...entries]
    .filter(([, atMs]) => atMs <= nowMs)
    .sort(([idA, a], [idB, b]) => a - b || (idA < idB ? -1 : idA > idB ? 1 : 0))
    .slice(0, limit)
    .map(([id]) => id)
}

export function createLeasedSchedule(): LeasedSchedule {
  const due = new Map<string, number>()
  const claimed = new Map<string, number>()
  return {
    dueAt: (id) => due.get(id),
    isClaimed: (id) => claimed.has(id),
    set(id, atMs) {
      claimed.delete(id)
      if (atMs === undefined) due.delete(id)
      else due.set(id, atMs)
    },
    release(id) {
      claimed.delete(id)
    },
    claim(nowMs, limit, leaseUntilMs) {
      const ids = earliest(due, nowMs, limit)
      for (const id of ids) due.delete(id)
      if (ids.length < limit) ids.push(...earliest(claimed, nowMs, limit - ids.length))
      for (const id of ids) claimed.set(id, leaseUntilMs)
      return ids
    },
    ids: () => [...due.keys(), ...claimed.keys()],
  }
}
