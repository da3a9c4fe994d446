import type { TrackingRecord } from '../../domain/tracking.js'

export interface ReadCacheEntry {
  /** The tracking's stored version these were decoded from. */
  version: string
  record: TrackingRecord
  /** The timeline's JSON text, inflated. */
  eventsJson: string
}

/**
 * Recently read trackings, decoded, by tracking id; the caller checks each entry's version against
 * Redis on every read. Least recently used out first; a thousand decoded trackings hold a few
 * megabytes. Entries are shared: never mutate them.
 */
export function createReadCache(maxEntries: number) {
  const entries = new Map<string, ReadCacheEntry>()
  return {
    get(id: string): ReadCacheEntry | undefined {
      const entry = entries.get(id)
      if (entry) {
        // Map order is insertion order: re-inserting marks it most recently used.
        entries.delete(id)
        entries.set(id, entry)
      }
      return entry
    },
    set(id: string, entry: ReadCacheEntry): void {
      if (maxEntries <= 0) return
      entries.delete(id)
      entries.set(id, entry)
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    },
    get size(): number {
      return entries.size
    },
  }
}
