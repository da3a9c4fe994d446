import { Agent } from 'undici'
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

export function createCarrierHttp(options: CarrierHttpOptions): CarrierHttp {
  const agent = new Agent({
    connections: options.connections ?? 32,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: Math.min(5_000, options.timeoutMs) },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  })
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024
  const userAgent = `colis/${VERSION} (+https://github.com/colis-tracking/colis)`

  return {
    async request(url, request = {}, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs)
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
      let response: Response
      try {
        // Resolved at call time: nock patches globalThis.fetch when a test imports it.
        response = await globalThis.fetch(url, {
          method: request.method ?? 'GET',
          headers: { 'user-agent': userAgent, ...request.headers },
          body: request.body,
          redirect: 'manual',
          signal: combined,
          // @ts-expect-error undici's dispatcher option is not in the DOM RequestInit type
          dispatcher: agent,
        })
      } catch (error) {
        throw networkError(options.carrier, error)
      }
      let text: string
      try {
        text = await readCapped(response, maxBodyBytes)
      } catch (error) {
        if (error instanceof CarrierError) throw error
        throw networkError(options.carrier, error)
      }
      return { status: response.status, headers: response.headers, text }
    },
    async close() {
      await agent.close()
    },
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (!response.body) return ''
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of response.body) {
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function tooLarge(maxBytes: number): CarrierError {
  return new CarrierError('unexpected_response', `response body larger than ${maxBytes} bytes`)
}

function networkError(carrier: string, error: unknown): CarrierError {
  const reason =
    error instanceof Error ? (error.name === 'TimeoutError' ? 'timed out' : error.message) : String(error)
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
