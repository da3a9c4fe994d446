import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runColis } from '../support/cli.js'

// `colis serve` refusing to start, in-process: nothing starts, and no signal handler stays behind.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
let listeners: number[]
beforeEach(() => {
  listeners = SIGNALS.map((signal) => process.listenerCount(signal))
})
afterEach(() => {
  expect(SIGNALS.map((signal) => process.listenerCount(signal))).toEqual(listeners)
})

const dir = mkdtempSync(join(tmpdir(), 'colis-serve-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** No Redis to find: a serve that got past its checks would have to start one, and the test would see it. */
const NO_REDIS = { COLIS_DATA_DIR: join(dir, 'data'), PORT: '0' }

describe('colis serve with COLIS_ROLE=api or worker', () => {
  it.each(['api', 'worker'])(
    'refuses to start role %s without REDIS_URL or REDIS_CLUSTER_NODES (exit 2, one clear line)',
    async (role) => {
      const run = await runColis(['serve'], { env: { ...NO_REDIS, COLIS_ROLE: role } })
      expect(run.code).toBe(2)
      expect(run.stderr).toBe(
        `colis: role "${role}" needs REDIS_URL (e.g. redis://redis:6379) or REDIS_CLUSTER_NODES: API and worker processes must share one Redis; a private redis-server is only started for role "all"\n`,
      )
    },
  )

  it('--role overrides COLIS_ROLE, and is held to the same rule', async () => {
    const run = await runColis(['serve', '--role', 'worker'], { env: { ...NO_REDIS, COLIS_ROLE: 'all' } })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^colis: role "worker" needs REDIS_URL/)
  })

  it('refuses an unknown --role with exit 2', async () => {
    const run = await runColis(['serve', '--role', 'both'], { env: NO_REDIS })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('colis: --role is one of all, api, worker\n')
  })
})

describe('colis serve with a carrier definition file', () => {
  const examples = JSON.parse(
    readFileSync(new URL('../../adapters/generic/examples/carriers.example.json', import.meta.url), 'utf8'),
  ) as { carriers: Array<{ id: string }> }

  it('stops startup with the path of the offending field and why', async () => {
    const file = join(dir, 'carriers.json')
    writeFileSync(
      file,
      JSON.stringify({ carriers: [{ ...examples.carriers[0], dates: { timeZone: 'Europe/Pariss' } }] }),
    )
    const run = await runColis(['serve'], { env: { ...NO_REDIS, COLIS_CARRIERS_FILE: file } })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/carriers\[0\]\.dates/)
    expect(run.stderr).toMatch(/Europe\/Pariss/)
  })
})

describe('colis serve with COLIS_CODE_OVERRIDES', () => {
  it('stops startup with one line naming the file and each bad rule (exit 2)', async () => {
    const file = join(dir, 'codes.json')
    writeFileSync(file, JSON.stringify({ sandbox: { SBX_XFER: 'moving', '/(/': 'in_transit' }, acme: {} }))
    const run = await runColis(['serve'], { env: { ...NO_REDIS, COLIS_CODE_OVERRIDES: file } })
    expect(run.code).toBe(2)
    expect(run.stderr.split('\n')).toEqual([
      expect.stringContaining(`colis: invalid code overrides in ${file}: `),
      '',
    ])
    expect(run.stderr).toMatch(/"sandbox" → "SBX_XFER": "moving" is not an event status/)
    expect(run.stderr).toMatch(/"sandbox" → "\/\(\/": invalid regular expression/)
    expect(run.stderr).toMatch(/"acme": no such carrier on this deployment/)
  })
})
