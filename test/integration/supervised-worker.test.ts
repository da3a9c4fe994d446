import { Queue, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { type SupervisedWorker, superviseWorker } from '../../workers/supervised-worker.js'
import { captureLogs } from '../support/captured-logs.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

const QUEUE = 'supervised'

describe('a supervised BullMQ worker', () => {
  const prefix = uniquePrefix('supervised-worker')
  const clients: Redis[] = []
  const connect = () => {
    const client = connectTestRedis()
    clients.push(client)
    return client
  }
  const queue = new Queue(QUEUE, { connection: connect(), prefix })
  let supervised: SupervisedWorker<unknown> | undefined

  afterEach(async () => {
    await supervised?.close()
    await queue.obliterate({ force: true })
    await queue.close()
    await Promise.all(clients.map((client) => client.quit()))
  })

  it('is replaced once it takes no waiting job for a whole lock, and the new one takes it', async () => {
    const { logger, lines } = captureLogs()
    const processedBy: Worker[] = []
    const opened: Worker[] = []
    let processed: () => void = () => undefined
    const done = new Promise<void>((resolve) => {
      processed = resolve
    })
    supervised = superviseWorker(
      (track) => {
        const worker: Worker = new Worker(
          QUEUE,
          track(async () => {
            processedBy.push(worker)
            processed()
          }),
          // The first never runs: it takes no job, as one whose blocking connection went to a dead master.
          { connection: connect(), prefix, autorun: opened.length > 0 },
        )
        opened.push(worker)
        return worker
      },
      { queue, idleMs: 300, checkEveryMs: 50, logger },
    )
    await queue.add('job', {})
    await done

    expect(opened).toHaveLength(2)
    expect(processedBy).toEqual([opened[1]])
    expect(supervised.current).toBe(opened[1])
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        queue: QUEUE,
        waiting: 1,
        msg: expect.stringMatching(/replaced/),
      }),
    )
  }, 10_000)
})
