import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runBin, runCliOnTerminal } from '../support/child.js'
import { testRedisUrl, uniquePrefix } from '../support/redis.js'

// The commands themselves are tested in-process (runCli); these check what only the bin's own process
// shows: that it runs from dist, hands its exit status and streams over, and sees a terminal as one.
const ESC = '\x1b['
const dir = mkdtempSync(join(tmpdir(), 'colis-bin-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.concurrent('the colis bin', () => {
  it('runs a command from dist: pure JSON on stdout, exit 0', async () => {
    const run = await runBin(['track', 'SBXDELIVERED001', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ carrier: 'sandbox', status: 'delivered' })
  })

  it('exits with the status of a failed command and one line, no stack trace', async () => {
    const run = await runBin(['normalize', '--carrier', 'laposte', '--file', '/nope.json'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('colis: cannot read /nope.json: ENOENT\n')
  })

  it('colours its output when stdout is a terminal', () => {
    const shown = runCliOnTerminal(['track', 'SBXDELIVERED001', '--lang', 'en'], {
      FORCE_COLOR: '',
      NO_COLOR: '',
    })
    expect(shown).toContain(`${ESC}32mDelivered`)
  })

  it('draws a progress bar when stderr is a terminal', () => {
    const file = join(dir, 'tty.csv')
    writeFileSync(file, 'trackingNumber\nSBXDELIVERED001\nSBXPICKUP001\nSBXRETURNED001\n')
    const shown = runCliOnTerminal(['import', file, '--merchant', 'shop-42', '--chunk-size', '1'], {
      REDIS_URL: testRedisUrl(),
      COLIS_REDIS_PREFIX: uniquePrefix('cli-bin-tty'),
    })
    expect(shown).toMatch(/\r\[█+░*\] 1\/3 lines 33%/)
    expect(shown).toContain('3 created')
  })
})
