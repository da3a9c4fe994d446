import type { Queue } from 'bullmq'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Logger } from '../../src/logger.js'
import { createMemoryTrackingStore } from '../../src/store/memory/memory-tracking-store.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { sharesOf, startDispatcher } from '../../workers/dispatch-due.js'
import type { PollJobData } from '../../workers/jobs.js'
import { captureLogs } from '../support/captured-logs.js'
import { eventually } from '../support/harness.js'
import { propertyRuns } from '../support/property-runs.js'

/** A store holding `count` sandbox parcels due now, oldest first; their ids in that order. */
async function storeWithDue(count: number): Promise<{ store: TrackingStore; ids: string[] }> {
  const store = createMemoryTrackingStore()
  const ids: string[] = []
  const dueMs = Date.now() - 1000
  for (let index = 0; index < count; index++) {
    const { record } = await store.register(
      { merchantId: 'shop', carrier: 'sandbox', trackingNumber: `SBXDELIVERED00${index}` },
      new Date(dueMs + index),
    )
    ids.push(record.id)
  }
  return { store, ids }
}

/** Runs a dispatcher (ticking every 5 ms) until `done` holds, then stops it. */
async function dispatchUntil(
  deps: {
    queue: Queue<PollJobData>
    store: TrackingStore
    batchSize: number
    logger: Logger
    shards?: () => readonly number[]
  },
  done: () => boolean,
) {
  const dispatcher = startDispatcher({
    carrier: 'sandbox',
    shards: () => [0],
    ...deps,
    intervalMs: 5,
    leaseMs: 600_000,
    maxWaitingJobs: 10,
  })
  try {
    await eventually(async () => done(), Boolean, 5_000)
  } finally {
    await dispatcher.stop()
  }
}

describe('the poll dispatcher while Redis fails', () => {
  it('survives the failures, logs the first one only, then the recovery, and dispatches again', async () => {
    const { logger, lines } = captureLogs()
    let failuresLeft = 4
    const added: string[][] = []
    const queue = {
      async isPaused() {
        if (failuresLeft > 0) {
          failuresLeft--
          throw new Error('Connection is closed.')
        }
        return false
      },
      getWaitingCount: async () => 0,
      async addBulk(jobs: Array<{ data: PollJobData }>) {
        added.push(...jobs.map((job) => job.data.ids))
        return []
      },
    } as unknown as Queue<PollJobData>
    const { store, ids } = await storeWithDue(2)
    await dispatchUntil({ queue, store, batchSize: 1, logger }, () => added.length === 2)
    expect(added).toEqual([[ids[0]], [ids[1]]])
    const errors = lines.filter((line) => line.level >= 50)
    expect(errors.map((line) => line.msg)).toEqual(['poll dispatch failed; retrying with backoff'])
    expect(lines.filter((line) => line.msg === 'poll dispatch still failing')).toHaveLength(3)
    expect(lines.filter((line) => line.msg === 'poll dispatch works again')).toEqual([
      expect.objectContaining({ level: 30, failures: 4 }),
    ])
  })
})

describe('the poll dispatcher when Redis fails between a claim and its enqueue', () => {
  it('enqueues the claimed trackings once Redis is back, under the same job ids, without waiting for their lease', async () => {
    const { logger } = captureLogs()
    let addFailuresLeft = 2
    const tried: string[][] = []
    const added: Array<{ ids: string[]; jobId: string }> = []
    const queue = {
      isPaused: async () => false,
      getWaitingCount: async () => 0,
      async addBulk(jobs: Array<{ data: PollJobData; opts: { jobId: string } }>) {
        tried.push(jobs.map((job) => job.opts.jobId))
        if (addFailuresLeft > 0) {
          addFailuresLeft--
          throw new Error('Connection is closed.')
        }
        added.push(...jobs.map((job) => ({ ids: job.data.ids, jobId: job.opts.jobId })))
        return []
      },
    } as unknown as Queue<PollJobData>
    const { store, ids } = await storeWithDue(3)
    await dispatchUntil({ queue, store, batchSize: 2, logger }, () => added.length === 2)
    expect(added.map((job) => job.ids)).toEqual([[ids[0], ids[1]], [ids[2]]])
    expect(tried).toHaveLength(3)
    expect(tried[1]).toEqual(tried[0])
    expect(tried[2]).toEqual(tried[0])
    expect(added.map((job) => job.jobId)).toEqual(tried[0])
  })
})

describe('the poll dispatcher over several shards', () => {
  it('claims from the shards this process holds only, each job holding the trackings of one shard', async () => {
    const { logger } = captureLogs()
    const due = new Map([
      [1, ['trk-1a', 'trk-1b', 'trk-1c']],
      [2, ['trk-2a']],
      [3, ['trk-3a', 'trk-3b']],
    ])
    const asked: number[] = []
    const store = {
      shards: 4,
      async claimDue(shard: number, _carrier: string, _nowMs: number, limit: number) {
        asked.push(shard)
        return (due.get(shard) ?? []).splice(0, limit)
      },
    } as unknown as TrackingStore
    const added: string[][] = []
    const queue = {
      isPaused: async () => false,
      getWaitingCount: async () => 0,
      async addBulk(jobs: Array<{ data: PollJobData }>) {
        added.push(...jobs.map((job) => job.data.ids))
        return []
      },
    } as unknown as Queue<PollJobData>
    await dispatchUntil(
      { queue, store, batchSize: 2, logger, shards: () => [1, 3] },
      () => added.length === 3,
    )
    expect(new Set(asked)).toEqual(new Set([1, 3]))
    expect(added.sort()).toEqual([['trk-1a', 'trk-1b'], ['trk-1c'], ['trk-3a', 'trk-3b']])
  })
})

describe('the poll dispatcher with a backlog on one shard', () => {
  it('asks every shard at once for whole jobs, gives the room left to the shard that filled its part, and asks no shard found short again in the tick', async () => {
    const { logger } = captureLogs()
    const due = new Map([0, 1, 2, 3].map((shard) => [shard, [`trk-${shard}-0`]]))
    due.set(
      2,
      Array.from({ length: 30 }, (_, index) => `trk-2-${index}`),
    )
    let inFlight = 0
    let mostInFlight = 0
    const asked: Array<{ shard: number; limit: number }> = []
    const store = {
      shards: 4,
      async claimDue(shard: number, _carrier: string, _nowMs: number, limit: number) {
        asked.push({ shard, limit })
        inFlight++
        mostInFlight = Math.max(mostInFlight, inFlight)
        await new Promise((resolve) => setImmediate(resolve))
        inFlight--
        return (due.get(shard) ?? []).splice(0, limit)
      },
    } as unknown as TrackingStore
    const bulks: string[][][] = []
    const queue = {
      isPaused: async () => false,
      getWaitingCount: async () => 0,
      async addBulk(jobs: Array<{ data: PollJobData }>) {
        bulks.push(jobs.map((job) => job.data.ids))
        return []
      },
    } as unknown as Queue<PollJobData>
    await dispatchUntil(
      { queue, store, batchSize: 2, logger, shards: () => [0, 1, 2, 3] },
      () => bulks.flat(2).length === 33,
    )
    expect(mostInFlight).toBe(4)
    // Room for ten jobs of two: three jobs each to the first two shards of the turn, two to the others.
    expect(asked.slice(0, 6)).toEqual([
      { shard: 0, limit: 6 },
      { shard: 1, limit: 6 },
      { shard: 2, limit: 4 },
      { shard: 3, limit: 4 },
      // The whole jobs' room the three short shards left.
      { shard: 2, limit: 12 },
      // Shard 2 may hold more, so the tick goes on, with it alone: the others were found short.
      { shard: 2, limit: 20 },
    ])
    expect(bulks.map((jobs) => jobs.flat().length)).toEqual([19, 14])
    for (const job of bulks.flat()) expect(new Set(job.map((id) => id.slice(0, 6))).size).toBe(1)
    const shardTwo = bulks.flat().filter((job) => job[0]?.startsWith('trk-2'))
    expect(shardTwo.map((job) => job.length)).toEqual(Array(15).fill(2))
  })

  it('splits the room over the shards evenly, to the last tracking', () => {
    fc.assert(
      fc.property(fc.nat(5000), fc.integer({ min: 1, max: 1024 }), (room, shards) => {
        const shares = sharesOf(room, shards)
        expect(shares).toHaveLength(shards)
        expect(shares.reduce((sum, share) => sum + share, 0)).toBe(room)
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1)
        expect([...shares].sort((a, b) => b - a)).toEqual(shares)
      }),
      { numRuns: propertyRuns(200) },
    )
  })
})
