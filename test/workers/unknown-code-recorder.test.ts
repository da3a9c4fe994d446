import { describe, expect, it } from 'vitest'
import type { UnknownCodeSighting } from '../../src/store/unknown-code-store.js'
import { createUnknownCodeRecorder } from '../../workers/unknown-code-recorder.js'

const T0 = Date.parse('2026-03-27T10:00:00.000Z')
/** What `setImmediate` work queued before it has run by then: the recorder's write of a new code. */
const afterQueuedWrites = () => new Promise((resolve) => setImmediate(resolve))

function recorderWithStore(options: { fail?: boolean } = {}) {
  let nowMs = T0
  const writes: UnknownCodeSighting[][] = []
  const warnings: string[] = []
  const recorder = createUnknownCodeRecorder({
    logger: {
      warn: (fields: unknown, message: string) => void warnings.push(`${message} ${JSON.stringify(fields)}`),
    },
    flushEveryMs: 3_600_000,
    now: () => nowMs,
  })
  const store = {
    async record(sightings: readonly UnknownCodeSighting[]) {
      if (options.fail) throw new Error('Connection is closed.')
      writes.push(sightings.map((sighting) => ({ ...sighting, wordings: [...sighting.wordings] })))
    },
  }
  return { recorder, store, writes, warnings, tick: (ms: number) => (nowMs += ms) }
}

describe('the unknown-code recorder', () => {
  it('writes a code new to this process at once, one write for all the events of one answer', async () => {
    const { recorder, store, writes } = recorderWithStore()
    recorder.start(store)
    recorder.note('sandbox', 'SBX_XFER', 'Transfert inter-sites')
    recorder.note('sandbox', 'SBX_XFER', ' Transfert inter-sites ')
    recorder.note('laposte', 'ZZ9', undefined)
    await afterQueuedWrites()
    expect(writes).toEqual([
      [
        {
          carrier: 'sandbox',
          code: 'SBX_XFER',
          count: 2,
          firstSeenMs: T0,
          lastSeenMs: T0,
          wordings: ['Transfert inter-sites'],
        },
        { carrier: 'laposte', code: 'ZZ9', count: 1, firstSeenMs: T0, lastSeenMs: T0, wordings: [] },
      ],
    ])
  })

  it('adds up later sightings of a known code in memory until the next scheduled write', async () => {
    const { recorder, store, writes, tick } = recorderWithStore()
    recorder.start(store)
    recorder.note('sandbox', 'SBX_XFER', 'Transfert inter-sites')
    await afterQueuedWrites()
    for (const wording of ['Transfert A', 'Transfert B', 'Transfert C', 'Transfert D']) {
      tick(1000)
      recorder.note('sandbox', 'SBX_XFER', wording)
    }
    await afterQueuedWrites()
    expect(writes).toHaveLength(1)

    await recorder.flush()
    expect(writes[1]).toEqual([
      {
        carrier: 'sandbox',
        code: 'SBX_XFER',
        count: 4,
        firstSeenMs: T0 + 1000,
        lastSeenMs: T0 + 4000,
        wordings: ['Transfert A', 'Transfert B', 'Transfert C'],
      },
    ])
    await recorder.flush()
    expect(writes).toHaveLength(2)
  })

  it('keeps what it is told before it has a store, and writes what is left when it closes', async () => {
    const { recorder, store, writes } = recorderWithStore()
    recorder.note('sandbox', 'SBX_XFER', 'Transfert inter-sites')
    await afterQueuedWrites()
    expect(writes).toEqual([])
    recorder.start(store)
    await afterQueuedWrites()
    expect(writes.flat().map((sighting) => sighting.code)).toEqual(['SBX_XFER'])

    recorder.note('sandbox', 'SBX_XFER', 'Transfert inter-sites')
    await recorder.close()
    expect(writes.flat().map((sighting) => [sighting.code, sighting.count])).toEqual([
      ['SBX_XFER', 1],
      ['SBX_XFER', 1],
    ])
  })

  it('logs a write that fails, without the wordings, and goes on', async () => {
    const { recorder, store, warnings } = recorderWithStore({ fail: true })
    recorder.start(store)
    recorder.note('sandbox', 'SBX_XFER', 'Transfert inter-sites')
    await recorder.flush()
    expect(warnings).toEqual([expect.stringMatching(/^unknown carrier codes not recorded /)])
    expect(warnings[0]).not.toContain('Transfert')
  })
})
