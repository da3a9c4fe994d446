import type { PageLang } from './paris-dates.js'

/** The same page in another language: `?lang=` set, the rest of the query kept. */
export function languageUrl(pageUrl: string, lang: PageLang): string {
  const [base = '', query = ''] = (pageUrl.split('#')[0] ?? '').split(/\?(.*)/s, 2)
  const params = new URLSearchParams(query)
  params.set('lang', lang)
  return `${base}?${params}`
}

/** An absolute http(s) address as written, or undefined: no `javascript:` or `data:` link on the page. */
export function webUrl(url: string | undefined): string | undefined {
  if (!url) return undefined
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined
  } catch {
    return undefined
  }
}

/**
 * The logo's address when it is served by the page's own origin (a path, or an absolute address on the
 * page's origin): the page loads nothing from anywhere else.
 */
export function sameOriginUrl(url: string | undefined, pageUrl: string): string | undefined {
  if (!url) return undefined
  if (/^\/(?![/\\])/.test(url)) return url
  const absolute = webUrl(url)
  const pageOrigin = webUrl(pageUrl) && new URL(pageUrl).origin
  return absolute && pageOrigin && new URL(absolute).origin === pageOrigin ? absolute : undefined
}

const EMAIL = /^[^\s@<>"'(),;:\\]+@[^\s@<>"'(),;:\\]+\.[^\s@<>"'(),;:\\]+$/

export function mailtoUrl(email: string | undefined): string | undefined {
  return email && EMAIL.test(email) ? `mailto:${email}` : undefined
}

const HEX_COLOUR = /^#(?:[0-9a-f]{3}){1,2}$/i

/** A neutral blue, AA on white (and white on it). */
export const DEFAULT_ACCENT = '#1d4ed8'

/** The accent as a CSS value: only a hex colour goes into the style sheet. */
export function accentColour(accent: string | undefined): string {
  return accent && HEX_COLOUR.test(accent) ? accent : DEFAULT_ACCENT
}
