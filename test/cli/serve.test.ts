import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_CARRIER_IDS } from '../../adapters/registry.js'
import { findFreePort } from '../../src/redis/local-redis.js'
import { runBin, spawnCli, waitForExit } from '../support/child.js'
import { runColis } from '../support/cli.js'
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
async function startServe(
  dir: string,
  env: Record<string, string> = {},
  options: { detached?: boolean } = {},
) {
  const port = await findFreePort()
  const child = spawnCli(
    ['serve'],
    {
      REDIS_URL: undefined,
      COLIS_PROBE_REDIS: 'none',
      COLIS_DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    options,
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const base = `http://127.0.0.1:${port}`
  try {
    await eventually(
      () => httpStatus(`${base}/healthz`),
      (status) => status === 200 || child.exitCode !== null,
      45_000,
    )
    expect(child.exitCode, stderr).toBeNull()
  } catch (error) {
    // Not left running: its private redis-server goes with it.
    child.kill('SIGKILL')
    throw error
  }
  const redisUrl = readFileSync(join(dir, 'redis', 'url'), 'utf8').trim()
  return { child, base, redisUrl, stderr: () => stderr }
}

describe('a running colis serve with its private redis-server', () => {
  const examples = JSON.parse(
    readFileSync(new URL('../../adapters/generic/examples/carriers.example.json', import.meta.url), 'utf8'),
  ) as { carriers: Array<{ id: string }> }
  const dir = tempDir()
  const carriersFile = join(dir, 'carriers.json')
  let serve: Awaited<ReturnType<typeof startServe>> | undefined

  // One server for these tests (each spawn costs seconds of CPU); the last one stops it.
  beforeAll(async () => {
    writeFileSync(carriersFile, JSON.stringify({ carriers: [examples.carriers[0]] }))
    serve = await startServe(dir, { COLIS_CARRIERS_FILE: carriersFile })
  })
  const running = () => {
    if (!serve) throw new Error('colis serve did not start')
    return serve
  }
  afterAll(async () => {
    serve?.child.kill('SIGTERM')
    if (serve) await waitForExit(serve.child)
  })

  /** An API key made by `colis keys create` beside the server, as its README says. */
  async function createKey(merchant: string): Promise<string> {
    const run = await runColis(['keys', 'create', '--merchant', merchant, '--json'], {
      env: { COLIS_DATA_DIR: dir },
    })
    expect(run.code, run.stderr).toBe(0)
    const created = JSON.parse(run.stdout) as { merchant: string; key: string }
    expect(created.merchant).toBe(merchant)
    return created.key
  }

  it('keeps its data in COLIS_DATA_DIR/redis with an append-only file', async () => {
    expect(await httpStatus(`${running().base}/readyz`)).toBe(200)
    const client = new Redis(running().redisUrl)
    try {
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes'])
      expect(await client.config('GET', 'dir')).toEqual(['dir', join(dir, 'redis')])
    } finally {
      client.disconnect()
    }
  })

  it('accepts a key that `colis keys create` made beside it (the CLI finds its Redis)', async () => {
    const key = await createKey('demo')
    const response = await fetch(`${running().base}/v1/trackings`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(response.status).toBe(200)
  })

  it('reads the carrier definition file again on SIGHUP; an invalid file is refused and the running carriers stay', async () => {
    const key = await createKey('ops')
    const carrierIds = async () => {
      const response = await fetch(`${running().base}/v1/carriers`, {
        headers: { authorization: `Bearer ${key}` },
      })
      return ((await response.json()) as { data: Array<{ id: string }> }).data.map((carrier) => carrier.id)
    }
    expect(await carrierIds()).toEqual([...BUILTIN_CARRIER_IDS, 'acme-html'])

    writeFileSync(carriersFile, JSON.stringify(examples))
    running().child.kill('SIGHUP')
    await eventually(carrierIds, (ids) => ids.includes('parcelapi-json'), 10_000)

    writeFileSync(carriersFile, '{"carriers": [ {"id": "broken"} ]}')
    running().child.kill('SIGHUP')
    await eventually(
      async () => running().stderr(),
      (text) => /carrier definitions NOT reloaded/.test(text),
      10_000,
    )
    expect(running().stderr()).toMatch(/carriers\[0\]/)
    expect(running().child.exitCode).toBeNull()
    expect(await carrierIds()).toEqual([...BUILTIN_CARRIER_IDS, 'acme-html', 'parcelapi-json'])
  })

  it('stops its Redis on SIGTERM, and removes its address so that no command takes a Redis gone', async () => {
    running().child.kill('SIGTERM')
    expect(await waitForExit(running().child)).toBe(0)
    expect(await answers(running().redisUrl)).toBe(false)
    expect(existsSync(join(dir, 'redis', 'url'))).toBe(false)
  })
})

describe('colis serve without REDIS_URL', () => {
  it('exits within 3 s when Ctrl-C signals its whole process group, and stops its Redis', async () => {
    const { child, redisUrl } = await startServe(tempDir(), {}, { detached: true })
    const pid = child.pid ?? 0
    const signalled = Date.now()
    // A terminal sends SIGINT to every process of the foreground group, not to colis alone.
    process.kill(-pid, 'SIGINT')
    expect(await waitForExit(child)).toBe(0)
    expect(Date.now() - signalled).toBeLessThan(3_000)
    expect(await answers(redisUrl)).toBe(false)
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

  it('exits 1 with one line, before starting Redis or any poller, when its port is taken', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const address = taken.address()
    const port = typeof address === 'object' && address ? address.port : 0
    try {
      const dir = tempDir()
      const run = await runBin(['serve'], {
        env: { COLIS_PROBE_REDIS: 'none', COLIS_DATA_DIR: dir, PORT: String(port), LOG_LEVEL: 'info' },
      })
      expect(run.code).toBe(1)
      expect(run.stderr).toBe(`colis: port ${port} on 127.0.0.1 is already in use (set PORT or HOST)\n`)
      expect(existsSync(join(dir, 'redis'))).toBe(false)
    } finally {
      taken.close()
    }
  })

  it('exits 1 saying how to install Redis or set REDIS_URL when there is no redis-server', async () => {
    const run = await runBin(['serve'], {
      env: {
        PATH: tempDir(),
        COLIS_PROBE_REDIS: 'none',
        COLIS_DATA_DIR: tempDir(),
        REDIS_URL: '',
        PORT: '0',
      },
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/redis-server/)
    expect(run.stderr).toMatch(/REDIS_URL/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})
