import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ServerType, serve } from '@hono/node-server'
import type { AxeResults, RunOptions } from 'axe-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRACKING_PAGE_CSP } from '../../../src/api/tracking-page/page-answers.js'
import { launchChromium } from '../../support/chromium.js'
import { dashboardParcels, openAlerts, playDashboardParcels } from '../../support/dashboard-journeys.js'
import { createMemoryHarness, type MemoryHarness } from '../../support/memory-harness.js'

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const AXE_OPTIONS: RunOptions = {
  resultTypes: ['violations'],
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
}
const SCREENSHOTS = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url))
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32" viewBox="0 0 96 32"><rect width="96" height="32" rx="6" fill="#0b6e4f"/></svg>'
const LANGS = ['fr', 'en'] as const
const HEADINGS = { fr: 'Performance des transporteurs', en: 'Carrier performance' } as const

const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  mobile: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true },
} as const
type ViewportName = keyof typeof VIEWPORTS
const VIEWPORT_NAMES = Object.keys(VIEWPORTS) as ViewportName[]

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

interface Tab {
  context: BrowserContext
  page: Page
  label: string
  findings: Findings
}

declare global {
  var axe: { run(context: Document, options: RunOptions): Promise<AxeResults> }
}

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

  async function openTab(name: ViewportName, launched: Browser): Promise<Tab> {
    const context = await launched.newContext(VIEWPORTS[name])
    // Init scripts are the browser's own: the page's CSP, which allows no script at all, stays in force.
    await context.addInitScript({ path: AXE_SOURCE })
    const page = await context.newPage()
    const tab: Tab = { context, page, label: name, findings: noFindings() }
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.protocol === 'data:' || url.protocol === 'about:') return
      if (url.origin !== origin) tab.findings.outsideRequests.push(`${tab.label}: ${request.url()}`)
    })
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text()))
        tab.findings.cspViolations.push(`${tab.label}: ${message.text()}`)
    })
    return tab
  }

  beforeAll(async () => {
    const launching = launchChromium()
    const listening = await new Promise<ServerType>((resolve) => {
      const started = serve(
        { fetch: (request, env) => harness.app.fetch(request, env), hostname: '127.0.0.1', port: 0 },
        () => resolve(started),
      )
    })
    server = listening
    origin = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`
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
    mkdirSync(SCREENSHOTS, { recursive: true })
    browser = await launching
    for (const name of VIEWPORT_NAMES) tabs[name] = await openTab(name, browser)
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
    const results = await page.evaluate((options) => globalThis.axe.run(document, options), AXE_OPTIONS)
    for (const violation of results.violations) {
      const targets = violation.nodes.map((node) => node.target.join(' ')).join(', ')
      findings.axe.push(`${label}: ${violation.id} (${targets})`)
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    if (overflow > 0) findings.horizontalScroll.push(`${label}: ${overflow}px`)
    await page.screenshot({ path: join(SCREENSHOTS, `${screenshot}.png`), fullPage: true })
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
