import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type ServerType, serve } from '@hono/node-server'
import type { AxeResults, RunOptions } from 'axe-core'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { newBrowserContext } from './chromium.js'

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const AXE_OPTIONS: RunOptions = {
  resultTypes: ['violations'],
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
}

export const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32" viewBox="0 0 96 32"><rect width="96" height="32" rx="6" fill="#0b6e4f"/></svg>'

export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  mobile: { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true },
} as const
export type ViewportName = keyof typeof VIEWPORTS
export const VIEWPORT_NAMES = Object.keys(VIEWPORTS) as ViewportName[]

/** What every page load reports while it runs, whatever else a test looks for. */
export interface LoadFindings {
  outsideRequests: string[]
  cspViolations: string[]
}

/** A viewport's one tab, kept across loads, and what it reported while the current load ran. */
export interface Tab<Findings extends LoadFindings> {
  context: BrowserContext
  page: Page
  label: string
  findings: Findings
}

declare global {
  var axe: { run(context: Document, options: RunOptions): Promise<AxeResults> }
}

/**
 * Serves `fetch` on a free loopback port. The server listens before the app exists so that colis can
 * be told its public address: the links it hands out are then the ones a browser follows.
 */
export async function listenOnLoopback(
  fetch: (request: Request, env: unknown) => Response | Promise<Response>,
): Promise<{ server: ServerType; origin: string }> {
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started))
  })
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Opens a tab at `name`'s screen size that records requests beyond `origin` and CSP violations. */
export async function openWatchedTab<Findings extends LoadFindings>(
  browser: Browser,
  name: ViewportName,
  origin: string,
  findings: Findings,
): Promise<Tab<Findings>> {
  const context = await newBrowserContext(browser, VIEWPORTS[name])
  // Init scripts are the browser's own: the page's CSP, which allows no script at all, stays in force.
  await context.addInitScript({ path: AXE_SOURCE })
  const page = await context.newPage()
  const tab: Tab<Findings> = { context, page, label: name, findings }
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

/** axe-core's WCAG 2.1 AA violations on the page as it is now, each as `label: rule (targets)`. */
export async function axeViolations(page: Page, label: string): Promise<string[]> {
  const results = await page.evaluate((options) => globalThis.axe.run(document, options), AXE_OPTIONS)
  return results.violations.map((violation) => {
    const targets = violation.nodes.map((node) => node.target.join(' ')).join(', ')
    return `${label}: ${violation.id} (${targets})`
  })
}

/** How many pixels the page is wider than its window: above zero, it scrolls sideways. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
}

/**
 * Saves a full-page screenshot into `folder` when the run asks for them (`COLIS_SCREENSHOTS=1`): they
 * are for a person to look at, and encoding them cost the browser tests a fifth of their time.
 */
export async function saveScreenshot(page: Page, folder: string, name: string): Promise<void> {
  if (process.env.COLIS_SCREENSHOTS !== '1') return
  mkdirSync(folder, { recursive: true })
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true })
}
