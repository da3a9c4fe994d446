import type { UnknownCodeSighting, UnknownCodeStore } from '../src/store/unknown-code-store.js'

/** Codes gathered between two writes at most: a carrier sending junk codes cannot grow memory past it. */
const MAX_PENDING = 1000
/** Codes this process remembers having written; past it, it forgets them all (a few writes more). */
const MAX_KNOWN = 10_000
const MAX_WORDINGS = 3

export interface UnknownCodeRecorder {
  /** Told of an event whose code its carrier's table lacks, as a poll maps it: memory only. */
  note(carrier: string, code: string, description?: string): void
  /** Writes to `store` from now on: what is noted until then waits. */
  start(store: Pick<UnknownCodeStore, 'record'>): void
  flush(): Promise<void>
  /** Stops writing on schedule and writes what is left. */
  close(): Promise<void>
}

/**
 * Keeps the poll path cheap: sightings add up in memory and are written once per `flushEveryMs`
 * (default a minute) per process, a code this process had not met yet at once, so an operator sees a
 * new code as soon as it comes.
 */
export function createUnknownCodeRecorder(options: {
  logger: { warn(fields: Record<string, unknown>, message: string): void }
  flushEveryMs?: number
  now?: () => number
}): UnknownCodeRecorder {
  const now = options.now ?? Date.now
  const pending = new Map<string, UnknownCodeSighting>()
  const known = new Set<string>()
  let store: Pick<UnknownCodeStore, 'record'> | undefined
  let timer: NodeJS.Timeout | undefined
  let soon: NodeJS.Immediate | undefined

  async function flush(): Promise<void> {
    if (!store || pending.size === 0) return
    const batch = [...pending.values()]
    pending.clear()
    try {
      await store.record(batch, now())
    } catch (error) {
      options.logger.warn({ err: error, codes: batch.length }, 'unknown carrier codes not recorded')
    }
  }

  // One write for every event of one answer: the answer is mapped before this runs.
  const flushSoon = () => {
    soon ??= setImmediate(() => {
      soon = undefined
      void flush()
    })
  }

  return {
    note(carrier, code, description) {
      const key = `${carrier}\u0000${code}`
      const nowMs = now()
      let sighting = pending.get(key)
      if (!sighting) {
        if (pending.size >= MAX_PENDING) return
        sighting = { carrier, code, count: 0, firstSeenMs: nowMs, lastSeenMs: nowMs, wordings: [] }
        pending.set(key, sighting)
      }
      sighting.count += 1
      sighting.lastSeenMs = nowMs
      const wording = description?.trim()
      if (wording && sighting.wordings.length < MAX_WORDINGS && !sighting.wordings.includes(wording))
        sighting.wordings.push(wording)
      if (known.has(key)) return
      if (known.size >= MAX_KNOWN) known.clear()
      known.add(key)
      flushSoon()
    },

    start(target) {
      store = target
      timer ??= setInterval(() => void flush(), options.flushEveryMs ?? 60_000)
      timer.unref()
      flushSoon()
    },

    flush,

    async close() {
      clearInterval(timer)
      if (soon) clearImmediate(soon)
      soon = undefined
      await flush()
    },
  }
}
