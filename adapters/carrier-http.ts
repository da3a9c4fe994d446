import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import https from 'node:https'
import { VERSION } from '../src/version.js'
import { CarrierError } from './contract.js'

export interface HttpRequest {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
}

export interface HttpResponse {
  status: number
  headers: Headers
  text: string
}

export interface CarrierHttpOptions {
  carrier: string
  /** Whole-request budget, connect to last body byte. */
  timeoutMs: number
  /** Connection cap per origin. */
  connections?: number
  /** Bodies larger than this are refused as `unexpected_response`. */
  maxBodyBytes?: number
}

/** The only door from an adapter to the network. It never retries: BullMQ owns retries. */
export interface CarrierHttp {
  request(url: string, request?: HttpRequest, signal?: AbortSignal): Promise<HttpResponse>
  close(): Promise<void>
}

/** How long an idle pooled connection is kept for the next poll. */
const IDLE_SOCKET_MS = 30_000

/**
 * Node's own HTTP client with keep-alive pools, not `fetch`: `fetch` (web streams, Request and Response
 * objects) costs the poll worker markedly more CPU per carrier request (BENCHMARKS.md, "Carrier HTTP
 * client"), and nock still intercepts this client in tests, which `undici.request` (about as cheap as
 * this client) would escape. Redirects are not followed: a carrier answering 3xx is an unexpected response.
 */
export function createCarrierHttp(options: CarrierHttpOptions): CarrierHttp {
  const pool = { keepAlive: true, maxSockets: options.connections ?? 32, timeout: IDLE_SOCKET_MS }
  const agents = { 'http:': new http.Agent(pool), 'https:': new https.Agent(pool) }
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024
  const userAgent = `colis/${VERSION} (+https://github.com/colis-tracking/colis)`

  return {
    request(url, request = {}, signal) {
      return new Promise<HttpResponse>((resolve, reject) => {
        // A plain timer cleared on settling, not `AbortSignal.timeout` (+ `AbortSignal.any`): those cost a
        // signal and its listeners per request, and a timer left armed for the whole budget after the
        // answer.
        let timedOut = false
        let timer: NodeJS.Timeout | undefined
        const fail = (error: unknown) => {
          clearTimeout(timer)
          reject(
            error instanceof CarrierError ? error : networkError(options.carrier, error, timedOut, signal),
          )
        }
        let target: URL
        try {
          target = new URL(url)
        } catch (error) {
          return fail(error)
        }
        const transport =
          target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined
        if (!transport) return fail(new Error(`unsupported protocol ${target.protocol}`))
        const outgoing = transport.request(
          target,
          {
            method: request.method ?? 'GET',
            headers: { 'user-agent': userAgent, ...request.headers },
            agent: agents[target.protocol as keyof typeof agents],
            signal,
          },
          (response) => {
            readCapped(response, maxBodyBytes).then((text) => {
              clearTimeout(timer)
              let headers: Headers | undefined
              resolve({
                status: response.statusCode ?? 0,
                // Built when read: adapters look at a header only on a quota answer.
                get headers() {
                  headers ??= toHeaders(response.headers)
                  return headers
                },
                text,
              })
            }, fail)
          },
        )
        timer = setTimeout(() => {
          timedOut = true
          outgoing.destroy(new Error('timed out'))
        }, options.timeoutMs)
        outgoing.on('error', fail)
        outgoing.end(request.body)
      })
    },
    async close() {
      for (const agent of Object.values(agents)) agent.destroy()
    },
  }
}

function readCapped(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const refuse = () => {
      reject(tooLarge(maxBytes))
      response.destroy()
    }
    if (Number(response.headers['content-length'] ?? 0) > maxBytes) return refuse()
    const chunks: Buffer[] = []
    let total = 0
    response.on('data', (chunk: Buffer) => {
      total += chunk.byteLength
      if (total > maxBytes) return refuse()
      chunks.push(chunk)
    })
    response.on('end', () => resolve(Buffer.concat(chunks, total).toString('utf8')))
    // An abort or a connection cut mid-body (after `refuse`, the promise is already settled).
    response.on('error', reject)
    response.on('close', () => {
      if (!response.complete) reject(new Error('connection closed before the end of the body'))
    })
  })
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const name in raw) {
    const value = raw[name]
    if (typeof value === 'string') headers.set(name, value)
    else if (value) for (const item of value) headers.append(name, item)
  }
  return headers
}

function tooLarge(maxBytes: number): CarrierError {
  return new CarrierError('unexpected_response', `response body larger than ${maxBytes} bytes`)
}

function networkError(
  carrier: string,
  error: unknown,
  timedOut: boolean,
  signal: AbortSignal | undefined,
): CarrierError {
  // An aborted request fails with an AbortError whatever the reason: the caller's signal tells why.
  const cause = signal?.aborted ? signal.reason : error
  const reason = timedOut ? 'timed out' : cause instanceof Error ? cause.message : String(cause)
  return new CarrierError('unavailable', `${carrier}: ${reason}`, { cause: error })
}

/** Parses `Retry-After` (seconds or HTTP date) into ms; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}
