import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { dashboardFigures } from '../../domain/analytics/dashboard-figures.js'
import { DEFAULT_REPORT_WEEKS, reportWindowOf } from '../../domain/analytics/report-window.js'
import { type DashboardSession, randomToken } from '../../store/dashboard-session-store.js'
import type { ApiEnv } from '../api-env.js'
import type { AppDeps, DashboardDeps } from '../app-deps.js'
import { tokenMatches } from '../middleware/bearer-token.js'
import { clientAddress } from '../middleware/client-address.js'
import type { AuthFailureGuard } from '../middleware/rate-limit.js'
import { createGuessThrottle } from '../tracking-page/guess-throttle.js'
import { PAGE_HEADERS } from '../tracking-page/page-answers.js'
import { pageBranding } from '../tracking-page/page-branding.js'
import { negotiatePageLanguage, type PageLanguage } from '../tracking-page/page-language.js'
import {
  type CookieSettings,
  clearCookie,
  FORM_COOKIE,
  readToken,
  SESSION_COOKIE,
  setFormCookie,
  setSessionCookie,
} from './dashboard-cookies.js'
import { renderDashboardPage } from './dashboard-page.js'
import { comesFromColis, readForm, weeksAsked } from './dashboard-request.js'
import type { SignInNotice } from './dashboard-wording.js'
import { renderRefusalPage, renderSignInPage } from './sign-in-page.js'

export const DASHBOARD_PATH = '/dashboard'

/** An API key and a token, percent-encoded: anything longer is no sign-in. */
const FORM_BODY_LIMIT_BYTES = 4 * 1024

/** Every dashboard answer: never stored by a cache, never indexed, in the language it was asked in. */
const dashboardHeaders = (lang: PageLanguage) => ({
  ...PAGE_HEADERS,
  'cache-control': 'no-store',
  'content-language': lang,
  vary: 'Accept-Language, Cookie',
})

type Found = { id: string; session: DashboardSession } | { ended: SignInNotice } | undefined

/**
 * `/dashboard`: the merchant's carrier analytics as server-rendered charts, behind a sign-in with an
 * API key. The key is checked once, as the API checks it (a wrong one counts as a failed
 * authentication of the client address), and exchanged for a session: a random id in an HttpOnly,
 * SameSite=Strict cookie, the session itself in the store. A session ends when left idle, when it
 * reaches its maximum age, when its key is revoked (checked on every page), or on sign-out.
 */
export function dashboardRoutes(
  deps: AppDeps,
  dashboard: DashboardDeps,
  guard: AuthFailureGuard | undefined,
) {
  const now = deps.now ?? (() => new Date())
  const throttle = createGuessThrottle(guard)
  const trustProxy = deps.trustProxy === true
  const path = `${new URL(deps.publicBaseUrl).pathname.replace(/\/+$/, '')}${DASHBOARD_PATH}`
  const cookies: CookieSettings = { path, publicBaseUrl: deps.publicBaseUrl, trustProxy }
  const { sessions, idleMs, maxAgeMs } = dashboard
  const languageOf = (c: Context<ApiEnv>) =>
    negotiatePageLanguage(c.req.query('lang'), c.req.header('accept-language'))
  const dashboardUrl = (lang: PageLanguage) => `${path}?lang=${lang}`

  const signInForm = (
    c: Context<ApiEnv>,
    lang: PageLanguage,
    notice?: SignInNotice,
    status: ContentfulStatusCode = 200,
  ) => {
    let formToken = readToken(c, FORM_COOKIE)
    if (formToken === undefined) {
      formToken = randomToken()
      setFormCookie(c, cookies, formToken)
    }
    const idleMinutes = Math.round(idleMs / 60_000)
    const html = renderSignInPage({ lang, path, formToken, idleMinutes, notice })
    return c.body(html, status, dashboardHeaders(lang))
  }

  const refused = (c: Context<ApiEnv>, lang: PageLanguage) =>
    c.body(renderRefusalPage({ lang, path, kind: 'refused' }), 403, dashboardHeaders(lang))

  const tooManyAttempts = (c: Context<ApiEnv>, lang: PageLanguage, blockMs: number) =>
    c.body(renderRefusalPage({ lang, path, kind: 'too_many' }), 429, {
      ...dashboardHeaders(lang),
      'retry-after': String(Math.max(1, Math.ceil(blockMs / 1000))),
    })

  const redirect = (c: Context<ApiEnv>, lang: PageLanguage) =>
    c.body(null, 303, { ...dashboardHeaders(lang), location: dashboardUrl(lang) })

  /** The session the cookie names, still open; or why it ended (the cookie is then cleared). */
  const currentSession = async (c: Context<ApiEnv>): Promise<Found> => {
    const id = readToken(c, SESSION_COOKIE)
    if (id === undefined) return undefined
    const session = await sessions.resume(id, idleMs)
    let ended: SignInNotice | undefined
    if (!session || Date.parse(session.createdAt) + maxAgeMs <= now().getTime()) ended = 'expired'
    else if (!(await dashboard.isKeyActive(session.keyId))) ended = 'key_revoked'
    if (session && !ended) return { id, session }
    if (session) await sessions.end(id)
    clearCookie(c, cookies, SESSION_COOKIE)
    return { ended: ended ?? 'expired' }
  }

  const dashboardPage = async (c: Context<ApiEnv>, lang: PageLanguage, session: DashboardSession) => {
    const weeks = weeksAsked(c.req.query('weeks'), DEFAULT_REPORT_WEEKS)
    const nowMs = now().getTime()
    const window = reportWindowOf({}, nowMs, weeks)
    const { merchantId } = session
    const [cells, openAlerts, settings] = await Promise.all([
      deps.analytics.cells(merchantId, window.fromWeek, window.toWeek),
      deps.store.countOpenAlerts(merchantId),
      deps.merchantSettings.get(merchantId),
    ])
    const html = renderDashboardPage({
      lang,
      nowMs,
      path,
      branding: pageBranding(merchantId, settings?.branding),
      csrfToken: session.csrfToken,
      weeks,
      figures: dashboardFigures(cells, window),
      openAlerts,
      carrierName: (id) => deps.carriers.get(id)?.name ?? id,
    })
    return c.body(html, 200, dashboardHeaders(lang))
  }

  const limitForm = bodyLimit({
    maxSize: FORM_BODY_LIMIT_BYTES,
    onError: (c) => c.body(null, 413, dashboardHeaders(languageOf(c as Context<ApiEnv>))),
  })

  return (
    new Hono<ApiEnv>()
      .get('/', async (c) => {
        const lang = languageOf(c)
        const found = await currentSession(c)
        if (found && 'session' in found) return dashboardPage(c, lang, found.session)
        return signInForm(c, lang, found?.ended)
      })
      .post('/session', limitForm, async (c) => {
        const lang = languageOf(c)
        if (!comesFromColis(c, deps.publicBaseUrl)) return refused(c, lang)
        const form = await readForm(c)
        const formToken = readToken(c, FORM_COOKIE)
        if (formToken === undefined || !tokenMatches(form.get('csrf') ?? undefined, formToken)) {
          return signInForm(c, lang, 'form_expired', 403)
        }
        const address = clientAddress(c, trustProxy)
        const known = throttle.knownBlockMs(address)
        if (known !== undefined) return tooManyAttempts(c, lang, known)
        const apiKey = (form.get('apiKey') ?? '').trim()
        if (apiKey === '') return signInForm(c, lang, 'missing_key', 400)
        const blockMs = await throttle.blockMs(address)
        if (blockMs !== undefined) return tooManyAttempts(c, lang, blockMs)
        const identity = await deps.apiKeys.verify(apiKey)
        if (!identity) {
          await throttle.fail(address)
          return signInForm(c, lang, 'wrong_key', 403)
        }
        // A new id at every sign-in: a session id planted before it opens nothing after it.
        const previous = readToken(c, SESSION_COOKIE)
        if (previous !== undefined) await sessions.end(previous)
        const session = {
          merchantId: identity.merchantId,
          keyId: identity.keyId,
          csrfToken: randomToken(),
          createdAt: now().toISOString(),
        }
        setSessionCookie(c, cookies, await sessions.start(session, idleMs), maxAgeMs)
        clearCookie(c, cookies, FORM_COOKIE)
        return redirect(c, lang)
      })
      // Reached by reloading the page a failed sign-in answered, or by typing it: the form is at the dashboard.
      .get('/session', (c) => redirect(c, languageOf(c)))
      .get('/logout', (c) => redirect(c, languageOf(c)))
      .post('/logout', limitForm, async (c) => {
        const lang = languageOf(c)
        if (!comesFromColis(c, deps.publicBaseUrl)) return refused(c, lang)
        const found = await currentSession(c)
        if (!found || !('session' in found)) return redirect(c, lang)
        const form = await readForm(c)
        if (!tokenMatches(form.get('csrf') ?? undefined, found.session.csrfToken)) return refused(c, lang)
        await sessions.end(found.id)
        clearCookie(c, cookies, SESSION_COOKIE)
        return redirect(c, lang)
      })
  )
}
