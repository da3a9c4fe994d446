import { existsSync } from 'node:fs'
import { type BrowserServer, chromium } from 'playwright-core'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumEndpoint: string
  }
}

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

let server: BrowserServer | undefined

/**
 * One chromium for the whole run, which every browser test file connects to (`connectChromium`):
 * starting one per file cost each file a browser start and a profile of its own.
 */
export async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no browser at ${CHROMIUM}: these tests need Debian's chromium (apt-get install chromium)`,
    )
  }
  server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  project.provide('chromiumEndpoint', server.wsEndpoint())
}

export async function teardown() {
  await server?.close()
  server = undefined
}
