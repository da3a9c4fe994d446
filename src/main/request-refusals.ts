import { randomUUID } from 'node:crypto'
import { type ServerResponse, STATUS_CODES } from 'node:http'
import { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { RequestError } from '@hono/node-server'
import { ApiError, type ProblemCode, problemBody } from '../api/problem.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'

/** The metric labels of a request the app never saw: its method and route are not known. */
const UNREAD = { method: 'unknown', route: 'unread' } as const

/** Node's parser errors that have a status of their own (the rest are 400), as Node's own handler maps them. */
const CODE_BY_PARSER_ERROR: Record<string, ProblemCode> = {
  HPE_HEADER_OVERFLOW: 'headers_too_large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'payload_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
}

const DETAIL_BY_CODE: Partial<Record<ProblemCode, string>> = {
  headers_too_large: 'the request headers are larger than this server accepts',
  payload_too_large: 'a chunk extension is larger than this server accepts',
  request_timeout: 'the request was not received in time: the connection is closed',
}

export interface RequestRefusals {
  /** For the server's `clientError` event: Node could not parse the request, or it timed out. */
  onClientError(error: Error & { code?: string }, socket: Duplex): void
  /** For @hono/node-server's `errorHandler`: the request parsed, but it cannot become a `Request` (400). */
  onRequestError(error: unknown, client: string | undefined): Response
  /** An HTTP/1.1 request without a Host header (RFC 9112 §3.2: answer 400). */
  refuseMissingHost(outgoing: ServerResponse): void
}

/**
 * Answers, as problem+json with a request id and a log line, the requests that never reach the app:
 * the ones Node's parser rejects, the ones that time out, and the ones @hono/node-server cannot turn
 * into a `Request` (a backslash in the path, a malformed Host). The log line carries the reason and
 * the peer address, never the request's bytes (they may hold a credential or a parcel's details).
 */
export function createRequestRefusals(deps: {
  logger: Logger
  metrics?: Pick<Metrics, 'httpRequests'>
}): RequestRefusals {
  /** `reason` is the client's detail too, unless the code has a better one. */
  const refuse = (code: ProblemCode, reason: string, client: string | undefined) => {
    const requestId = randomUUID()
    const problem = problemBody(new ApiError(code, DETAIL_BY_CODE[code] ?? reason), { requestId })
    deps.metrics?.httpRequests.inc({ ...UNREAD, status: String(problem.status) })
    deps.logger.info({ requestId, status: problem.status, code, reason, client }, 'request refused unread')
    return { requestId, status: problem.status, body: JSON.stringify(problem) }
  }

  return {
    onClientError(error, socket) {
      // Writing is safe only when no answer to an earlier request of this connection has begun (the
      // same check as Node's default handler; `_httpMessage` is that answer).
      // Answered already: the rest of the same bad request fails to parse too, while the answer goes out.
      if (socket.writableEnded) return
      const answering = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage
      if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
        socket.destroy()
        return
      }
      const reason = error.code ?? 'unparsable request'
      const code = CODE_BY_PARSER_ERROR[reason] ?? 'malformed_request'
      const client = socket instanceof Socket ? socket.remoteAddress : undefined
      const { requestId, status, body } = refuse(code, `not parsable as HTTP/1.1 (${reason})`, client)
      const head = [
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
        'Content-Type: application/problem+json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        'Connection: close',
      ]
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy())
    },

    onRequestError(error, client) {
      // Anything but a RequestError is the app failing outside its own error handler: a bug.
      if (!(error instanceof RequestError))
        deps.logger.error({ err: error }, 'request failed outside the app')
      const { requestId, status, body } =
        error instanceof RequestError
          ? refuse('malformed_request', error.message, client)
          : refuse('internal', 'error outside the app', client)
      return new Response(body, {
        status,
        headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId },
      })
    },

    refuseMissingHost(outgoing) {
      const { requestId, status, body } = refuse(
        'malformed_request',
        'an HTTP/1.1 request needs a Host header',
        outgoing.socket?.remoteAddress,
      )
      outgoing.writeHead(status, {
        'content-type': 'application/problem+json',
        'content-length': Buffer.byteLength(body),
        'x-request-id': requestId,
        connection: 'close',
      })
      outgoing.end(body)
    },
  }
}
