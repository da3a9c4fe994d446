import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createSilentLogger } from '../../src/logger.js'
import { type RunningService, startService } from '../../src/main/service.js'
import { warnIfEvicting } from '../../src/redis/resolve-redis.js'
import { createApiKeyStore } from '../../src/store/api-key-store.js'
import { clusterEnv, masterOfKey, testClusterConnections, uniqueTaggedPrefix } from '../support/cluster.js'
import { eventually } from '../support/harness.js'
import { uniquePrefix } from '../support/redis.js'

const ADMIN_TOKEN = 'admin-token-for-the-cluster-test-0123456789'
/** What the README promises: a Redis that does not answer gets a 503 within 1 s (bound with margin). */
const PROMISED_MS = 1_500
const PAUSE_MS = 3_000

type Answer = { status: number; body: Record<string, unknown>; ms: number }

describe('colis serve --role api on a Redis Cluster (REDIS_CLUSTER_NODES, 64 shards)', () => {
  const connections = testClusterConnections()
  const prefix = uniquePrefix('service')
  let control: Cluster
  let service: RunningService
  let base: string

  const call = async (path: string, key?: string, init: RequestInit = {}): Promise<Answer> => {
    const started = performance.now()
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
      signal: AbortSignal.timeout(10_000),
    })
    const text = await response.text()
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      ms: performance.now() - started,
    }
  }
  const createKey = async (merchantId: string) =>
    (await call('/admin/keys', ADMIN_TOKEN, { method: 'POST', body: JSON.stringify({ merchantId }) }))
      .body as {
      key: string
      keyId: string
    }

  beforeAll(async () => {
    control = connections.connect()
    const config = loadConfig({
      NODE_ENV: 'test',
      ...clusterEnv(),
      COLIS_REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: '0',
      COLIS_ADMIN_TOKEN: ADMIN_TOKEN,
    })
    service = await startService(config, 'api', createSilentLogger())
    base = service.url ?? ''
  })

  afterAll(async () => {
    await service?.stop()
    await connections.closeAll()
  })

  it('refuses a key revoked by another process at once: the revocation reaches it by pub/sub', async () => {
    const created = await createKey('shop-revoked')
    expect((await call('/v1/trackings', created.key)).status).toBe(200)
    await createApiKeyStore(control, prefix, 64).revoke(created.keyId)
    // Far below the 5 s the API trusts a verified key without asking Redis.
    await eventually(
      () => call('/v1/trackings', created.key),
      (answer) => answer.status === 401,
      2_000,
    )
  })

  it("answers 503 within 1 s while its slot's master does not answer, and recovers once it does", async () => {
    const { key } = await createKey('shop-stall')
    for (let i = 0; i < 3; i++) expect((await call('/v1/trackings', key)).status).toBe(200)
    expect((await call('/readyz')).status).toBe(200)

    // The slot of the data of no tracking, API keys included: every request reads it.
    const master = await masterOfKey(control, `{${prefix}}`)
    // The master holds every command, CLIENT UNPAUSE included, until the pause ends by itself.
    await master.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL')
    const paused = performance.now()
    const [list, readiness] = await Promise.all([call('/v1/trackings', key), call('/readyz')])
    const again = await call('/v1/alerts', key)
    expect(performance.now() - paused, 'the checks ran while the master was paused').toBeLessThan(PAUSE_MS)
    for (const [name, answer] of Object.entries({ list, readiness, again })) {
      expect(answer.status, name).toBe(503)
      expect(answer.ms, name).toBeLessThan(PROMISED_MS)
    }
    expect(list.body).toMatchObject({ status: 503, code: 'redis_unavailable' })

    await eventually(
      () => call('/v1/trackings', key),
      (answer) => answer.status === 200,
      PAUSE_MS + 10_000,
    )
    expect((await call('/readyz')).status).toBe(200)
  })
})

describe('warnIfEvicting on a Redis Cluster', () => {
  it('reads maxmemory-policy on every master and names the one that may evict', async () => {
    const connections = testClusterConnections()
    const client = connections.connect()
    const master = await masterOfKey(client, uniqueTaggedPrefix('evicting'))
    const warnings: unknown[] = []
    const logger = { ...createSilentLogger(), warn: (fields: unknown) => warnings.push(fields) }
    try {
      await master.config('SET', 'maxmemory-policy', 'allkeys-lru')
      await warnIfEvicting(client, logger as unknown as ReturnType<typeof createSilentLogger>)
      expect(warnings).toEqual([
        { maxmemoryPolicy: 'allkeys-lru', node: `${master.options.host}:${master.options.port}` },
      ])
    } finally {
      await master.config('SET', 'maxmemory-policy', 'noeviction')
      await connections.closeAll()
    }
  })
})
