import { createWorkerApp, type WorkerAppDeps } from '../api/worker-app.js'
import { type HttpListener, listenHttp } from './http-listener.js'

/** Listens on HOST:PORT for a `worker` process, so the image's HEALTHCHECK works for every role. */
export function startWorkerHealthServer(
  options: WorkerAppDeps & { host: string; port: number },
): Promise<HttpListener> {
  return listenHttp(createWorkerApp(options).fetch, options.host, options.port)
}
