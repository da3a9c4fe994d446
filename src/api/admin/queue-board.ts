import { createBullBoard } from '@bull-board/api'
import type { BaseAdapter } from '@bull-board/api/baseAdapter'
import { HonoAdapter } from '@bull-board/hono'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'

export const QUEUE_BOARD_PATH = '/admin/queues'

/**
 * The bull-board dashboard of every colis queue, its UI served from the npm package (no CDN for
 * its scripts). The queue list follows the carriers: it is refreshed when a request finds it changed.
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
  app.use('*', async (_c, next) => {
    const current = queues()
    if (current.length !== shown.length || current.some((queue, index) => queue !== shown[index])) {
      board.replaceQueues(current)
      shown = current
    }
    await next()
  })
  app.route('/', serverAdapter.registerPlugin())
  return app
}
