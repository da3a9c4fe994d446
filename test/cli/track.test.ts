import { readFileSync } from 'node:fs'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runColis } from '../support/cli.js'

const ESC = '\x1b['
const FRENCH_TIME = /(lun|mar|mer|jeu|ven|sam|dim)\. \d{1,2} \S+ \d{4},? \d{2}:\d{2}/
const ENGLISH_TIME = /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2,3} \d{4},? \d{2}:\d{2}/

type Normalized = { carrier: string; trackingNumber: string; status: string; events: unknown[] }

/** The keys of a JSON object text that appear more than once at its top level (JSON.parse keeps the last). */
function repeatedTopLevelKeys(line: string): string[] {
  const seen = new Set<string>()
  const repeated: string[] = []
  let depth = 0
  for (const match of line.matchAll(/"(?:[^"\\]|\\.)*"\s*:?|[{}[\]]/g)) {
    const token = match[0]
    if (token === '{' || token === '[') depth++
    else if (token === '}' || token === ']') depth--
    else if (depth === 1 && token.endsWith(':')) {
      const key = token.slice(0, token.lastIndexOf('"') + 1)
      if (seen.has(key)) repeated.push(key)
      seen.add(key)
    }
  }
  return repeated
}

describe.concurrent('colis track', () => {
  it('prints a sandbox timeline as pure JSON on stdout', async () => {
    const run = await runColis(['track', 'sbx-delivered-001', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const snapshot = JSON.parse(run.stdout) as Normalized
    expect(snapshot).toMatchObject({
      carrier: 'sandbox',
      trackingNumber: 'SBXDELIVERED001',
      status: 'delivered',
    })
    expect(snapshot.events.length).toBeGreaterThan(3)
  })

  it('prints a readable timeline without --json', async () => {
    const run = await runColis(['track', 'SBXPICKUP001', '--lang', 'en'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^SBXPICKUP001 · Sandbox/)
    expect(run.stdout).toMatch(/^Status: Delivered$/m)
    expect(run.stdout).toMatch(/Ready for pickup/)
  })

  it('explains a check-digit error', async () => {
    const run = await runColis(['track', '8K00009775863', '--carrier', 'laposte'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/check digit is 3, expected 2/)
  })

  it('writes log lines with each key once (the adapter logger already names its carrier)', async () => {
    const run = await runColis(['track', 'SBXUNKNOWNCODE001', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stderr.trim().split('\n')
    expect(lines.map((line) => JSON.parse(line) as { msg: string; carrier: string })).toContainEqual(
      expect.objectContaining({ msg: 'unmapped carrier code', carrier: 'sandbox' }),
    )
    for (const line of lines) expect(repeatedTopLevelKeys(line), line).toEqual([])
  })
})

describe.concurrent('colis track, human output', () => {
  it('prints French labels and dates with --lang fr', async () => {
    const run = await runColis(['track', 'SBXPICKUP001', '--lang', 'fr'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^SBXPICKUP001 · Sandbox/)
    expect(run.stdout).toMatch(/^Statut : Livré$/m)
    expect(run.stdout).toContain('Historique (heure de Paris)')
    expect(run.stdout).toMatch(new RegExp(`${FRENCH_TIME.source} +À retirer +Colis disponible`))
    expect(run.stdout).toContain('13002 Marseille, France')
  })

  it('prints English labels and dates with --lang en', async () => {
    const run = await runColis(['track', 'SBXPICKUP001', '--lang', 'en'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^Status: Delivered$/m)
    expect(run.stdout).toContain('History (Paris time)')
    expect(run.stdout).toMatch(
      new RegExp(`${ENGLISH_TIME.source} +Delivery attempt failed +Destinataire absent`),
    )
  })

  it('speaks French when the locale is French, and LC_ALL wins over LANG', async () => {
    const french = await runColis(['track', 'SBXDELIVERED001'], { env: { LANG: 'fr_FR.UTF-8' } })
    expect(french.stdout).toMatch(/^Statut : Livré$/m)
    const english = await runColis(['track', 'SBXDELIVERED001'], {
      env: { LC_ALL: 'en_GB.UTF-8', LANG: 'fr_FR.UTF-8' },
    })
    expect(english.stdout).toMatch(/^Status: Delivered$/m)
  })

  it('refuses an unknown --lang with exit 2', async () => {
    const run = await runColis(['track', 'SBXDELIVERED001', '--lang', 'de'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--lang is one of fr, en/)
  })

  it('writes no colour codes when stdout is not a terminal', async () => {
    const run = await runColis(['track', 'SBXDELIVERED001', '--lang', 'en'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toContain(ESC)
  })

  it('colours the output when FORCE_COLOR=1, even through a pipe', async () => {
    const run = await runColis(['track', 'SBXDELIVERED001', '--lang', 'en'], { env: { FORCE_COLOR: '1' } })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`${ESC}32mDelivered${ESC}39m`)
  })

  it('keeps --json pure JSON, even when colours are forced', async () => {
    const run = await runColis(['track', 'SBXDELIVERED001', '--json', '--lang', 'fr'], {
      env: { FORCE_COLOR: '1' },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toContain(ESC)
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'delivered', carrier: 'sandbox' })
  })

  it('colours the output on a terminal, unless NO_COLOR is set', async () => {
    const onTerminal = await runColis(['track', 'SBXDELIVERED001', '--lang', 'en'], { stdoutIsTTY: true })
    expect(onTerminal.stdout).toContain(`${ESC}32mDelivered`)
    const noColour = await runColis(['track', 'SBXDELIVERED001', '--lang', 'en'], {
      stdoutIsTTY: true,
      env: { NO_COLOR: '1' },
    })
    expect(noColour.stdout).toMatch(/Status: Delivered/)
    expect(noColour.stdout).not.toContain(ESC)
  })
})

describe('colis track, a carrier that needs the destination postal code', () => {
  // Port 9 (discard): a request nock let through would fail rather than reach anyone.
  const env = { COLISPRIVE_BASE_URL: 'http://127.0.0.1:9/DetailColis.aspx' }
  const deliveredPage = readFileSync(
    new URL('../fixtures/colisprive/detailcolis-delivered.html', import.meta.url),
    'utf8',
  )
  const anyPage = () =>
    nock('http://127.0.0.1:9').get('/DetailColis.aspx').query(true).reply(200, deliveredPage)

  beforeAll(() => {
    nock.disableNetConnect()
  })
  afterEach(() => {
    nock.cleanAll()
  })
  afterAll(() => {
    nock.enableNetConnect()
  })

  it.each(['75012', '75 012'])('asks Colis Privé with the number and --postal-code %j', async (code) => {
    const page = nock('http://127.0.0.1:9')
      .get('/DetailColis.aspx')
      .query({ numColis: '99112233445575012', lang: 'fr' })
      .reply(200, deliveredPage)
    const run = await runColis(
      ['track', '991122334455', '--carrier', 'colisprive', '--postal-code', code, '--json'],
      { env },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(page.isDone()).toBe(true)
    expect(JSON.parse(run.stdout)).toMatchObject({
      carrier: 'colisprive',
      trackingNumber: '991122334455',
      status: 'delivered',
    })
  })

  it('reads the postal code from a number written with it, detecting Colis Privé', async () => {
    const page = nock('http://127.0.0.1:9')
      .get('/DetailColis.aspx')
      .query({ numColis: 'AB123456789075012', lang: 'fr' })
      .reply(200, deliveredPage)
    const run = await runColis(['track', 'AB1234567890 75012', '--json'], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(page.isDone()).toBe(true)
    expect(JSON.parse(run.stdout)).toMatchObject({ carrier: 'colisprive', status: 'delivered' })
  })

  it('refuses a --postal-code that contradicts the one the number ends with, before asking', async () => {
    const page = anyPage()
    const run = await runColis(['track', 'AB123456789075012', '--postal-code', '69003'], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('colis: AB123456789075012 ends with the postal code 75012, not 69003\n')
    expect(page.isDone()).toBe(false)
  })

  it('stops with one line naming --postal-code, before asking the carrier, when it is missing', async () => {
    const page = anyPage()
    const run = await runColis(['track', '991122334455', '--carrier', 'colisprive'], { env })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      'colis: Colis Privé shows a parcel only with its destination postal code: give --postal-code <code>\n',
    )
    expect(page.isDone()).toBe(false)
  })

  it.each(['7501', '96100', 'B1000', '75-012'])(
    'refuses --postal-code %j, which is not a French postal code, before asking',
    async (code) => {
      const page = anyPage()
      const run = await runColis(
        ['track', '991122334455', '--carrier', 'colisprive', '--postal-code', code],
        {
          env,
        },
      )
      expect(run.code).toBe(2)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
      expect(run.stderr).toContain(`--postal-code ${code}: not a French postal code`)
      expect(page.isDone()).toBe(false)
    },
  )

  it('takes --postal-code for a carrier that does not need it', async () => {
    const run = await runColis(['track', 'SBXDELIVERED001', '--postal-code', '75011', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ carrier: 'sandbox', status: 'delivered' })
  })
})
