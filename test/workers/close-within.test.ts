import { describe, expect, it } from 'vitest'
import { closeWithin } from '../../workers/carrier-poller.js'
import { captureLogs } from '../support/captured-logs.js'

describe('closing a poll worker', () => {
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
