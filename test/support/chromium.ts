import { type Browser, chromium } from 'playwright-core'
import { inject } from 'vitest'

/**
 * A connection to the run's chromium (`test/support/global-chromium.ts`). The file's contexts are its
 * own (cookies, storage, cache), and closing the connection closes them, not the browser. The
 * connection goes on while the caller sets up its server; its failure is only reported when the
 * caller awaits it.
 */
export function connectChromium(): Promise<Browser> {
  const connecting = chromium.connect(inject('chromiumEndpoint'))
  connecting.catch(() => undefined)
  return connecting
}
