import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { startLocalRedis } from '../../src/redis/local-redis.js'

describe('a private redis-server', () => {
  it('is stopped even when its final save fails: its directory gone, it is killed after the grace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colis-local-redis-'))
    const redis = await startLocalRedis({ dir, persistent: true, stopGraceMs: 300 })
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => null })
    await client.set('parcel', 'kept')
    client.disconnect()
    rmSync(dir, { recursive: true, force: true })
    await redis.stop()
    const probe = new Redis(redis.url, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    })
    probe.on('error', () => {})
    await expect(probe.connect()).rejects.toThrow()
    probe.disconnect()
  })

  it('adds one exit hook however many run at once (a cluster runs seven)', async () => {
    const dirs = Array.from({ length: 3 }, () => mkdtempSync(join(tmpdir(), 'colis-local-redis-')))
    const hooksBefore = process.listenerCount('exit')
    const servers = await Promise.all(dirs.map((dir) => startLocalRedis({ dir, persistent: false })))
    try {
      expect(process.listenerCount('exit')).toBeLessThanOrEqual(hooksBefore + 1)
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    }
  })
})
