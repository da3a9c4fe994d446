import type { ChildProcess } from 'node:child_process'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKeyStore } from '../../src/store/api-key-store.js'
import { bullPrefix, DELIVERY_QUEUE, MAINTENANCE_QUEUE, pollQueueName } from '../../workers/jobs.js'
import { spawnCli, waitForExit } from '../support/child.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { eventually } from '../support/harness.js'
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../support/redis.js'

interface Started {
  child: ChildProcess
  url: string
}

/** `colis serve` as a separate process; resolves with the URL it logs once it listens. */
function startRole(role: string, env: Record<string, string>): Promise<Started> {
  const child = spawnCli(['serve'], { ...env, COLIS_ROLE: role })
  return new Promise((resolve, reject) => {
    let stderr = ''
    const timer = setTimeout(() => {
      // Not left running after the test.
      child.kill('SIGKILL')
      reject(new Error(`${role} did not listen in time:\n${stderr}`))
    }, 45_000)
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      // The last piece may be half a line: only whole lines are read.
      for (const line of stderr.split('\n').slice(0, -1)) {
        const url = line.startsWith('{') ? (JSON.parse(line) as { url?: string }).url : undefined
        if (url) {
          clearTimeout(timer)
          resolve({ child, url })
        }
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${role} exited with ${code}:\n${stderr}`))
    })
  })
}

async function stop(started: Started | undefined): Promise<number | null> {
  if (!started) return null
  started.child.kill('SIGTERM')
  return waitForExit(started.child)
}

describe.concurrent('colis serve with COLIS_ROLE=api and COLIS_ROLE=worker, as separate processes on one Redis', () => {
  const prefix = uniquePrefix('serve-roles')
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    REDIS_URL: testRedisUrl(),
    COLIS_REDIS_PREFIX: prefix,
    POLL_DISPATCH_INTERVAL: '50ms',
    ...FAST_SANDBOX_POLLING,
  }
  let redis: Redis
  let key: string
  let api: Started | undefined
  let worker: Started | undefined

  beforeAll(async () => {
    redis = connectTestRedis()
    key = (await createApiKeyStore(redis, prefix).create('shop-roles')).key
  })

  afterAll(async () => {
    await Promise.all([stop(api), stop(worker)])
    await redis.quit()
  })

  const read = async (base: string, path: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('an api process answers /v1 and polls nothing; a worker process answers only health and polls what the api registered', async () => {
    api = await startRole('api', env)
    expect((await read(api.url, '/healthz')).status).toBe(200)
    const created = await fetch(`${api.url}/v1/trackings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ trackingNumber: 'SBXDELIVERED001', carrier: 'sandbox' }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }

    // Only a BullMQ worker polls (or delivers, or sweeps), and an api process listens once all it runs
    // is started: none of its connections is a worker of these queues, so the tracking stays unpolled.
    const queues = [pollQueueName('sandbox'), DELIVERY_QUEUE, MAINTENANCE_QUEUE].map(
      (name) => new Queue(name, { connection: redis, prefix: bullPrefix({ COLIS_REDIS_PREFIX: prefix }) }),
    )
    const connectedWorkers = () => Promise.all(queues.map((queue) => queue.getWorkersCount()))
    expect(await connectedWorkers()).toEqual([0, 0, 0])
    const unpolled = await read(api.url, `/v1/trackings/${id}`)
    expect(unpolled.body).toMatchObject({ status: 'pending', events: [] })

    worker = await startRole('worker', env)
    expect(await read(worker.url, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } })
    expect(await read(worker.url, '/readyz')).toEqual({ status: 200, body: { status: 'ready' } })
    const noApi = await read(worker.url, `/v1/trackings/${id}`)
    expect(noApi).toMatchObject({ status: 404, body: { code: 'route_not_found' } })
    await eventually(connectedWorkers, (counts) => counts.every((count) => count > 0))
    await Promise.all(queues.map((queue) => queue.close()))

    const delivered = await eventually(
      async () => (await read(api?.url ?? '', `/v1/trackings/${id}`)).body,
      (tracking) => tracking.status === 'delivered',
      25_000,
    )
    expect((delivered.events as unknown[]).length).toBeGreaterThan(1)

    expect(await stop(worker)).toBe(0)
    expect(await stop(api)).toBe(0)
    api = undefined
    worker = undefined
  })
})
