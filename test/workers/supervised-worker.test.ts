import { RateLimitError, type Worker } from 'bullmq'
import { describe, expect, it } from 'vitest'
import { closeWithin, isStuck, superviseWorker, type TrackJobs } from '../../workers/supervised-worker.js'
import { captureLogs } from '../support/captured-logs.js'

describe('closing a worker', () => {
  it('waits for a worker that closes, and says nothing', async () => {
    const { logger, lines } = captureLogs()
    let closed = false
    const worker = {
      name: 'poll-laposte',
      close: async () => {
        await new Promise((resolve) => setImmediate(resolve))
        closed = true
      },
    }
    await closeWithin(worker, 60_000, logger)
    expect(closed).toBe(true)
    expect(lines).toEqual([])
  })

  it('goes on without a worker whose close never returns once the grace is over, and says which', async () => {
    const { logger, lines } = captureLogs()
    const worker = { name: 'poll-laposte.1', close: () => new Promise<void>(() => undefined) }
    await closeWithin(worker, 20, logger)
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        queue: 'poll-laposte.1',
        msg: expect.stringMatching(/did not close in time/),
      }),
    ])
  })

  it('passes on a close that fails within the grace', async () => {
    const { logger } = captureLogs()
    const failing = { name: 'poll-dpd', close: () => Promise.reject(new Error('Connection is closed.')) }
    await expect(closeWithin(failing, 60_000, logger)).rejects.toThrow('Connection is closed.')
  })
})

describe('a worker found stuck', () => {
  const idleMs = 30_000
  const nowMs = 1_000_000
  const idle = { running: 0, lastTakenAtMs: nowMs - idleMs }
  const waiting = { waiting: 3, limitedMs: 0, paused: false }

  it('is one with jobs waiting that took none for a whole lock, running none', () => {
    expect(isStuck(idle, waiting, nowMs, idleMs)).toBe(true)
  })

  it('is not one that took a job within the lock', () => {
    expect(isStuck({ ...idle, lastTakenAtMs: nowMs - idleMs + 1 }, waiting, nowMs, idleMs)).toBe(false)
  })

  it('is not one still running a job, however long ago it took it', () => {
    expect(isStuck({ running: 1, lastTakenAtMs: 0 }, waiting, nowMs, idleMs)).toBe(false)
  })

  it('is not one with nothing waiting, held back by the rate limit, or on a paused queue', () => {
    expect(isStuck(idle, { ...waiting, waiting: 0 }, nowMs, idleMs)).toBe(false)
    expect(isStuck(idle, { ...waiting, limitedMs: 250 }, nowMs, idleMs)).toBe(false)
    expect(isStuck(idle, { ...waiting, paused: true }, nowMs, idleMs)).toBe(false)
  })
})

describe('the watch of a worker', () => {
  it('counts a job that leaves through a rate-limit error as done, and replaces the worker once it takes no more', async () => {
    const { logger } = captureLogs()
    const tracks: TrackJobs[] = []
    let replaced: () => void = () => undefined
    const secondOpened = new Promise<void>((resolve) => {
      replaced = resolve
    })
    const supervised = superviseWorker(
      (track) => {
        tracks.push(track)
        if (tracks.length === 2) replaced()
        return { name: 'poll-sandbox', close: async () => undefined } as unknown as Worker
      },
      {
        queue: {
          name: 'poll-sandbox',
          getWaitingCount: async () => 1,
          getRateLimitTtl: async () => 0,
          isPaused: async () => false,
        },
        idleMs: 50,
        checkEveryMs: 10,
        logger,
      },
    )
    try {
      const rateLimited = tracks[0]?.(async () => {
        throw new RateLimitError()
      })
      await expect(rateLimited?.()).rejects.toThrow(RateLimitError)
      await secondOpened
      expect(tracks).toHaveLength(2)
    } finally {
      await supervised.close()
    }
  }, 10_000)
})
