import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { SESSION_ID_PATTERN } from '../../store/dashboard-session-store.js'

/** The session's id: the only thing the browser holds (never the API key). */
export const SESSION_COOKIE = 'colis_dashboard'
/** The sign-in form's token, matched with the copy the form sends (there is no session yet). */
export const FORM_COOKIE = 'colis_dashboard_form'
/** How long a sign-in form may stay open before it is sent (s). */
const FORM_TOKEN_MAX_AGE_S = 2 * 3600

export interface CookieSettings {
  /** The dashboard's path as browsers see it: PUBLIC_BASE_URL's path, then `/dashboard`. */
  path: string
  publicBaseUrl: string
  trustProxy: boolean
}

/**
 * Whether the browser reached colis over HTTPS: PUBLIC_BASE_URL is https (the address colis is
 * published at), the request itself came over TLS, or, behind a trusted proxy (TRUST_PROXY, as for
 * X-Forwarded-For), the last X-Forwarded-Proto the proxy set says `https`.
 */
export function cameOverHttps(c: Context, settings: Pick<CookieSettings, 'publicBaseUrl' | 'trustProxy'>) {
  if (new URL(settings.publicBaseUrl).protocol === 'https:') return true
  if (new URL(c.req.url).protocol === 'https:') return true
  if (!settings.trustProxy) return false
  const proto = c.req.header('x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase()
  return proto === 'https'
}

const attributes = (c: Context, settings: CookieSettings, maxAgeS?: number) => ({
  path: settings.path,
  httpOnly: true,
  sameSite: 'Strict' as const,
  secure: cameOverHttps(c, settings),
  ...(maxAgeS === undefined ? {} : { maxAge: maxAgeS }),
})

/** A cookie of ours, when it holds a token of the one shape colis gives out. */
export function readToken(c: Context, name: string): string | undefined {
  const value = getCookie(c, name)
  return value !== undefined && SESSION_ID_PATTERN.test(value) ? value : undefined
}

export function setSessionCookie(c: Context, settings: CookieSettings, id: string, maxAgeMs: number) {
  setCookie(c, SESSION_COOKIE, id, attributes(c, settings, Math.max(1, Math.floor(maxAgeMs / 1000))))
}

export function setFormCookie(c: Context, settings: CookieSettings, token: string) {
  setCookie(c, FORM_COOKIE, token, attributes(c, settings, FORM_TOKEN_MAX_AGE_S))
}

export function clearCookie(c: Context, settings: CookieSettings, name: string) {
  deleteCookie(c, name, attributes(c, settings))
}
