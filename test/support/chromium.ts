import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

/** Debian's chromium: CI installs it (.ci/run); playwright-core downloads no browser of its own. */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Starts the browser, each launch with a fresh temporary profile of its own. The launch goes on while
 * the caller sets up its server; its failure is only reported when the caller awaits it.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no browser at ${CHROMIUM}: these tests need Debian's chromium (apt-get install chromium)`,
    )
  }
  const launching = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  launching.catch(() => undefined)
  return launching
}
