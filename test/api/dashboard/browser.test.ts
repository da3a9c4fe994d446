import { fileURLToPath } from 'node:url'
import type { ServerType } from '@hono/node-server'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRACKING_PAGE_CSP } from '../../../src/api/tracking-page/page-answers.js'
import {
  axeViolations,
  horizontalOverflow,
  LOGO_SVG,
  listenOnLoopback,
  openWatchedTab,
  saveScreenshot,
  VIEWPORT_NAMES,
  type ViewportName,
  type Tab as WatchedTab,
} from '../../support/browser-pages.js'
import { launchChromium } from '../../support/chromium.js'
import { dashboardParcels, openAlerts, playDashboardParcels } from '../../support/dashboard-journeys.js'
import { createMemoryHarness, type MemoryHarness } from '../../support/memory-harness.js'

const SCREENSHOTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url))
const LANGS = ['fr', 'en'] as const
const HEADINGS = { fr: 'Performance des transporteurs', en: 'Carrier performance' } as const

/** What page loads showed that they must not. */
interface Findings {
  axe: string[]
  outsideRequests: string[]
  cspViolations: string[]
  headers: string[]
  horizontalScroll: string[]
}
const noFindings = (): Findings => ({
  axe: [],
  outsideRequests: [],
  cspViolations: [],
  headers: [],
  horizontalScroll: [],
})

type Tab = WatchedTab<Findings>

/**
 * The merchant dashboard in a real browser, served by colis itself: a merchant's parcels registered
 * through the API and finished as polls would finish them, its branding set through the API; the
 * merchant signs in through the form with its API key and reads the charts in both languages, on a
 * desktop and on a phone screen. axe-core finds no WCAG 2.1 AA violation (with every data table
 * unfolded), nothing is requested beyond colis under its own CSP, and nothing scrolls sideways.
 */
describe('the merchant dashboard in a browser', () => {
  let browser: Browser | undefined
  let server: ServerType | undefined
  let harness: MemoryHarness
  let origin: string
  let key: string
  const tabs = {} as Record<ViewportName, Tab>

  beforeAll(async () => {
    const launching = launchChromium()
    const listening = await listenOnLoopback((request, env) => harness.app.fetch(request, env))
    server = listening.server
    origin = listening.origin
    harness = await createMemoryHarness(
      'dashboard-browser',
      { PUBLIC_BASE_URL: origin },
      {},
      { app: { now: () => new Date('2026-12-06T11:00:00+01:00') } },
    )
    key = (await harness.apiKeys.create('shop-dashboard')).key
    const request = (path: string, init: RequestInit) => harness.request(key, path, init)
    await playDashboardParcels(request, harness.store, dashboardParcels())
    await openAlerts(request, harness.store, 'SBXDELIVERED401', ['late', 'stalled'])
    await openAlerts(request, harness.store, 'SBXDELIVERED402', ['at_risk'])
    const branding = { displayName: 'Maison Lumière', accentColor: '#0b6e4f' }
    expect(
      (await request('/v1/merchant/branding', { method: 'PUT', body: JSON.stringify(branding) })).ok,
    ).toBe(true)
    const logo = await request('/v1/merchant/branding/logo', {
      method: 'PUT',
      headers: { 'content-type': 'image/svg+xml' },
      body: LOGO_SVG,
    })
    expect(logo.ok).toBe(true)
    browser = await launching
    for (const name of VIEWPORT_NAMES) tabs[name] = await openWatchedTab(browser, name, origin, noFindings())
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    await harness?.close()
  })

  /** Checks the page shown in `tab` as it is now, everything it showed that it must not added to its findings. */
  async function checkPage(tab: Tab, label: string, headers: Record<string, string>, screenshot: string) {
    const { page, findings } = tab
    tab.label = label
    if (headers['content-security-policy'] !== TRACKING_PAGE_CSP)
      findings.headers.push(`${label}: CSP ${headers['content-security-policy']}`)
    for (const [name, value] of Object.entries({
      'x-robots-tag': 'noindex',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    })) {
      if (headers[name] !== value) findings.headers.push(`${label}: ${name} ${headers[name]}`)
    }
    // Every data table unfolded, so that axe checks them too.
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('details')) details.open = true
    })
    findings.axe.push(...(await axeViolations(page, label)))
    const overflow = await horizontalOverflow(page)
    if (overflow > 0) findings.horizontalScroll.push(`${label}: ${overflow}px`)
    await saveScreenshot(page, SCREENSHOTS, screenshot)
  }

  it('signs in through the form, on a desktop and a phone screen, into an HttpOnly, SameSite=Strict session', async () => {
    const findings = noFindings()
    await Promise.all(
      VIEWPORT_NAMES.map(async (viewport) => {
        const tab = tabs[viewport]
        tab.findings = findings
        const form = await tab.page.goto(`${origin}/dashboard?lang=en`)
        expect(form?.status()).toBe(200)
        await checkPage(
          tab,
          `${viewport} sign-in`,
          (await form?.allHeaders()) ?? {},
          `sign-in-en-${viewport}`,
        )
        await tab.page.fill('#api-key', `${key.slice(0, -1)}x`)
        await tab.page.click('button[type="submit"]')
        await tab.page.waitForURL(`${origin}/dashboard/session?lang=en`)
        expect(await tab.page.textContent('#notice')).toContain('This API key opens no session')
        await checkPage(tab, `${viewport} wrong key`, {}, `wrong-key-en-${viewport}`)
        await tab.page.fill('#api-key', key)
        await tab.page.click('button[type="submit"]')
        await tab.page.waitForURL(`${origin}/dashboard?lang=en`)
        expect(await tab.page.textContent('h1')).toBe(HEADINGS.en)
        const [session] = (await tab.context.cookies()).filter((cookie) => cookie.name === 'colis_dashboard')
        expect(session).toMatchObject({
          httpOnly: true,
          sameSite: 'Strict',
          path: '/dashboard',
          secure: false,
        })
        expect(key).not.toContain(session?.value)
      }),
    )
    // The wrong key's answer carries no CSP header check here (the page was reached by a POST).
    findings.headers = findings.headers.filter((line) => !line.includes('wrong key'))
    expect(findings).toEqual(noFindings())
  })

  it('shows the charts in French and English, accessible, self-contained and one screen wide', async () => {
    const findings = noFindings()
    for (const lang of LANGS) {
      await Promise.all(
        VIEWPORT_NAMES.map(async (viewport) => {
          const tab = tabs[viewport]
          tab.findings = findings
          const response = await tab.page.goto(`${origin}/dashboard?lang=${lang}`)
          expect(response?.status()).toBe(200)
          expect(await tab.page.textContent('h1')).toBe(HEADINGS[lang])
          expect(await tab.page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(5)
          const logoShown = await tab.page.evaluate(() => {
            const logo = document.querySelector('header img')
            return logo instanceof HTMLImageElement && logo.complete && logo.naturalWidth > 0
          })
          expect(logoShown, `${viewport} ${lang}`).toBe(true)
          await checkPage(
            tab,
            `${viewport} ${lang}`,
            (await response?.allHeaders()) ?? {},
            `dashboard-${lang}-${viewport}`,
          )
        }),
      )
    }
    expect(findings).toEqual(noFindings())
  })

  it('switches language and period with its own links, and signs out with its button', async () => {
    const { page } = tabs.mobile
    await page.goto(`${origin}/dashboard?lang=fr`)
    await page.click('header a[hreflang="en"]')
    expect(await page.textContent('h1')).toBe(HEADINGS.en)
    await page.click('nav.weeks a:text("4 weeks")')
    expect(new URL(page.url()).searchParams.get('weeks')).toBe('4')
    expect(await page.getAttribute('nav.weeks a[aria-current="page"]', 'href')).toBe(
      '/dashboard?weeks=4&lang=en',
    )
    await page.click('button:text("Sign out")')
    await page.waitForURL(`${origin}/dashboard?lang=en`)
    expect(await page.locator('#api-key').count()).toBe(1)
    expect((await tabs.mobile.context.cookies()).some((cookie) => cookie.name === 'colis_dashboard')).toBe(
      false,
    )
  })
})
