import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FORM_COOKIE, SESSION_COOKIE } from '../../../src/api/dashboard/dashboard-cookies.js'
import { createMemoryRateLimits } from '../../../src/api/middleware/rate-limit.js'
import { TRACKING_PAGE_CSP } from '../../../src/api/tracking-page/page-answers.js'
import { createLogger } from '../../../src/logger.js'
import { dashboardBrowser, formToken, setCookies } from '../../support/dashboard-browser-session.js'
import { createMemoryHarness, type MemoryHarness } from '../../support/memory-harness.js'

/** Failed sign-ins an address may make; the one that crosses it is still answered. */
const LIMIT = 3
const WRONG_KEY_FR = 'Cette clé d’API n’ouvre pas de session'
const SIGNED_IN_FR = 'Se déconnecter'

function limits() {
  return createMemoryRateLimits({
    perKey: { max: 1_000, durationMs: 60_000 },
    authFailures: { max: LIMIT, durationMs: 60_000, blockMs: 600_000 },
  })
}

async function harnessWith(name: string, env: Record<string, string>, trustProxy: boolean) {
  return createMemoryHarness(name, env, {}, { app: { rateLimits: limits(), trustProxy } })
}

function expectPageHeaders(response: Response) {
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
  expect(response.headers.get('content-security-policy')).toBe(TRACKING_PAGE_CSP)
  expect(response.headers.get('x-content-type-options')).toBe('nosniff')
  expect(response.headers.get('x-robots-tag')).toBe('noindex')
  expect(response.headers.get('referrer-policy')).toBe('no-referrer')
  expect(response.headers.get('cache-control')).toBe('no-store')
}

describe('dashboard sign-in', () => {
  let harness: MemoryHarness
  let key: string
  const lines: string[] = []

  beforeAll(async () => {
    harness = await createMemoryHarness(
      'dashboard-sign-in',
      {},
      {},
      {
        app: { rateLimits: limits(), trustProxy: true },
        logger: createLogger('debug', {}, { destination: { write: (line) => lines.push(line) } }),
      },
    )
    key = (await harness.apiKeys.create('shop-dash-a')).key
  })
  afterAll(() => harness.close())

  it('shows the sign-in form without a session, its token also in an HttpOnly, SameSite=Strict cookie', async () => {
    const response = await dashboardBrowser(harness.app).get('/dashboard')
    expect(response.status).toBe(200)
    expectPageHeaders(response)
    const html = await response.text()
    expect(html).toMatch(/^<!DOCTYPE html><html lang="fr">/)
    expect(html).toContain('<form method="post" action="/dashboard/session?lang=fr">')
    expect(html).toMatch(/<input id="api-key" name="apiKey" type="password"/)
    expect(html).not.toContain('<script')
    const cookie = setCookies(response).get(FORM_COOKIE)
    expect(cookie?.value).toBe(formToken(html))
    expect(cookie?.attributes).toEqual(
      expect.arrayContaining(['Path=/dashboard', 'HttpOnly', 'SameSite=Strict']),
    )
    expect(cookie?.attributes).not.toContain('Secure')
  })

  it('speaks English when asked, by Accept-Language or by the switch', async () => {
    const browser = dashboardBrowser(harness.app)
    const byHeader = await (await browser.get('/dashboard', { 'accept-language': 'en-GB,en;q=0.8' })).text()
    expect(byHeader).toMatch(/<html lang="en">/)
    expect(byHeader).toContain('Sign in')
    const bySwitch = await (await browser.get('/dashboard?lang=en', { 'accept-language': 'fr' })).text()
    expect(bySwitch).toContain('Merchant dashboard')
    expect(bySwitch).toContain('href="/dashboard?lang=fr"')
  })

  it('exchanges a valid key for a session: 303 to the dashboard, a cookie that holds an id, never the key', async () => {
    const browser = dashboardBrowser(harness.app)
    const response = await browser.signIn(key)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/dashboard?lang=fr')
    expectPageHeaders(response)
    const cookies = setCookies(response)
    const session = cookies.get(SESSION_COOKIE)
    expect(session?.value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(session?.attributes).toEqual(
      expect.arrayContaining(['Max-Age=28800', 'Path=/dashboard', 'HttpOnly', 'SameSite=Strict']),
    )
    expect(session?.attributes).not.toContain('Secure')
    expect(key).not.toContain(session?.value)
    expect(cookies.get(FORM_COOKIE)?.attributes).toContain('Max-Age=0')

    const page = await browser.get('/dashboard')
    expect(page.status).toBe(200)
    expectPageHeaders(page)
    const html = await page.text()
    expect(html).toContain(SIGNED_IN_FR)
    expect(html).toContain('shop-dash-a')
    expect(html).not.toContain(key)
  })

  it('gives a new session id at sign-in: one planted in the browser before opens nothing after it', async () => {
    const planted = dashboardBrowser(harness.app)
    await planted.signIn(key)
    const before = planted.jar.get(SESSION_COOKIE) ?? ''
    const browser = dashboardBrowser(harness.app)
    const form = await (await browser.get('/dashboard')).text()
    browser.jar.set(SESSION_COOKIE, before)
    expect((await browser.post('/dashboard/session', { csrf: formToken(form), apiKey: key })).status).toBe(
      303,
    )
    expect(browser.jar.get(SESSION_COOKIE)).not.toBe(before)
    expect(await (await browser.get('/dashboard')).text()).toContain(SIGNED_IN_FR)
    expect(await (await planted.get('/dashboard')).text()).not.toContain(SIGNED_IN_FR)
  })

  it('shows the form again with an error for a wrong key, and refuses the address past the limit', async () => {
    const browser = dashboardBrowser(harness.app, { address: '198.51.100.7' })
    const wrong = `colis_AbCdEfGhJk23_${'x'.repeat(43)}`
    for (let attempt = 0; attempt <= LIMIT; attempt++) {
      const response = await browser.signIn(wrong)
      expect(response.status).toBe(403)
      expectPageHeaders(response)
      const html = await response.text()
      expect(html).toContain(WRONG_KEY_FR)
      expect(html).toContain('name="apiKey"')
      expect(html).not.toContain(wrong)
      expect(setCookies(response).has(SESSION_COOKIE)).toBe(false)
    }
    const refused = await browser.signIn(key)
    expect(refused.status).toBe(429)
    expectPageHeaders(refused)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await refused.text()).toContain('Trop de connexions échouées')
    expect(setCookies(refused).has(SESSION_COOKIE)).toBe(false)
    // Another address is not concerned.
    expect((await dashboardBrowser(harness.app, { address: '198.51.100.8' }).signIn(key)).status).toBe(303)
  })

  it('asks for the key again when none is typed, without counting it as a failure', async () => {
    const browser = dashboardBrowser(harness.app, { address: '198.51.100.9' })
    for (let attempt = 0; attempt <= LIMIT + 1; attempt++) {
      const response = await browser.signIn('  ')
      expect(response.status).toBe(400)
      expect(await response.text()).toContain('Saisissez votre clé d’API.')
    }
    expect((await browser.signIn(key)).status).toBe(303)
  })

  it('sends a browser that opens the form posts by their address back to the dashboard', async () => {
    for (const path of ['/dashboard/session?lang=en', '/dashboard/logout?lang=en']) {
      const response = await harness.app.request(path)
      expect(response.status, path).toBe(303)
      expect(response.headers.get('location')).toBe('/dashboard?lang=en')
    }
  })

  it('writes neither the session id nor the key in its logs', async () => {
    const browser = dashboardBrowser(harness.app, { address: '198.51.100.10' })
    await browser.signIn(key)
    await browser.get('/dashboard')
    const session = browser.jar.get(SESSION_COOKIE) ?? ''
    expect(session).not.toBe('')
    const output = lines.join('')
    expect(output).toContain('"route":"/dashboard/session"')
    expect(output).not.toContain(session)
    expect(output).not.toContain(key.slice(19))
  })
})

describe('dashboard cookies over HTTPS', () => {
  it('are Secure when PUBLIC_BASE_URL is https, under its path', async () => {
    const harness = await harnessWith(
      'dashboard-https',
      { PUBLIC_BASE_URL: 'https://track.example.com/colis' },
      false,
    )
    try {
      const key = (await harness.apiKeys.create('shop-dash-https')).key
      const browser = dashboardBrowser(harness.app)
      const form = await browser.get('/dashboard')
      const html = await form.text()
      expect(html).toContain('action="/colis/dashboard/session?lang=fr"')
      expect(setCookies(form).get(FORM_COOKIE)?.attributes).toEqual(
        expect.arrayContaining(['Path=/colis/dashboard', 'Secure']),
      )
      const response = await browser.post(
        '/dashboard/session',
        { csrf: formToken(html), apiKey: key },
        { origin: 'https://track.example.com' },
      )
      expect(response.status).toBe(303)
      expect(response.headers.get('location')).toBe('/colis/dashboard?lang=fr')
      expect(setCookies(response).get(SESSION_COOKIE)?.attributes).toEqual(
        expect.arrayContaining(['Path=/colis/dashboard', 'Secure', 'HttpOnly', 'SameSite=Strict']),
      )
    } finally {
      await harness.close()
    }
  })

  it('are Secure behind a trusted proxy that says https, and only a trusted one', async () => {
    const secureOf = async (trustProxy: boolean) => {
      const harness = await harnessWith(`dashboard-proxy-${trustProxy}`, {}, trustProxy)
      try {
        const response = await dashboardBrowser(harness.app, {
          headers: { 'x-forwarded-proto': 'http, https' },
        }).get('/dashboard')
        return setCookies(response).get(FORM_COOKIE)?.attributes.includes('Secure')
      } finally {
        await harness.close()
      }
    }
    expect(await secureOf(true)).toBe(true)
    expect(await secureOf(false)).toBe(false)
  })

  it('are Secure when the request itself came over TLS', async () => {
    const harness = await harnessWith('dashboard-tls', {}, false)
    try {
      const response = await harness.app.request('https://colis.internal/dashboard')
      expect(setCookies(response).get(FORM_COOKIE)?.attributes).toContain('Secure')
    } finally {
      await harness.close()
    }
  })
})
