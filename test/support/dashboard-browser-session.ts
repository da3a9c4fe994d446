import { expect } from 'vitest'

type App = { request(path: string, init?: RequestInit): Response | Promise<Response> }

/** The origin `app.request` addresses when given a path: what a page of colis sends as `Origin`. */
export const APP_ORIGIN = 'http://localhost'

/** The cookies an answer sets, by name: the value and the attributes as written. */
export function setCookies(response: Response): Map<string, { value: string; attributes: string[] }> {
  const cookies = new Map<string, { value: string; attributes: string[] }>()
  for (const line of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
    const at = pair.indexOf('=')
    cookies.set(pair.slice(0, at), { value: pair.slice(at + 1), attributes })
  }
  return cookies
}

/** The CSRF token a page's form carries. */
export function formToken(html: string): string {
  const token = html.match(/name="csrf" value="([^"]+)"/)?.[1]
  if (!token) throw new Error('no CSRF token in the page')
  return token
}

/**
 * A browser of the dashboard, without the browser: it keeps the cookies colis sets (by name, whatever
 * their path) and sends them back, and sends what a page of colis sends with its forms.
 */
export function dashboardBrowser(
  app: App,
  options: { address?: string; headers?: Record<string, string> } = {},
) {
  const jar = new Map<string, string>()
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
  const keep = (response: Response) => {
    for (const [name, { value, attributes }] of setCookies(response)) {
      if (attributes.some((attribute) => /^max-age=0$/i.test(attribute))) jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }
  const headers = (extra: Record<string, string> = {}) => ({
    ...(jar.size > 0 ? { cookie: cookieHeader() } : {}),
    'x-forwarded-for': options.address ?? '192.0.2.10',
    ...options.headers,
    ...extra,
  })
  return {
    jar,
    async get(path: string, extra: Record<string, string> = {}) {
      return keep(await app.request(path, { headers: headers(extra) }))
    },
    async post(path: string, fields: Record<string, string>, extra: Record<string, string> = {}) {
      return keep(
        await app.request(path, {
          method: 'POST',
          headers: headers({
            'content-type': 'application/x-www-form-urlencoded',
            origin: APP_ORIGIN,
            'sec-fetch-site': 'same-origin',
            ...extra,
          }),
          body: new URLSearchParams(fields).toString(),
        }),
      )
    },
    /** Opens the sign-in form and sends `apiKey` with the form's token; the answer to the post. */
    async signIn(apiKey: string, extra: Record<string, string> = {}) {
      const form = await this.get('/dashboard')
      expect(form.status).toBe(200)
      return this.post('/dashboard/session', { csrf: formToken(await form.text()), apiKey }, extra)
    },
  }
}

export type DashboardBrowser = ReturnType<typeof dashboardBrowser>
