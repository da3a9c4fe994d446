import { describe, expect, it } from 'vitest'
import type {
  UnknownCodeLimits,
  UnknownCodeSighting,
  UnknownCodeStore,
} from '../../src/store/unknown-code-store.js'

const DAY_MS = 24 * 3_600_000
const T0 = Date.parse('2026-03-27T10:00:00.000Z')

const sighting = (fields: Partial<UnknownCodeSighting> & { code: string }): UnknownCodeSighting => ({
  carrier: 'sandbox',
  count: 1,
  firstSeenMs: T0,
  lastSeenMs: T0,
  wordings: [],
  ...fields,
})

/**
 * What every `UnknownCodeStore` does: run against the memory store and the Redis store alike.
 * `createStore` gives an empty store with the given limits each time.
 */
export function runUnknownCodeStoreContract(
  name: string,
  createStore: (limits: UnknownCodeLimits) => UnknownCodeStore,
) {
  const limits: UnknownCodeLimits = { maxCodes: 3, maxWordings: 3, retentionMs: 30 * DAY_MS }

  describe(`${name}: codes a carrier's table lacks`, () => {
    it('adds up sightings from several writers: counts, earliest first, latest last, first wordings', async () => {
      const store = createStore(limits)
      await store.record([sighting({ code: 'SBX_XFER', count: 2, wordings: ['Transfert inter-sites'] })], T0)
      await store.record(
        [
          sighting({
            code: 'SBX_XFER',
            count: 5,
            firstSeenMs: T0 - 60_000,
            lastSeenMs: T0 + 60_000,
            wordings: ['Transfert inter-sites', 'Transfert vers Lyon'],
          }),
        ],
        T0,
      )
      expect(await store.list('sandbox', T0 + 60_000)).toEqual([
        {
          code: 'SBX_XFER',
          wordings: ['Transfert vers Lyon', 'Transfert inter-sites'],
          count: 7,
          firstSeen: new Date(T0 - 60_000).toISOString(),
          lastSeen: new Date(T0 + 60_000).toISOString(),
        },
      ])
    })

    it('keeps the first wordings seen, each once, and no more than the limit', async () => {
      const store = createStore(limits)
      await store.record([sighting({ code: 'X1', wordings: ['b', 'a'] })], T0)
      await store.record(
        [sighting({ code: 'X1', firstSeenMs: T0 + 1, lastSeenMs: T0 + 1, wordings: ['a', 'c', 'd'] })],
        T0,
      )
      await store.record(
        [sighting({ code: 'X1', firstSeenMs: T0 + 2, lastSeenMs: T0 + 2, wordings: ['e'] })],
        T0,
      )
      const [listed] = await store.list('sandbox', T0)
      expect(listed?.wordings).toEqual(['a', 'b', 'c'])
    })

    it('lists one carrier, last seen first; another carrier sees none of it', async () => {
      const store = createStore(limits)
      await store.record(
        [
          sighting({ code: 'OLD', lastSeenMs: T0 - 1000 }),
          sighting({ code: 'NEW', lastSeenMs: T0 }),
          sighting({ carrier: 'laposte', code: 'ZZ9' }),
        ],
        T0,
      )
      expect((await store.list('sandbox', T0)).map((code) => code.code)).toEqual(['NEW', 'OLD'])
      expect((await store.list('laposte', T0)).map((code) => code.code)).toEqual(['ZZ9'])
      expect(await store.list('chronopost', T0)).toEqual([])
    })

    it('forgets a code not seen for the retention period, which makes room for new ones', async () => {
      const store = createStore(limits)
      await store.record(
        ['A', 'B', 'C'].map((code, index) => sighting({ code, lastSeenMs: T0 + index })),
        T0,
      )
      await store.record([sighting({ code: 'D', lastSeenMs: T0 + 10 })], T0 + 10)
      expect((await store.list('sandbox', T0 + 10)).map((code) => code.code)).toEqual(['C', 'B', 'A'])

      const later = T0 + limits.retentionMs
      expect((await store.list('sandbox', later)).map((code) => code.code)).toEqual(['C', 'B'])
      await store.record([sighting({ code: 'D', firstSeenMs: later, lastSeenMs: later })], later)
      expect((await store.list('sandbox', later)).map((code) => code.code)).toEqual(['D', 'C', 'B'])
      // A code that still comes is kept counting while the carrier is full.
      await store.record([sighting({ code: 'B', firstSeenMs: later, lastSeenMs: later + 1 })], later)
      expect((await store.list('sandbox', later + 1)).map((code) => [code.code, code.count])).toEqual([
        ['B', 2],
        ['D', 1],
        ['C', 1],
      ])
    })

    it('cuts long codes and wordings', async () => {
      const store = createStore(limits)
      await store.record([sighting({ code: 'C'.repeat(100), wordings: ['w'.repeat(500)] })], T0)
      const [listed] = await store.list('sandbox', T0)
      expect(listed?.code).toHaveLength(64)
      expect(listed?.wordings[0]).toHaveLength(200)
    })
  })
}
