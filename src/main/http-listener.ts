import { serve as serveHttp } from '@hono/node-server'

export interface HttpListener {
  url: string
  stop(): Promise<void>
}

/** Serves `fetch` on host:port (port 0: any free one); resolves once it listens. */
export async function listenHttp(
  fetch: (request: Request) => Response | Promise<Response>,
  host: string,
  port: number,
): Promise<HttpListener> {
  const server = await new Promise<ReturnType<typeof serveHttp>>((resolve, reject) => {
    const listening = serveHttp({ fetch, hostname: host, port }, () => resolve(listening))
    listening.once('error', reject)
  })
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : port
  return {
    url: `http://${host}:${bound}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
