import { serve as serveHttp } from '@hono/node-server'
import { createWorkerApp, type WorkerAppDeps } from './api/worker-app.js'

export interface WorkerHealthServer {
  url: string
  stop(): Promise<void>
}

/** Listens on HOST:PORT for a `worker` process, so the image's HEALTHCHECK works for every role. */
export async function startWorkerHealthServer(
  options: WorkerAppDeps & { host: string; port: number },
): Promise<WorkerHealthServer> {
  const app = createWorkerApp(options)
  const server = await new Promise<ReturnType<typeof serveHttp>>((resolve, reject) => {
    const listening = serveHttp({ fetch: app.fetch, hostname: options.host, port: options.port }, () =>
      resolve(listening),
    )
    listening.once('error', reject)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  return {
    url: `http://${options.host}:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
