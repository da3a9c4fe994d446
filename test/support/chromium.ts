import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core'
import { chromium } from 'playwright-core'

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

/**
 * How long a page action or load may take. The suite runs its lines side by side on two cores, and a
 * page that parses a large script (Swagger UI) then waits its turn for the CPU far beyond Playwright's
 * default; a page that never loads still fails, with Playwright's own message.
 */
export const PAGE_ACTION_TIMEOUT_MS = 120_000

/** A fresh browser context whose pages wait as long as {@link PAGE_ACTION_TIMEOUT_MS}. */
export async function newBrowserContext(
  browser: Browser,
  options?: BrowserContextOptions,
): Promise<BrowserContext> {
  const context = await browser.newContext(options)
  context.setDefaultTimeout(PAGE_ACTION_TIMEOUT_MS)
  return context
}
