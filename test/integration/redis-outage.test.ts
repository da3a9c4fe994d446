import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { type RunningService, startService } from '../../src/main/service.js'
import { type LocalRedis, startLocalRedis } from '../../src/redis/local-redis.js'
import { eventually } from '../support/harness.js'

const ADMIN_TOKEN = 'admin-token-for-the-outage-test-0123456789'
/** The bound on every request of this test: a hanging request fails it. */
const REQUEST_TIMEOUT_MS = 2_000

type Answer = { status: number; contentType: string | null; body: Record<string, unknown> }

/**
 * A redis-server of this test's own (AOF on), colis started once (API and workers in one process),
 * then Redis stopped and started again on the same port and data directory. colis is never restarted.
 */
describe('Redis outage: 503 at once while it is down, everything resumes when it is back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colis-outage-'))
  const lines: string[] = []
  let redis: LocalRedis | undefined
  let port: number
  let service: RunningService
  let base: string
  let key: string

  const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    const text = await response.text()
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    }
  }

  beforeAll(async () => {
    redis = await startLocalRedis({ dir, port: 0, persistent: true })
    port = Number(new URL(redis.url).port)
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      HOST: '127.0.0.1',
      PORT: '0',
      COLIS_ADMIN_TOKEN: ADMIN_TOKEN,
      // The 38 simulated hours of the journey in about 8 s: long enough to stop Redis halfway.
      SANDBOX_TIME_SCALE: '18000',
      POLL_CALENDAR: 'off',
      POLL_DISPATCH_INTERVAL: '100ms',
      POLL_PENDING: '300ms-500ms',
      POLL_INFO_RECEIVED: '300ms-500ms',
      POLL_IN_TRANSIT: '300ms-500ms',
      POLL_NEAR_DELIVERY: '300ms-500ms',
      POLL_RETRY: '300ms-500ms',
      // A poll caught mid-flight by the outage cannot even be marked failed: it runs again once its lock
      // expires (30 s by default). One that failed is retried by BullMQ (poll-job-retry.test.ts).
      POLL_STALLED_LOCK: '2s',
      // This test reads the parcel every 50 ms for up to a minute: the per-key limit is another test's.
      RATE_LIMIT: '100000/1m',
    })
    const logger = createLogger(
      'info',
      { app: 'colis' },
      { destination: { write: (line) => lines.push(line) } },
    )
    service = await startService(config, 'all', logger)
    base = service.url ?? ''
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-outage' }),
    })
    key = ((await created.json()) as { key: string }).key
  })

  afterAll(async () => {
    // Workers finish their in-flight calls before stopping: give them their Redis back if a check failed.
    redis ??= await startLocalRedis({ dir, port, persistent: true })
    await service?.stop()
    await redis?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers 503 problem+json within the bound, workers wait, and all resumes without a restart', async () => {
    const registered = await call('/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: 'SBXDELIVERED001', carrier: 'sandbox' }),
    })
    expect(registered.status).toBe(201)
    const id = String(registered.body.id)
    const tracking = () => call(`/v1/trackings/${id}`)
    const before = await eventually(tracking, (answer) => (answer.body.events as unknown[]).length > 0)
    expect(before.body.status).not.toBe('delivered')

    await redis?.stop()
    redis = undefined

    for (const path of [`/v1/trackings/${id}`, '/v1/trackings', '/v1/alerts']) {
      const down = await call(path)
      expect(down.status, path).toBe(503)
      expect(down.contentType).toBe('application/problem+json')
      expect(down.body).toMatchObject({ status: 503, code: 'redis_unavailable' })
      expect(down.body.requestId).toEqual(expect.any(String))
    }
    const write = await call('/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: 'SBXDELIVERED002', carrier: 'sandbox' }),
    })
    expect(write.status).toBe(503)
    const ready = await call('/readyz')
    expect(ready.status).toBe(503)
    expect(ready.body.code).toBe('redis_unavailable')
    expect((await call('/healthz')).status).toBe(200)
    // The scrape still answers; what needs Redis is left out and counted.
    const scrape = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) })
    expect(scrape.status).toBe(200)
    expect(await scrape.text()).toMatch(/colis_metrics_source_errors_total\{source="queue_depths"\} [1-9]/)

    // The outage lasts until the workers have met it (and logged it): they keep trying, the API keeps answering.
    await eventually(
      async () => lines.filter((line) => /"level":50/.test(line) && /"role":"worker"/.test(line)).length,
      (count) => count > 0,
    )
    expect((await call(`/v1/trackings/${id}`)).status).toBe(503)

    redis = await startLocalRedis({ dir, port, persistent: true })

    await eventually(
      () => call('/readyz'),
      (answer) => answer.status === 200,
      20_000,
    )
    const after = await eventually(tracking, (answer) => answer.status === 200, 20_000)
    // Nothing written before the outage is lost (append-only file).
    expect((after.body.events as unknown[]).length).toBeGreaterThanOrEqual(
      (before.body.events as unknown[]).length,
    )
    expect(
      (
        await call('/v1/trackings', {
          method: 'POST',
          body: JSON.stringify({ trackingNumber: 'SBXDELIVERED003', carrier: 'sandbox' }),
        })
      ).status,
    ).toBe(201)
    // The scrape reads the queues again (they were first opened while Redis was down).
    const scraped = await eventually(
      async () => (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) })).text(),
      (text) => /colis_queue_jobs\{queue="poll-sandbox",state="waiting"\} \d+/.test(text),
      20_000,
    )
    expect(scraped).toMatch(/colis_queue_jobs\{queue="webhook-deliveries",state="failed"\} 0/)
    // Polls resumed: the parcel goes on to the end of its journey.
    const delivered = await eventually(tracking, (answer) => answer.body.status === 'delivered', 45_000)
    expect((delivered.body.events as unknown[]).length).toBeGreaterThan(
      (before.body.events as unknown[]).length,
    )

    // The outage was logged, but not once per attempt of every loop and connection.
    const errors = lines.filter((line) => /"level":50/.test(line))
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.length).toBeLessThan(60)
  }, 120_000)
})
