import { existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ServerType, serve } from '@hono/node-server'
import type { AxeResults, RunOptions } from 'axe-core'
import { Hono } from 'hono'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderTrackingPage } from '../../../src/api/tracking-page/render.js'
import { PAGE_STATES, type PageState, pageInput } from '../../support/tracking-page-states.js'

/** Debian's chromium, as in the other browser tests; playwright-core downloads no browser of its own. */
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
/** The strictest policy the page must live under: its own inline style, its own logo, nothing else. */
const STRICT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const AXE_OPTIONS: RunOptions = {
  resultTypes: ['violations'],
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
}
const SCREENSHOTS = fileURLToPath(new URL('../../../test-artifacts/tracking-page/', import.meta.url))
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32" viewBox="0 0 96 32"><rect width="96" height="32" rx="6" fill="#0b6e4f"/></svg>'
const LANGS = ['fr', 'en'] as const
/** A dark green a merchant might choose: AA on white, as the branding API requires. */
const MERCHANT_ACCENT = '#0b6e4f'

const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  mobile: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true },
} as const
type ViewportName = keyof typeof VIEWPORTS

/** What one page load showed that it must not. */
interface PageFindings {
  axe: string[]
  outsideRequests: string[]
  cspViolations: string[]
  horizontalScroll: string[]
  focus: string[]
  /** The merchant's logo, from the serving origin, must load under the policy. */
  missingLogo: string[]
}

declare global {
  var axe: { run(context: Document, options: RunOptions): Promise<AxeResults> }
}

function isPageState(value: string): value is PageState {
  return (PAGE_STATES as readonly string[]).includes(value)
}

/**
 * The shopper's tracking page in a real browser, every state in both languages on a desktop and a phone
 * screen: axe-core finds no WCAG 2.1 AA violation, nothing is requested beyond the serving origin under
 * a strict CSP, nothing scrolls sideways, and the language switch and carrier link take a visible focus.
 */
describe('the tracking page in a browser', () => {
  let browser: Browser | undefined
  let server: ServerType
  let origin: string

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no browser at ${CHROMIUM}: these tests need Debian's chromium (apt-get install chromium)`,
      )
    }
    const launching = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    launching.catch(() => undefined)
    const app = new Hono()
    app.get('/logo.svg', (c) => c.body(LOGO_SVG, 200, { 'content-type': 'image/svg+xml' }))
    app.get('/t/:state', (c) => {
      const state = c.req.param('state')
      const lang = c.req.query('lang') === 'en' ? 'en' : 'fr'
      if (!isPageState(state)) return c.notFound()
      const input = pageInput(state, lang, { pageUrl: `${origin}/t/${state}` })
      // English pages wear a merchant's own accent, French ones the default.
      if (lang === 'en') input.branding = { ...input.branding, accentColor: MERCHANT_ACCENT }
      const html = renderTrackingPage(input)
      return c.html(html, 200, { 'content-security-policy': STRICT_CSP })
    })
    server = await new Promise<ServerType>((resolve) => {
      const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening))
    })
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    mkdirSync(SCREENSHOTS, { recursive: true })
    browser = await launching
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  async function openWatchedPage(context: BrowserContext, findings: PageFindings, where: { label: string }) {
    const page = await context.newPage()
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.protocol === 'data:' || url.protocol === 'about:') return
      if (url.origin !== origin) findings.outsideRequests.push(`${where.label}: ${request.url()}`)
    })
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text()))
        findings.cspViolations.push(`${where.label}: ${message.text()}`)
    })
    return page
  }

  /**
   * Tabs from the top of the page through `targets`, in order, checking that every stop on the way shows
   * a focus outline. Returns what went wrong, if anything.
   */
  async function tabThrough(page: Page, targets: readonly string[], maxStops: number): Promise<string[]> {
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    const waiting = [...targets]
    for (let stop = 1; stop <= maxStops && waiting.length > 0; stop++) {
      await page.keyboard.press('Tab')
      const focused = await page.evaluate((wanted) => {
        const element = document.activeElement
        if (!element || element === document.body) return { reached: false, outlined: false }
        const style = getComputedStyle(element)
        const outlined = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2
        return { reached: element.matches(wanted), outlined }
      }, waiting[0] ?? '')
      if (!focused.outlined) return [`Tab stop ${stop} shows no focus outline`]
      if (focused.reached) waiting.shift()
    }
    return waiting.map((selector) => `${selector} not reached in ${maxStops} Tab presses`)
  }

  async function checkViewport(name: ViewportName): Promise<PageFindings> {
    if (!browser) throw new Error('no browser')
    const findings: PageFindings = {
      axe: [],
      outsideRequests: [],
      cspViolations: [],
      horizontalScroll: [],
      focus: [],
      missingLogo: [],
    }
    const context = await browser.newContext(VIEWPORTS[name])
    // Init scripts are the browser's own: the page's CSP, which allows no script at all, stays in force.
    await context.addInitScript({ path: AXE_SOURCE })
    const where = { label: '' }
    const page = await openWatchedPage(context, findings, where)
    try {
      for (const state of PAGE_STATES) {
        for (const lang of LANGS) {
          where.label = `${name} ${state} ${lang}`
          const response = await page.goto(`${origin}/t/${state}?lang=${lang}`)
          expect(response?.status(), where.label).toBe(200)
          const results = await page.evaluate((options) => globalThis.axe.run(document, options), AXE_OPTIONS)
          for (const violation of results.violations) {
            const targets = violation.nodes.map((node) => node.target.join(' ')).join(', ')
            findings.axe.push(`${where.label}: ${violation.id} (${targets})`)
          }
          const logoShown = await page.evaluate(() => {
            const logo = document.querySelector('header img')
            return logo instanceof HTMLImageElement && logo.complete && logo.naturalWidth > 0
          })
          if (!logoShown) findings.missingLogo.push(where.label)
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
          if (overflow > 0) findings.horizontalScroll.push(`${where.label}: ${overflow}px`)
          const other = lang === 'fr' ? 'en' : 'fr'
          const targets = [`header a[hreflang="${other}"]`, 'a[href^="https://www.laposte.fr/"]']
          for (const problem of await tabThrough(page, targets, 12))
            findings.focus.push(`${where.label}: ${problem}`)
          await page.screenshot({ path: join(SCREENSHOTS, `${state}-${lang}-${name}.png`), fullPage: true })
        }
      }
    } finally {
      await context.close()
    }
    return findings
  }

  it.concurrent.each(Object.keys(VIEWPORTS) as ViewportName[])(
    'shows every state in French and English on a %s screen, accessible and self-contained',
    async (name) => {
      const findings = await checkViewport(name)
      expect(findings).toEqual({
        axe: [],
        outsideRequests: [],
        cspViolations: [],
        horizontalScroll: [],
        focus: [],
        missingLogo: [],
      })
    },
  )
})
