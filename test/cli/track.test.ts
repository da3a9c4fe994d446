import { describe, expect, it } from 'vitest'
import { runCli, runCliOnTerminal } from '../support/child.js'

const ESC = '\x1b['
/** Neither colour variable from the environment the tests run in (empty counts as unset). */
const NO_COLOUR_ENV = { FORCE_COLOR: '', NO_COLOR: '' }
const FRENCH_TIME = /(lun|mar|mer|jeu|ven|sam|dim)\. \d{1,2} \S+ \d{4},? \d{2}:\d{2}/
const ENGLISH_TIME = /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2,3} \d{4},? \d{2}:\d{2}/

/** Runs the CLI with stdout on a pseudo-terminal (util-linux `script`), as a user at a terminal sees it. */

describe.concurrent('colis track, human output', () => {
  it('prints French labels and dates with --lang fr', async () => {
    const run = await runCli(['track', 'SBXPICKUP001', '--lang', 'fr'], { env: NO_COLOUR_ENV })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^SBXPICKUP001 · Sandbox/)
    expect(run.stdout).toMatch(/^Statut : Livré$/m)
    expect(run.stdout).toContain('Historique (heure de Paris)')
    expect(run.stdout).toMatch(new RegExp(`${FRENCH_TIME.source} +À retirer +Colis disponible`))
    expect(run.stdout).toContain('13002 Marseille, France')
  })

  it('prints English labels and dates with --lang en', async () => {
    const run = await runCli(['track', 'SBXPICKUP001', '--lang', 'en'], { env: NO_COLOUR_ENV })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^Status: Delivered$/m)
    expect(run.stdout).toContain('History (Paris time)')
    expect(run.stdout).toMatch(
      new RegExp(`${ENGLISH_TIME.source} +Delivery attempt failed +Destinataire absent`),
    )
  })

  it('speaks French when the locale is French, and LC_ALL wins over LANG', async () => {
    const french = await runCli(['track', 'SBXDELIVERED001'], {
      env: { ...NO_COLOUR_ENV, LC_ALL: '', LANG: 'fr_FR.UTF-8' },
    })
    expect(french.stdout).toMatch(/^Statut : Livré$/m)
    const english = await runCli(['track', 'SBXDELIVERED001'], {
      env: { ...NO_COLOUR_ENV, LC_ALL: 'en_GB.UTF-8', LANG: 'fr_FR.UTF-8' },
    })
    expect(english.stdout).toMatch(/^Status: Delivered$/m)
  })

  it('refuses an unknown --lang with exit 2', async () => {
    const run = await runCli(['track', 'SBXDELIVERED001', '--lang', 'de'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/--lang is one of fr, en/)
  })

  it('writes no colour codes when stdout is not a terminal', async () => {
    const run = await runCli(['track', 'SBXDELIVERED001', '--lang', 'en'], { env: NO_COLOUR_ENV })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toContain(ESC)
  })

  it('colours the output when FORCE_COLOR=1, even through a pipe', async () => {
    const run = await runCli(['track', 'SBXDELIVERED001', '--lang', 'en'], {
      env: { NO_COLOR: '', FORCE_COLOR: '1' },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`${ESC}32mDelivered${ESC}39m`)
  })

  it('keeps --json pure JSON, even when colours are forced', async () => {
    const run = await runCli(['track', 'SBXDELIVERED001', '--json', '--lang', 'fr'], {
      env: { FORCE_COLOR: '1' },
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).not.toContain(ESC)
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'delivered', carrier: 'sandbox' })
  })

  it('colours the output on a terminal, unless NO_COLOR is set', () => {
    expect(runCliOnTerminal(['track', 'SBXDELIVERED001', '--lang', 'en'], NO_COLOUR_ENV)).toContain(
      `${ESC}32mDelivered`,
    )
    const noColour = runCliOnTerminal(['track', 'SBXDELIVERED001', '--lang', 'en'], {
      ...NO_COLOUR_ENV,
      NO_COLOR: '1',
    })
    expect(noColour).toMatch(/Status: Delivered/)
    expect(noColour).not.toContain(ESC)
  })
})
