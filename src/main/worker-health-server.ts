import { createWorkerApp, type WorkerAppDeps } from '../api/worker-app.js'
import { type HttpLimits, type HttpListener, listenHttp } from './http-listener.js'

/** Listens on HOST:PORT for a `worker` process, so the image's HEALTHCHECK works for every role. */
export function startWorkerHealthServer(
  options: WorkerAppDeps & { host: string; port: number; limits: HttpLimits },
): Promise<HttpListener> {
  const { host, port, limits, logger, metrics } = options
  return listenHttp({ fetch: createWorkerApp(options).fetch, host, port, limits, logger, metrics })
}
