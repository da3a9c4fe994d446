import {
  boundSighting,
  UNKNOWN_CODE_LIMITS,
  type UnknownCodeLimits,
  type UnknownCodeStore,
} from '../unknown-code-store.js'

interface Entry {
  count: number
  firstSeenMs: number
  lastSeenMs: number
  /** Wording → first sighting (ms). */
  wordings: Map<string, number>
}

/** Wordings kept in the Redis store's order: by first sighting, then as strings. */
function firstWordings(wordings: Map<string, number>, max: number): Map<string, number> {
  const sorted = [...wordings].sort(([a, atA], [b, atB]) => atA - atB || (a < b ? -1 : a > b ? 1 : 0))
  return new Map(sorted.slice(0, max))
}

/** The memory twin of the unknown-code store: same limits, same forgetting, same answers. */
export function createMemoryUnknownCodeStore(
  limits: UnknownCodeLimits = UNKNOWN_CODE_LIMITS,
): UnknownCodeStore {
  const byCarrier = new Map<string, Map<string, Entry>>()
  const forgetStale = (codes: Map<string, Entry>, nowMs: number) => {
    for (const [code, entry] of codes) if (entry.lastSeenMs <= nowMs - limits.retentionMs) codes.delete(code)
  }
  return {
    async record(sightings, nowMs = Date.now()) {
      for (const sighting of sightings) {
        const { carrier, code, count, firstSeenMs, lastSeenMs, wordings } = boundSighting(sighting, limits)
        const codes = byCarrier.get(carrier) ?? new Map<string, Entry>()
        byCarrier.set(carrier, codes)
        forgetStale(codes, nowMs)
        let entry = codes.get(code)
        if (!entry) {
          if (codes.size >= limits.maxCodes) continue
          entry = { count: 0, firstSeenMs, lastSeenMs, wordings: new Map() }
          codes.set(code, entry)
        }
        entry.count += count
        entry.firstSeenMs = Math.min(entry.firstSeenMs, firstSeenMs)
        entry.lastSeenMs = Math.max(entry.lastSeenMs, lastSeenMs)
        for (const wording of wordings)
          if (!entry.wordings.has(wording)) entry.wordings.set(wording, firstSeenMs)
        entry.wordings = firstWordings(entry.wordings, limits.maxWordings)
      }
    },

    async list(carrier, nowMs = Date.now()) {
      return [...(byCarrier.get(carrier) ?? [])]
        .filter(([, entry]) => entry.lastSeenMs > nowMs - limits.retentionMs)
        .sort(
          ([a, entryA], [b, entryB]) => entryB.lastSeenMs - entryA.lastSeenMs || (a < b ? 1 : a > b ? -1 : 0),
        )
        .map(([code, entry]) => ({
          code,
          wordings: [...entry.wordings.keys()],
          count: entry.count,
          firstSeen: new Date(entry.firstSeenMs).toISOString(),
          lastSeen: new Date(entry.lastSeenMs).toISOString(),
        }))
    },
  }
}
