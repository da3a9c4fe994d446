import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStores } from '../../src/main/stores.js'
import { type LocalRedis, startLocalRedis } from '../../src/redis/local-redis.js'
import { runColis } from '../support/cli.js'
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../support/redis.js'

const dirs: string[] = []
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'colis-keys-'))
  dirs.push(dir)
  return dir
}

const redis = connectTestRedis()
/** Another Redis answering at the probe address, as a Redis on 6379 beside colis serve's own would. */
let probed: LocalRedis

beforeAll(async () => {
  probed = await startLocalRedis({ dir: tempDir(), port: 0, persistent: false })
})

afterAll(async () => {
  await redis.quit()
  await probed.stop()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

describe('colis keys create', () => {
  it('writes to the private Redis of the running colis serve, not to one at the probe address, and says which', async () => {
    // colis serve writes its private redis-server's address there; the run's test Redis plays that one.
    const dataDir = tempDir()
    mkdirSync(join(dataDir, 'redis'))
    writeFileSync(join(dataDir, 'redis', 'url'), testRedisUrl())
    const prefix = uniquePrefix('cli-keys')
    const run = await runColis(['keys', 'create', '--merchant', 'demo', '--json'], {
      env: { COLIS_DATA_DIR: dataDir, COLIS_PROBE_REDIS: probed.url, COLIS_REDIS_PREFIX: prefix },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(
      `colis: using Redis at ${new URL(testRedisUrl()).host} (the private redis-server of colis serve)\n`,
    )
    const { key } = JSON.parse(run.stdout) as { key: string }
    expect(await createStores(redis, prefix).apiKeys.verify(key)).toMatchObject({ merchantId: 'demo' })
    const other = new Redis(probed.url)
    try {
      expect(await other.keys(`${prefix}*`)).toEqual([])
    } finally {
      other.disconnect()
    }
  })

  it('prints the key alone on stdout, and names the Redis without its password', async () => {
    const url = new URL(testRedisUrl())
    url.username = 'default'
    url.password = 'not-a-real-password'
    const run = await runColis(['keys', 'create', '--merchant', 'demo'], {
      // The test Redis's default user has no password: any password is accepted.
      env: { REDIS_URL: url.href, COLIS_REDIS_PREFIX: uniquePrefix('cli-keys-plain') },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^colis_\S+\n$/)
    expect(run.stderr).toContain(`colis: using Redis at ${url.host} (REDIS_URL)\n`)
    expect(run.stderr).not.toContain(url.password)
  })

  it('refuses a bad merchant name with exit 2', async () => {
    const run = await runColis(['keys', 'create', '--merchant', 'no spaces please'], {
      env: { REDIS_URL: testRedisUrl() },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/merchant names/)
  })
})
