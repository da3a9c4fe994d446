import { createHash } from 'node:crypto'
import type { PageLanguage } from './page-language.js'

/**
 * Nothing but this origin's styles and images: no script, no frame, no other site (fonts are the
 * system's). Inline styles are allowed: the page ships its CSS in its own document.
 */
export const TRACKING_PAGE_CSP = [
  "default-src 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * On every answer under /t/ and of the order lookup: a page is found only through its secret URL, and
 * never gives it away.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': TRACKING_PAGE_CSP,
  'x-robots-tag': 'noindex',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
}

/** A rendered page's headers: revalidated on every visit (the parcel moves), in the language chosen. */
export function pageHeaders(lang: PageLanguage, etag: string): Record<string, string> {
  return {
    ...PAGE_HEADERS,
    'cache-control': 'no-cache',
    vary: 'Accept-Language',
    'content-language': lang,
    etag,
  }
}

/** A strong validator of the page's bytes. */
export function etagOf(html: string): string {
  return `"${createHash('sha256').update(html).digest('base64url')}"`
}

/** Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 has it for this header) or is `*`. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch
    .split(',')
    .map((candidate) => candidate.trim().replace(/^W\//, ''))
    .some((candidate) => candidate === '*' || candidate === etag)
}

function shortPage(title: string, lines: readonly string[]): string {
  return `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body>
${lines.map((line) => `<p>${line}</p>`).join('\n')}
</body>
</html>
`
}

/**
 * The one answer to any token that opens nothing (never given, rotated, deleted, misshapen): the same
 * bytes whatever the reason, in both languages, so that it tells nothing.
 */
export const PAGE_NOT_FOUND = {
  status: 404,
  body: shortPage('Page introuvable · Page not found', [
    'Cette page de suivi n’existe pas ou plus. Le lien a pu être remplacé : demandez-le à nouveau au marchand.',
    '<span lang="en">This tracking page does not exist, or no longer does. The link may have been replaced: ask the shop for it again.</span>',
  ]),
  headers: { ...PAGE_HEADERS, 'cache-control': 'no-store' },
} as const

/** The answer to an address over the failed-authentication limit, whatever it asks for. */
export function pageTooManyGuesses(blockMs: number) {
  return {
    status: 429,
    body: shortPage('Trop de tentatives · Too many attempts', [
      'Trop de liens erronés depuis cette adresse. Réessayez plus tard.',
      '<span lang="en">Too many wrong links from this address. Try again later.</span>',
    ]),
    headers: {
      ...PAGE_HEADERS,
      'cache-control': 'no-store',
      'retry-after': String(Math.max(1, Math.ceil(blockMs / 1000))),
    },
  } as const
}
