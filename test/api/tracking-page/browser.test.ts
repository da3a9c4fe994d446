import { fileURLToPath } from 'node:url'
import type { ServerType } from '@hono/node-server'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TRACKING_PAGE_CSP } from '../../../src/api/tracking-page/page-answers.js'
import { trainForecastModel } from '../../../src/domain/forecast/forecast-model.js'
import {
  axeViolations,
  LOGO_SVG,
  listenOnLoopback,
  openWatchedTab,
  saveScreenshot,
  VIEWPORT_NAMES,
  type ViewportName,
  type Tab as WatchedTab,
} from '../../support/browser-pages.js'
import { launchChromium } from '../../support/chromium.js'
import { createMemoryHarness, type MemoryHarness } from '../../support/memory-harness.js'
import {
  PAGE_STATES,
  type PageState,
  PRIVATE_FACTS,
  stateRecord,
} from '../../support/tracking-page-states.js'

const SCREENSHOTS = fileURLToPath(new URL('../../../test-artifacts/tracking-page/', import.meta.url))
const LANGS = ['fr', 'en'] as const
/** A dark green a merchant might choose: AA on white, as the branding API requires. */
const MERCHANT_ACCENT = '#0b6e4f'
const SUPPORT_URL = 'https://maison-lumiere.example/aide'

/**
 * Two shops: most states are the first one's, in its own accent; the delivered parcel is the second's,
 * in the default colours, which lets its page show the order id.
 */
const SHOPS = {
  accent: { accentColor: MERCHANT_ACCENT, showOrderId: false },
  orderId: { showOrderId: true },
} as const
type ShopName = keyof typeof SHOPS
const shopOf = (state: PageState): ShopName => (state === 'delivered' ? 'orderId' : 'accent')

/** The sandbox journey each state's parcel is registered as (SBX + scenario + 3 digits). */
const SCENARIO_OF: Record<PageState, string> = {
  pending: 'DELIVERED',
  info_received: 'DELIVERED',
  in_transit: 'DELIVERED',
  out_for_delivery: 'DELIVERED',
  failed_attempt: 'PICKUP',
  available_for_pickup: 'PICKUP',
  delivered: 'DELIVERED',
  returned: 'RETURNED',
  exception: 'CUSTOMS',
  late: 'DELIVERED',
}

/** What page loads showed that they must not. */
interface PageFindings {
  axe: string[]
  outsideRequests: string[]
  cspViolations: string[]
  /** The answer's own headers: its CSP, noindex, no referrer. */
  headers: string[]
  horizontalScroll: string[]
  focus: string[]
  /** The merchant's logo, served by colis, must load under the page's policy. */
  missingLogo: string[]
  /** Shown exactly where its merchant allows it. */
  orderId: string[]
  /** colis' forecast, on a parcel on its way and not once it is delivered. */
  forecast: string[]
}

const noFindings = (): PageFindings => ({
  axe: [],
  outsideRequests: [],
  cspViolations: [],
  headers: [],
  horizontalScroll: [],
  focus: [],
  missingLogo: [],
  orderId: [],
  forecast: [],
})

/**
 * Past parcels of the sandbox's lane to Bordeaux (33), delivered 2 to 6 business days after their
 * handover: enough for a forecast at the lane's own level.
 */
const LANE_HISTORY = trainForecastModel(
  [2, 3, 3, 4, 4, 4, 5, 5, 6].flatMap((transitDays) =>
    Array.from({ length: 4 }, () => ({ carrier: 'sandbox', service: '-', region: '33', transitDays })),
  ),
)

type Tab = WatchedTab<PageFindings>

/**
 * The shopper's tracking page in a real browser, served by colis itself: every state's parcel is
 * registered through the API, its timeline written to the store as polls would, its merchant's
 * branding and logo set through the API, and each `trackingPageUrl` opened as a shopper would, in both
 * languages on a desktop and a phone screen. axe-core finds no WCAG 2.1 AA violation, nothing is
 * requested beyond colis under its own CSP, nothing scrolls sideways, and the language switch and the
 * merchant's support link take a visible focus.
 */
describe('the tracking page in a browser', () => {
  let browser: Browser | undefined
  let server: ServerType | undefined
  let harness: MemoryHarness
  let origin: string
  /** The page's clock: each state is shown at the moment its timeline describes. */
  let nowMs = Date.parse('2026-12-04T09:00:00+01:00')
  const keys = {} as Record<ShopName, string>
  const parcels = {} as Record<PageState, { id: string; pageUrl: string }>
  const tabs = {} as Record<ViewportName, Tab>

  async function api(shop: ShopName, path: string, init: RequestInit = {}) {
    const response = await harness.request(keys[shop], path, init)
    if (!response.ok)
      throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<Record<string, unknown>>
  }

  async function brandShop(shop: ShopName) {
    keys[shop] = (await harness.apiKeys.create(`shop-page-${shop}`)).key
    const branding = {
      displayName: 'Maison Lumière',
      supportUrl: SUPPORT_URL,
      supportEmail: 'aide@maison-lumiere.example',
      ...SHOPS[shop],
    }
    await api(shop, '/v1/merchant/branding', { method: 'PUT', body: JSON.stringify(branding) })
    await api(shop, '/v1/merchant/branding/logo', {
      method: 'PUT',
      headers: { 'content-type': 'image/svg+xml' },
      body: LOGO_SVG,
    })
  }

  /** Registers the state's sandbox parcel, then stores its record and timeline as polls would have. */
  async function registerParcel(state: PageState, index: number) {
    const trackingNumber = `SBX${SCENARIO_OF[state]}${String(index + 1).padStart(3, '0')}`
    const created = await api(shopOf(state), '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber }),
    })
    const [view] = await harness.store.loadForPoll([String(created.id)])
    if (!view) throw new Error(`${trackingNumber} not stored`)
    const { record: sample, events } = stateRecord(state)
    const { id, merchantId, carrier, pageToken, createdAt, sequence } = view.record
    const record = { ...sample, id, merchantId, carrier, trackingNumber, pageToken, createdAt, sequence }
    const saved = await harness.store.save([{ before: view, record, events, nextPoll: undefined }])
    if (saved[0] !== 'saved') throw new Error(`${trackingNumber}: ${saved[0]}`)
    parcels[state] = { id, pageUrl: String(created.trackingPageUrl) }
  }

  beforeAll(async () => {
    const launching = launchChromium()
    const listening = await listenOnLoopback((request, env) => harness.app.fetch(request, env))
    server = listening.server
    origin = listening.origin
    harness = await createMemoryHarness(
      'tracking-page-browser',
      { PUBLIC_BASE_URL: origin },
      {},
      {
        app: { now: () => new Date(nowMs), forecasts: { model: () => LANE_HISTORY } },
      },
    )
    for (const shop of Object.keys(SHOPS) as ShopName[]) await brandShop(shop)
    for (const [index, state] of PAGE_STATES.entries()) await registerParcel(state, index)
    browser = await launching
    for (const name of VIEWPORT_NAMES) tabs[name] = await openWatchedTab(browser, name, origin, noFindings())
  })

  afterAll(async () => {
    await browser?.close()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    await harness?.close()
  })

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

  /** One state in one language on one screen, everything it showed that it must not added to `tab.findings`. */
  async function checkPage(tab: Tab, viewport: ViewportName, state: PageState, lang: 'fr' | 'en') {
    const { page, findings } = tab
    const label = `${viewport} ${state} ${lang}`
    tab.label = label
    const response = await page.goto(`${parcels[state].pageUrl}?lang=${lang}`)
    expect(response?.status(), label).toBe(200)
    const headers = (await response?.allHeaders()) ?? {}
    if (headers['content-security-policy'] !== TRACKING_PAGE_CSP)
      findings.headers.push(`${label}: CSP ${headers['content-security-policy']}`)
    if (headers['x-robots-tag'] !== 'noindex')
      findings.headers.push(`${label}: X-Robots-Tag ${headers['x-robots-tag']}`)
    if (headers['referrer-policy'] !== 'no-referrer')
      findings.headers.push(`${label}: Referrer-Policy ${headers['referrer-policy']}`)
    findings.axe.push(...(await axeViolations(page, label)))
    const shown = await page.evaluate(() => {
      const logo = document.querySelector('header img')
      return {
        logo: logo instanceof HTMLImageElement && logo.complete && logo.naturalWidth > 0,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        text: document.body.textContent ?? '',
      }
    })
    if (!shown.logo) findings.missingLogo.push(label)
    if (shown.overflow > 0) findings.horizontalScroll.push(`${label}: ${shown.overflow}px`)
    const orderIdAllowed = SHOPS[shopOf(state)].showOrderId
    if (shown.text.includes(PRIVATE_FACTS.orderId) !== orderIdAllowed)
      findings.orderId.push(`${label}: order id ${orderIdAllowed ? 'missing' : 'shown'}`)
    const forecastShown = (await page.locator('p.forecast').count()) > 0
    if (state === 'in_transit' && !forecastShown) findings.forecast.push(`${label}: no forecast`)
    if (state === 'delivered' && forecastShown) findings.forecast.push(`${label}: a forecast once delivered`)
    const other = lang === 'fr' ? 'en' : 'fr'
    const targets = [`header a[hreflang="${other}"]`, `a[href="${SUPPORT_URL}"]`]
    for (const problem of await tabThrough(page, targets, 12)) findings.focus.push(`${label}: ${problem}`)
    await saveScreenshot(page, SCREENSHOTS, `${state}-${lang}-${viewport}`)
  }

  it.each(PAGE_STATES)(
    'shows a parcel %s in French and English on a desktop and a phone screen, accessible and self-contained',
    async (state) => {
      nowMs = stateRecord(state).nowMs
      const findings = noFindings()
      for (const lang of LANGS) {
        await Promise.all(
          VIEWPORT_NAMES.map(async (viewport) => {
            const tab = tabs[viewport]
            tab.findings = findings
            await checkPage(tab, viewport, state, lang)
          }),
        )
      }
      expect(findings).toEqual(noFindings())
    },
  )

  it('shows the not-found page at a parcel link replaced by a new one, and the page at the new link', async () => {
    const { page } = tabs.mobile
    const { id, pageUrl: oldUrl } = parcels.in_transit
    const rotated = await api('accent', `/v1/trackings/${id}/page-token`, { method: 'POST' })
    const newUrl = String(rotated.trackingPageUrl)
    expect(newUrl).not.toBe(oldUrl)
    const gone = await page.goto(oldUrl)
    expect(gone?.status()).toBe(404)
    expect(await gone?.allHeaders()).toMatchObject({
      'content-security-policy': TRACKING_PAGE_CSP,
      'x-robots-tag': 'noindex',
      'referrer-policy': 'no-referrer',
    })
    const text = await page.evaluate(() => document.body.textContent ?? '')
    expect(text).toContain('This tracking page does not exist')
    expect(text).not.toContain('Maison Lumière')
    const found = await page.goto(newUrl)
    expect(found?.status()).toBe(200)
    expect(await page.evaluate(() => document.body.textContent ?? '')).toContain('Maison Lumière')
  })
})
