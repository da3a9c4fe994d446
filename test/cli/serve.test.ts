import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { BUILTIN_CARRIER_IDS } from '../../adapters/registry.js'
import { findFreePort } from '../../src/redis/local-redis.js'
import { runCli, spawnCli, waitForExit } from '../support/child.js'
import { eventually } from '../support/harness.js'

const dirs: string[] = []
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'colis-serve-'))
  dirs.push(dir)
  return dir
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

async function httpStatus(url: string): Promise<number> {
  try {
    return (await fetch(url)).status
  } catch {
    return 0
  }
}

/** Starts `colis serve` with no REDIS_URL and no Redis to find, so it must start its own. */
async function startServe(dir: string, env: Record<string, string> = {}) {
  const port = await findFreePort()
  const child = spawnCli(['serve'], {
    REDIS_URL: undefined,
    COLIS_PROBE_REDIS: 'none',
    COLIS_DATA_DIR: dir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...env,
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const base = `http://127.0.0.1:${port}`
  await eventually(
    () => httpStatus(`${base}/healthz`),
    (status) => status === 200 || child.exitCode !== null,
    20_000,
  )
  expect(child.exitCode).toBeNull()
  const redisUrl = readFileSync(join(dir, 'redis', 'url'), 'utf8').trim()
  return { child, base, redisUrl, stderr: () => stderr }
}

describe('colis serve without REDIS_URL', () => {
  it('starts a private redis-server with an append-only file, serves the API, and stops Redis on SIGTERM', async () => {
    const dir = tempDir()
    const { child, base, redisUrl } = await startServe(dir)
    expect(await httpStatus(`${base}/readyz`)).toBe(200)
    const client = new Redis(redisUrl)
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes'])
    expect(await client.config('GET', 'dir')).toEqual(['dir', join(dir, 'redis')])
    client.disconnect()

    child.kill('SIGTERM')
    expect(await waitForExit(child)).toBe(0)
    await eventually(
      () => answers(redisUrl),
      (up) => !up,
      5_000,
    )
  })

  it('leaves no redis-server behind when it is SIGKILLed', async () => {
    const { child, redisUrl } = await startServe(tempDir())
    expect(await answers(redisUrl)).toBe(true)
    child.kill('SIGKILL')
    await waitForExit(child)
    await eventually(
      () => answers(redisUrl),
      (up) => !up,
      5_000,
    )
  })

  it('exits 1 saying how to install Redis or set REDIS_URL when there is no redis-server', async () => {
    const run = await runCli(['serve'], {
      env: { PATH: tempDir(), COLIS_PROBE_REDIS: 'none', COLIS_DATA_DIR: tempDir(), REDIS_URL: '' },
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/redis-server/)
    expect(run.stderr).toMatch(/REDIS_URL/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('colis keys create', () => {
  it('prints pure JSON with --json, and the key works against the same Redis', async () => {
    const dir = tempDir()
    const { child, base } = await startServe(dir)
    try {
      const run = await runCli(['keys', 'create', '--merchant', 'demo', '--json'], {
        env: { COLIS_PROBE_REDIS: 'none', COLIS_DATA_DIR: dir },
      })
      expect(run.code, run.stderr).toBe(0)
      const created = JSON.parse(run.stdout) as { merchant: string; key: string }
      expect(created.merchant).toBe('demo')
      const response = await fetch(`${base}/v1/trackings`, {
        headers: { authorization: `Bearer ${created.key}` },
      })
      expect(response.status).toBe(200)
    } finally {
      child.kill('SIGTERM')
      await waitForExit(child)
    }
  })

  it('refuses a bad merchant name with exit 2', async () => {
    const run = await runCli(['keys', 'create', '--merchant', 'no spaces please'], {
      env: { REDIS_URL: (await import('vitest')).inject('redisUrl') },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/merchant names/)
  })
})

describe('carrier definition file', () => {
  const examples = JSON.parse(
    readFileSync(new URL('../../adapters/generic/examples/carriers.example.json', import.meta.url), 'utf8'),
  ) as { carriers: Array<{ id: string }> }

  it('stops startup with the path of the offending field and why', async () => {
    const file = join(tempDir(), 'carriers.json')
    writeFileSync(
      file,
      JSON.stringify({ carriers: [{ ...examples.carriers[0], dates: { timeZone: 'Europe/Pariss' } }] }),
    )
    const run = await runCli(['serve'], {
      env: { COLIS_CARRIERS_FILE: file, COLIS_PROBE_REDIS: 'none', COLIS_DATA_DIR: tempDir() },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/carriers\[0\]\.dates/)
    expect(run.stderr).toMatch(/Europe\/Pariss/)
  })

  it('is read again on SIGHUP; an invalid file is refused and the running carriers stay', async () => {
    const dir = tempDir()
    const file = join(dir, 'carriers.json')
    writeFileSync(file, JSON.stringify({ carriers: [examples.carriers[0]] }))
    const { child, base, stderr } = await startServe(dir, { COLIS_CARRIERS_FILE: file })
    try {
      const created = await runCli(['keys', 'create', '--merchant', 'ops', '--json'], {
        env: { COLIS_PROBE_REDIS: 'none', COLIS_DATA_DIR: dir },
      })
      const { key } = JSON.parse(created.stdout) as { key: string }
      const carrierIds = async () => {
        const response = await fetch(`${base}/v1/carriers`, { headers: { authorization: `Bearer ${key}` } })
        return ((await response.json()) as { data: Array<{ id: string }> }).data.map((carrier) => carrier.id)
      }
      expect(await carrierIds()).toEqual([...BUILTIN_CARRIER_IDS, 'acme-html'])

      writeFileSync(file, JSON.stringify(examples))
      child.kill('SIGHUP')
      await eventually(carrierIds, (ids) => ids.includes('parcelapi-json'), 10_000)

      writeFileSync(file, '{"carriers": [ {"id": "broken"} ]}')
      child.kill('SIGHUP')
      await eventually(
        async () => stderr(),
        (text) => /carrier definitions NOT reloaded/.test(text),
        10_000,
      )
      expect(stderr()).toMatch(/carriers\[0\]/)
      expect(child.exitCode).toBeNull()
      expect(await carrierIds()).toEqual([...BUILTIN_CARRIER_IDS, 'acme-html', 'parcelapi-json'])
    } finally {
      child.kill('SIGTERM')
      await waitForExit(child)
    }
  })
})
