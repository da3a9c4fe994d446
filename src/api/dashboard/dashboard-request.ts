import type { Context } from 'hono'

/**
 * Whether a state-changing request (sign-in, sign-out) was sent by a page of colis itself. With Fetch
 * Metadata, `Sec-Fetch-Site` must be `same-origin`; its `Origin` may then be `null`, which is what a
 * browser sends for a form posted from a page under `Referrer-Policy: no-referrer`, as the dashboard's
 * pages are. Without Fetch Metadata, `Origin` must name colis: the origin of PUBLIC_BASE_URL or the one
 * the request was addressed to. A request with neither header is refused.
 */
export function comesFromColis(c: Context, publicBaseUrl: string): boolean {
  const site = c.req.header('sec-fetch-site')
  const origin = c.req.header('origin')
  const isColis = (value: string) =>
    value === new URL(publicBaseUrl).origin || value === new URL(c.req.url).origin
  if (site !== undefined)
    return site === 'same-origin' && (origin === undefined || origin === 'null' || isColis(origin))
  return origin !== undefined && isColis(origin)
}

/** The fields of a form post; none unless it is `application/x-www-form-urlencoded`. */
export async function readForm(c: Context): Promise<URLSearchParams> {
  const type = c.req.header('content-type') ?? ''
  return /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)
    ? new URLSearchParams(await c.req.text())
    : new URLSearchParams()
}

/** The weeks the page covers: `?weeks=` when it is at most a year's ISO weeks, else `fallback`. */
export function weeksAsked(query: string | undefined, fallback: number): number {
  if (query === undefined || !/^\d{1,2}$/.test(query)) return fallback
  const weeks = Number(query)
  return weeks >= 1 && weeks <= 53 ? weeks : fallback
}
