import type { Redis } from 'ioredis'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUEUE_BOARD_CSP } from '../../src/api/admin/queue-board.js'
import { DOCS_CSP } from '../../src/api/api-docs.js'
import { createRateLimits } from '../../src/api/middleware/rate-limit.js'
import { createSilentLogger } from '../../src/logger.js'
import { type HttpListener, httpLimitsFrom, listenHttp } from '../../src/main/http-listener.js'
import { launchChromium, newBrowserContext } from '../support/chromium.js'
import type { Harness } from '../support/harness.js'
import { untilReady } from '../support/idle.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'
import { TOKEN } from './admin-api.js'
import { createAdminHarness } from './admin-harness.js'

/** Failed authentications an address may make; one more and it is locked out. */
const AUTH_FAILURE_MAX = 2

/** What a page asked of the network beyond the test server, and which CSP violations it reported. */
interface PageWatch {
  outside: string[]
  cspViolations: string[]
}

/**
 * colis' HTML pages in a real browser, on a real listening server: the queue dashboard (behind the
 * admin token and the failed-authentication limit) and Swagger UI. Nothing they load may come from
 * another host, and their CSP must not block any of their own assets.
 */
describe('colis pages in a browser', () => {
  const prefix = uniquePrefix('browser-pages')
  let redis: Redis
  let harness: Harness
  let server: HttpListener
  let launching: Promise<Browser> | undefined
  let context: BrowserContext

  beforeAll(async () => {
    // The browser starts while the server is set up.
    launching = launchChromium()
    redis = connectTestRedis()
    await untilReady(redis)
    harness = await createAdminHarness('browser-pages', {
      redis,
      prefix,
      app: {
        rateLimits: createRateLimits(redis, prefix, {
          perKey: { max: 100, durationMs: 60_000 },
          authFailures: { max: AUTH_FAILURE_MAX, durationMs: 60_000, blockMs: 600_000 },
        }),
      },
    })
    server = await listenHttp({
      fetch: harness.app.fetch,
      host: '127.0.0.1',
      port: 0,
      limits: httpLimitsFrom(harness.config),
      logger: createSilentLogger(),
    })
    // The OpenAPI document is built on its first request: while the browser starts, not on /docs' clock.
    await (await fetch(`${server.url}/openapi.json`)).arrayBuffer()
    const browser = await launching
    // As a person at the login prompt: the first request goes without credentials, gets the 401
    // challenge, and is sent again with them (and later ones of the session carry them at once).
    context = await newBrowserContext(browser, {
      httpCredentials: { username: 'ops', password: TOKEN, origin: server.url },
    })
  })

  afterAll(async () => {
    await (await launching?.catch(() => undefined))?.close()
    await server?.stop()
    await harness?.close()
    await redis?.quit()
  })

  /** A page of the browser session, watched. */
  async function openPage(): Promise<{ page: Page; watch: PageWatch }> {
    const page = await context.newPage()
    const watch: PageWatch = { outside: [], cspViolations: [] }
    const origin = new URL(server.url).origin
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (['data:', 'blob:', 'about:'].includes(url.protocol)) return
      if (url.origin !== origin) watch.outside.push(request.url())
    })
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) watch.cspViolations.push(message.text())
    })
    return { page, watch }
  }

  it('renders the queue dashboard from this server only, after requests without credentials from the same address', async () => {
    // As many requests without any credential as the limit allows failures: were they counted, the
    // browser's first, challenged request would lock the address out.
    for (const path of ['/v1/trackings', '/admin/queues'].slice(0, AUTH_FAILURE_MAX)) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(401)
    }
    const { page, watch } = await openPage()
    try {
      const response = await page.goto(`${server.url}/admin/queues`)
      expect(response?.status()).toBe(200)
      expect(response?.headers()['content-security-policy']).toBe(QUEUE_BOARD_CSP)
      // The queue list comes from the board's API: the page's scripts ran and reached it.
      await page.getByText('poll-sandbox', { exact: true }).first().waitFor()
      expect(watch.outside).toEqual([])
      expect(watch.cspViolations).toEqual([])
    } finally {
      await page.close()
    }
  })

  it('renders Swagger UI at /docs from this server only', async () => {
    const { page, watch } = await openPage()
    try {
      const response = await page.goto(`${server.url}/docs`)
      expect(response?.status()).toBe(200)
      expect(response?.headers()['content-security-policy']).toBe(DOCS_CSP)
      await page.locator('.swagger-ui .info .title').getByText('colis API').waitFor()
      await page
        .locator('.opblock-summary-path')
        .getByText('/v1/trackings', { exact: true })
        .first()
        .waitFor()
      expect(watch.outside).toEqual([])
      expect(watch.cspViolations).toEqual([])
    } finally {
      await page.close()
    }
  })
})
