import { type Context, Hono } from 'hono'
import { deliveryForecastOf, handoverOfEvents } from '../../domain/forecast/tracking-forecast.js'
import type { TrackingRecord } from '../../domain/tracking.js'
import type { TrackingEvent } from '../../domain/tracking-event.js'
import { toTrackingView } from '../../domain/tracking-view.js'
import { PAGE_TOKEN } from '../../store/page-token.js'
import type { ApiEnv } from '../api-env.js'
import type { AppDeps } from '../app-deps.js'
import { clientAddress } from '../middleware/client-address.js'
import type { AuthFailureGuard } from '../middleware/rate-limit.js'
import { createGuessThrottle } from './guess-throttle.js'
import { etagOf, matchesEtag, PAGE_NOT_FOUND, pageHeaders, pageTooManyGuesses } from './page-answers.js'
import { pageBranding } from './page-branding.js'
import { negotiatePageLanguage } from './page-language.js'
import { trackingPageUrl } from './page-url.js'
import { renderTrackingPage } from './render.js'

/** How long a rendered page may be served again for a tracking that has not changed. */
const RENDER_REUSE_MS = 60_000

type Answer = { status: 404 | 429; body: string; headers: Record<string, string> }
const answer = (c: Context, { status, body, headers }: Answer) => c.body(body, status, headers)

/**
 * `GET /t/{token}`: a parcel's public page, for shoppers, without an API key. The token is the only
 * credential and the only input that picks the tracking (no merchant is read from the request). A
 * token that opens nothing, for whatever reason, gets one and the same 404 page, and counts as a
 * failed authentication of its address (see guess-throttle.ts).
 */
export function trackingPageRoutes(deps: AppDeps, guard: AuthFailureGuard | undefined) {
  const now = deps.now ?? (() => new Date())
  const throttle = createGuessThrottle(guard)
  const trustProxy = deps.trustProxy === true

  /** The 404 of a token that opens nothing, counted against its address, or the 429 of a blocked one. */
  const wrongToken = async (c: Context<ApiEnv>, address: string) => {
    const known = throttle.knownBlockMs(address)
    if (known !== undefined) return answer(c, pageTooManyGuesses(known))
    await throttle.fail(address)
    return answer(c, PAGE_NOT_FOUND)
  }

  // The store hands out the same record and timeline objects while a tracking stays as it is (its
  // read cache): a page rendered for them is kept with them, for one language, one merchant setting
  // and one minute of the clock, which is all else it shows.
  const rendered = new WeakMap<
    TrackingRecord,
    { key: string; events: readonly TrackingEvent[]; model?: object; html: string; etag: string }
  >()
  const remember = (
    record: TrackingRecord,
    key: string,
    events: readonly TrackingEvent[],
    model: object | undefined,
    render: () => string,
  ) => {
    const html = render()
    const entry = { key, events, model, html, etag: etagOf(html) }
    rendered.set(record, entry)
    return entry
  }

  const page = async (c: Context<ApiEnv>) => {
    const address = clientAddress(c, trustProxy)
    const token = c.req.param('token') ?? ''
    if (!PAGE_TOKEN.test(token)) return wrongToken(c, address)
    const known = throttle.knownBlockMs(address)
    if (known !== undefined) return answer(c, pageTooManyGuesses(known))
    const [blockMs, found] = await Promise.all([throttle.blockMs(address), deps.store.findByPageToken(token)])
    if (blockMs !== undefined) return answer(c, pageTooManyGuesses(blockMs))
    if (!found) return wrongToken(c, address)
    const { record, events } = found
    const lang = negotiatePageLanguage(c.req.query('lang'), c.req.header('accept-language'))
    const carrier = deps.carriers.get(record.carrier)
    const settings = await deps.merchantSettings.get(record.merchantId)
    const nowMs = now().getTime()
    const key = [lang, Math.floor(nowMs / RENDER_REUSE_MS), settings?.updatedAt, token, carrier?.name].join(
      '|',
    )
    const model = deps.forecasts?.model()
    const last = rendered.get(record)
    const reused = last?.key === key && last.events === events && last.model === model ? last : undefined
    const { html, etag } =
      reused ??
      remember(record, key, events, model, () => {
        const { consumerDeadlines } = toTrackingView(record, undefined, undefined, {
          withdrawalDays: settings?.withdrawalDays,
        })
        const deliveryForecast =
          model &&
          deliveryForecastOf(record, handoverOfEvents(events), {
            model,
            dayKind: deps.alertPolicy(record).dayKind,
            nowMs,
          })
        return renderTrackingPage({
          record,
          events,
          lang,
          nowMs,
          carrierName: carrier?.name ?? record.carrier,
          carrierTrackingUrl: carrier?.publicTrackingUrl?.(record.trackingNumber),
          branding: pageBranding(record.merchantId, settings?.branding),
          showOrderId: settings?.branding?.showOrderId === true,
          pageUrl: trackingPageUrl(deps.publicBaseUrl, token),
          ...(consumerDeadlines ? { consumerDeadlines } : {}),
          ...(deliveryForecast ? { deliveryForecast } : {}),
        })
      })
    const headers = pageHeaders(lang, etag)
    if (matchesEtag(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers)
    return c.body(html, 200, headers)
  }

  // Any other request under /t/ (another method, more path segments) is a wrong token: the same 404.
  return new Hono<ApiEnv>().get('/:token', page).all('/*', (c) => wrongToken(c, clientAddress(c, trustProxy)))
}
