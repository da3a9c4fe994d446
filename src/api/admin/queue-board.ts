import { createBullBoard } from '@bull-board/api'
import type { BaseAdapter } from '@bull-board/api/baseAdapter'
import { HonoAdapter } from '@bull-board/hono'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'

export const QUEUE_BOARD_PATH = '/admin/queues'

/**
 * Same origin only. The page's loading placeholder and the UI's own style elements are inline (styles
 * cannot reach another origin here: fonts and images are same-origin too); the page resolves its
 * assets against its `<base href>`.
 */
export const QUEUE_BOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** A `<link>` to another origin: bull-board's page links Google Fonts. */
const EXTERNAL_LINK = /<link\b[^>]*\bhref="(?:[a-z][a-z0-9+.-]*:)?\/\/[^"]*"[^>]*>\s*/gi

/**
 * The bull-board dashboard of every colis queue, its UI served from the npm package (no CDN for
 * its scripts). Its page loses the Google Fonts link (nothing colis serves reaches outside; the
 * stylesheet falls back to the system fonts it lists next) and comes with a CSP that keeps it on
 * this origin. The queue list follows the carriers: it is refreshed when a request finds it changed.
 */
export function queueBoard(queues: () => readonly BaseAdapter[]) {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_BOARD_PATH)
  let shown = queues()
  const board = createBullBoard({
    queues: shown,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'colis queues', hideDocsLink: true } },
  })
  const app = new Hono()
  app.use('*', async (c, next) => {
    const current = queues()
    if (current.length !== shown.length || current.some((queue, index) => queue !== shown[index])) {
      board.replaceQueues(current)
      shown = current
    }
    await next()
    if (c.res.headers.get('content-type')?.startsWith('text/html')) {
      const page = (await c.res.text()).replace(EXTERNAL_LINK, '')
      c.res = new Response(page, { status: c.res.status, headers: c.res.headers })
      c.res.headers.delete('content-length')
    }
    c.res.headers.set('content-security-policy', QUEUE_BOARD_CSP)
    c.res.headers.set('x-content-type-options', 'nosniff')
    c.res.headers.set('referrer-policy', 'no-referrer')
  })
  app.route('/', serverAdapter.registerPlugin())
  return app
}
