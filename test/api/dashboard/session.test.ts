import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FORM_COOKIE, SESSION_COOKIE } from '../../../src/api/dashboard/dashboard-cookies.js'
import { createMemoryRateLimits } from '../../../src/api/middleware/rate-limit.js'
import { createMemoryStores } from '../../../src/main/stores.js'
import {
  type DashboardBrowser,
  dashboardBrowser,
  formToken,
  setCookies,
} from '../../support/dashboard-browser-session.js'
import { createMemoryHarness, type MemoryHarness } from '../../support/memory-harness.js'

const SIGNED_IN = 'Se déconnecter'
const REFUSED = 'Cette demande ne venait pas du tableau de bord lui-même'
const MINUTE_MS = 60_000
/** Failed authentications an address may make before it is refused. */
const LIMIT = 2

describe('dashboard sessions', () => {
  let harness: MemoryHarness
  let key: string
  let nowMs = Date.parse('2026-12-06T10:00:00+01:00')

  beforeAll(async () => {
    harness = await createMemoryHarness(
      'dashboard-sessions',
      {},
      {},
      {
        stores: createMemoryStores({ now: () => nowMs }),
        app: {
          now: () => new Date(nowMs),
          rateLimits: createMemoryRateLimits({
            perKey: { max: 1_000, durationMs: 60_000 },
            authFailures: { max: LIMIT, durationMs: 60_000, blockMs: 600_000 },
          }),
          trustProxy: true,
        },
      },
    )
    key = (await harness.apiKeys.create('shop-dash-sessions')).key
  })
  afterAll(() => harness.close())

  let address = 0
  /** A browser of its own address, so that no test's refusals count against another's. */
  const freshBrowser = () => dashboardBrowser(harness.app, { address: `203.0.113.${++address}` })

  async function signedIn(): Promise<DashboardBrowser> {
    const browser = freshBrowser()
    expect((await browser.signIn(key)).status).toBe(303)
    return browser
  }

  const isSignedIn = async (browser: DashboardBrowser) =>
    (await (await browser.get('/dashboard')).text()).includes(SIGNED_IN)
  const logoutToken = async (browser: DashboardBrowser) =>
    formToken(await (await browser.get('/dashboard')).text())

  beforeEach(() => {
    nowMs = Date.parse('2026-12-06T10:00:00+01:00')
  })

  describe('sign-in is refused unless it comes from the form, with its token', () => {
    const signInFrom = async (headers: Record<string, string>, tokenOf = (token: string) => token) => {
      const browser = freshBrowser()
      const form = await (await browser.get('/dashboard')).text()
      const response = await browser.post(
        '/dashboard/session',
        { csrf: tokenOf(formToken(form)), apiKey: key },
        headers,
      )
      return { browser, response }
    }

    it.each([
      ['a cross-site Origin', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
      [
        'a cross-site Origin without Fetch Metadata',
        { origin: 'https://evil.example', 'sec-fetch-site': '' },
      ],
      [
        'a same-site page of another origin',
        { origin: 'https://shop.localhost', 'sec-fetch-site': 'same-site' },
      ],
      ['the null Origin of a sandboxed frame', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
      ['a null Origin without Fetch Metadata', { origin: 'null', 'sec-fetch-site': '' }],
      [
        'Fetch Metadata that says same-origin beside a foreign Origin',
        { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
      ],
      ['neither Origin nor Fetch Metadata', { origin: '', 'sec-fetch-site': '' }],
    ])('refuses %s, right key and token or not, without counting a failure', async (_name, headers) => {
      // An empty value: the header is not sent at all.
      const sent = Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''))
      const browser = freshBrowser()
      const form = await (await browser.get('/dashboard')).text()
      for (let attempt = 0; attempt <= LIMIT + 1; attempt++) {
        const response = await harness.app.request('/dashboard/session', {
          method: 'POST',
          headers: {
            cookie: `${FORM_COOKIE}=${browser.jar.get(FORM_COOKIE)}`,
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': '203.0.113.200',
            ...sent,
          },
          body: new URLSearchParams({ csrf: formToken(form), apiKey: key }).toString(),
        })
        expect(response.status).toBe(403)
        expect(await response.text()).toContain(REFUSED)
        expect(setCookies(response).has(SESSION_COOKIE)).toBe(false)
      }
      const allowed = dashboardBrowser(harness.app, { address: '203.0.113.200' })
      expect((await allowed.signIn(key)).status).toBe(303)
    })

    it.each([
      ['same-origin Fetch Metadata and the null Origin of a no-referrer page', { origin: 'null' }],
      ['same-origin Fetch Metadata alone', { origin: '' }],
      ['an Origin that names colis, without Fetch Metadata', { 'sec-fetch-site': '' }],
    ])('accepts %s', async (_name, headers) => {
      const browser = freshBrowser()
      const form = await (await browser.get('/dashboard')).text()
      const response = await harness.app.request('/dashboard/session', {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries({
            cookie: `${FORM_COOKIE}=${browser.jar.get(FORM_COOKIE)}`,
            'content-type': 'application/x-www-form-urlencoded',
            origin: 'http://localhost',
            'sec-fetch-site': 'same-origin',
            ...headers,
          }).filter(([, value]) => value !== ''),
        ),
        body: new URLSearchParams({ csrf: formToken(form), apiKey: key }).toString(),
      })
      expect(response.status).toBe(303)
    })

    it.each([
      ['no token', () => ''],
      ['another token', (token: string) => `${token.slice(1)}A`],
    ])('shows the form again for %s, and opens no session', async (_name, tokenOf) => {
      const { browser, response } = await signInFrom({}, tokenOf)
      expect(response.status).toBe(403)
      const html = await response.text()
      expect(html).toContain('Le formulaire a expiré')
      expect(setCookies(response).has(SESSION_COOKIE)).toBe(false)
      // The form shown again carries the token of the cookie: sending it works.
      expect((await browser.post('/dashboard/session', { csrf: formToken(html), apiKey: key })).status).toBe(
        303,
      )
    })

    it('shows the form again when the form cookie is gone', async () => {
      const browser = freshBrowser()
      const form = await (await browser.get('/dashboard')).text()
      browser.jar.delete(FORM_COOKIE)
      const response = await browser.post('/dashboard/session', { csrf: formToken(form), apiKey: key })
      expect(response.status).toBe(403)
      expect(setCookies(response).get(FORM_COOKIE)?.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    })
  })

  describe('sign-out', () => {
    it('ends the session and clears its cookie', async () => {
      const browser = await signedIn()
      const id = browser.jar.get(SESSION_COOKIE)
      const response = await browser.post('/dashboard/logout?lang=en', { csrf: await logoutToken(browser) })
      expect(response.status).toBe(303)
      expect(response.headers.get('location')).toBe('/dashboard?lang=en')
      expect(setCookies(response).get(SESSION_COOKIE)?.attributes).toEqual(
        expect.arrayContaining(['Max-Age=0', 'Path=/dashboard']),
      )
      const replay = await harness.app.request('/dashboard', {
        headers: { cookie: `${SESSION_COOKIE}=${id}` },
      })
      expect(await replay.text()).not.toContain(SIGNED_IN)
    })

    it.each([
      ['from another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, true],
      ['without its token', {}, false],
    ])('is refused %s, and the session goes on', async (_name, headers, withToken) => {
      const browser = await signedIn()
      const csrf = withToken ? await logoutToken(browser) : 'x'.repeat(43)
      const response = await browser.post('/dashboard/logout', { csrf }, headers)
      expect(response.status).toBe(403)
      expect(await response.text()).toContain(REFUSED)
      expect(await isSignedIn(browser)).toBe(true)
    })

    it("takes only its own session's token", async () => {
      const first = await signedIn()
      const second = await signedIn()
      const response = await first.post('/dashboard/logout', { csrf: await logoutToken(second) })
      expect(response.status).toBe(403)
      expect(await isSignedIn(first)).toBe(true)
    })
  })

  describe('a session ends', () => {
    it('after DASHBOARD_SESSION_IDLE without a page, not while pages keep coming', async () => {
      const browser = await signedIn()
      for (let step = 0; step < 4; step++) {
        nowMs += 20 * MINUTE_MS
        expect(await isSignedIn(browser)).toBe(true)
      }
      nowMs += 31 * MINUTE_MS
      const page = await browser.get('/dashboard')
      const html = await page.text()
      expect(html).toContain('Votre session a pris fin')
      expect(html).not.toContain(SIGNED_IN)
      expect(setCookies(page).get(SESSION_COOKIE)?.attributes).toContain('Max-Age=0')
    })

    it('at DASHBOARD_SESSION_MAX after its sign-in, however active', async () => {
      const browser = await signedIn()
      for (let minutes = 20; minutes < 8 * 60; minutes += 20) {
        nowMs += 20 * MINUTE_MS
        expect(await isSignedIn(browser), `${minutes} min`).toBe(true)
      }
      nowMs += 20 * MINUTE_MS
      expect(await (await browser.get('/dashboard')).text()).toContain('Votre session a pris fin')
    })

    it('when its API key is revoked, and that key opens no new one', async () => {
      const doomed = await harness.apiKeys.create('shop-dash-sessions')
      const browser = freshBrowser()
      expect((await browser.signIn(doomed.key)).status).toBe(303)
      const kept = await signedIn()
      await harness.apiKeys.revoke(doomed.keyId)
      const html = await (await browser.get('/dashboard')).text()
      expect(html).toContain('La clé d’API de cette session a été révoquée')
      expect(await isSignedIn(browser)).toBe(false)
      expect(await isSignedIn(kept)).toBe(true)
      expect((await freshBrowser().signIn(doomed.key)).status).toBe(403)
    })

    it('never for a cookie colis did not give out', async () => {
      for (const cookie of ['A'.repeat(43), 'not-a-session', `${'A'.repeat(43)}; ${SESSION_COOKIE}=x`]) {
        const response = await harness.app.request('/dashboard', {
          headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
        })
        expect(response.status).toBe(200)
        expect(await response.text()).not.toContain(SIGNED_IN)
      }
    })
  })
})
