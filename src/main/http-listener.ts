import { createServer, type IncomingMessage } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import { createRequestRefusals } from './request-refusals.js'

export interface HttpListener {
  url: string
  stop(): Promise<void>
}

/** How long clients may take and how many may be connected at once (HTTP_* settings). */
export interface HttpLimits {
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  maxConnections: number
}

export function httpLimitsFrom(config: Config): HttpLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT,
    maxConnections: config.HTTP_MAX_CONNECTIONS,
  }
}

/** How often Node looks for connections past their headers or request timeout (at most). */
const TIMEOUT_CHECK_MS = 1_000
/** A full connection table is logged at most once per this. */
const DROP_LOG_INTERVAL_MS = 60_000

export interface ListenHttpOptions {
  fetch: (request: Request) => Response | Promise<Response>
  host: string
  /** 0: any free port. */
  port: number
  limits: HttpLimits
  logger: Logger
  metrics?: Pick<Metrics, 'httpRequests'>
}

/**
 * Serves `fetch` on host:port and resolves once it listens. Requests that never reach `fetch`
 * (unparsable, too slow, a backslash in the path, a malformed Host) are answered problem+json too.
 */
export async function listenHttp(options: ListenHttpOptions): Promise<HttpListener> {
  const { host, port, limits, logger } = options
  const refusals = createRequestRefusals({ logger, metrics: options.metrics })
  let reading: IncomingMessage | undefined
  const listener = getRequestListener(options.fetch, {
    hostname: host,
    errorHandler: (error) => refusals.onRequestError(error, reading?.socket.remoteAddress),
  })
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, limits.headersTimeoutMs),
      // Checked below, so that the 400 is problem+json like every other answer.
      requireHostHeader: false,
    },
    (incoming, outgoing) => {
      if (incoming.httpVersion === '1.1' && !incoming.headers.host) {
        refusals.refuseMissingHost(outgoing)
        return
      }
      // @hono/node-server calls `errorHandler` synchronously, while it builds the Request from
      // `incoming`: this is how the refusal learns the client's address.
      reading = incoming
      void listener(incoming, outgoing)
      reading = undefined
    },
  )
  server.maxConnections = limits.maxConnections
  server.on('clientError', (error, socket) => refusals.onClientError(error, socket))
  let lastDropLogMs = -Infinity
  let dropped = 0
  server.on('drop', () => {
    dropped++
    if (Date.now() - lastDropLogMs < DROP_LOG_INTERVAL_MS) return
    lastDropLogMs = Date.now()
    logger.warn(
      { maxConnections: limits.maxConnections, dropped },
      'connection limit reached (HTTP_MAX_CONNECTIONS): new connections are closed unanswered',
    )
    dropped = 0
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  // Past startup (an accept that fails for lack of file descriptors): logged, the server goes on.
  server.on('error', (error) => logger.error({ err: error }, 'HTTP server error'))
  const address = server.address()
  const bound = typeof address === 'object' && address ? address.port : port
  return {
    url: `http://${host}:${bound}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
