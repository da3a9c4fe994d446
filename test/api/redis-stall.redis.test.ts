import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createSilentLogger } from '../../src/logger.js'
import { type RunningService, startService } from '../../src/main/service.js'
import { type LocalRedis, startLocalRedis } from '../../src/redis/local-redis.js'
import { eventually } from '../support/harness.js'

const ADMIN_TOKEN = 'admin-token-for-the-stall-test-0123456789'
/** What the README promises: a Redis that does not answer gets a 503 within 1 s (bound with margin). */
const PROMISED_MS = 1_500
/** Long enough for every check below, short enough to wait out. */
const PAUSE_MS = 4_000

type Answer = { status: number; contentType: string | null; body: Record<string, unknown>; ms: number }

/**
 * A redis-server of this test's own, paused with CLIENT PAUSE (it accepts connections and commands
 * but answers none), under an API process built as `colis serve --role api` builds it.
 */
describe('a Redis that stops answering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colis-stall-'))
  let redis: LocalRedis
  let control: Redis
  let service: RunningService
  let base: string
  let keys: string[]

  const call = async (path: string, key?: string, init: RequestInit = {}): Promise<Answer> => {
    const started = performance.now()
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        'content-type': 'application/json',
        ...init.headers,
      },
      signal: AbortSignal.timeout(10_000),
    })
    const text = await response.text()
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      ms: performance.now() - started,
    }
  }

  beforeAll(async () => {
    redis = await startLocalRedis({ dir, port: 0, persistent: false })
    control = new Redis(redis.url)
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: redis.url,
      HOST: '127.0.0.1',
      PORT: '0',
      COLIS_ADMIN_TOKEN: ADMIN_TOKEN,
    })
    service = await startService(config, 'api', createSilentLogger())
    base = service.url ?? ''
    keys = []
    for (const merchantId of ['shop-warm', 'shop-cold']) {
      const created = await call('/admin/keys', ADMIN_TOKEN, {
        method: 'POST',
        body: JSON.stringify({ merchantId }),
      })
      keys.push(String(created.body.key))
    }
  })

  afterAll(async () => {
    await service?.stop()
    control?.disconnect()
    await redis?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers 503 problem+json within 1 s on /v1 routes and /readyz, and recovers once it answers', async () => {
    const [warm = '', cold = ''] = keys
    // The first key is known to the API (its verification cached, its rate limit leased); the other is not.
    for (let i = 0; i < 3; i++) expect((await call('/v1/trackings', warm)).status).toBe(200)

    // Redis holds every command, CLIENT UNPAUSE included, until the pause ends by itself.
    await control.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL')
    const paused = performance.now()
    const [list, read, register, unseen, readiness] = await Promise.all([
      call('/v1/trackings', warm),
      call('/v1/trackings/trk_00000000000000000000', warm),
      call('/v1/trackings', warm, {
        method: 'POST',
        body: JSON.stringify({ trackingNumber: 'SBXDELIVERED001', carrier: 'sandbox' }),
      }),
      call('/v1/alerts', cold),
      call('/readyz'),
    ])
    // Once Redis is known not to answer, a request does not wait for it again.
    const again = await call('/v1/webhooks', cold)
    expect(performance.now() - paused, 'the checks ran while Redis was paused').toBeLessThan(PAUSE_MS)
    const answers = { list, read, register, unseen, readiness, again }
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer.status, name).toBe(503)
      expect(answer.contentType, name).toBe('application/problem+json')
      expect(answer.body, name).toMatchObject({ status: 503, code: 'redis_unavailable' })
      expect(answer.ms, name).toBeLessThan(PROMISED_MS)
    }

    await eventually(
      () => call('/v1/trackings', warm),
      (answer) => answer.status === 200,
      PAUSE_MS + 10_000,
    )
    expect((await call('/v1/alerts', cold)).status).toBe(200)
    expect((await call('/readyz')).status).toBe(200)
  })
})
