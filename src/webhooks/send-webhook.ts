import type { Dispatcher } from 'undici'
import { parseRetryAfter } from './retry-schedule.js'

export interface SendWebhookRequest {
  url: string
  headers: Record<string, string>
  /** The exact string that was signed. */
  body: string
  /** The guarded dispatcher of egress-guard.ts: it is what keeps deliveries off internal addresses. */
  dispatcher: Dispatcher
  /** Whole-attempt budget, connect to last byte read. */
  timeoutMs: number
}

export interface SendWebhookResult {
  /** `failed`: no retry can help (the URL cannot be fetched at all). */
  outcome: 'delivered' | 'gone' | 'retry' | 'failed'
  statusCode?: number
  durationMs: number
  retryAfterMs?: number
  error?: string
  /** At most the first KiB of the response body, for the delivery log; never echoed further. */
  responseExcerpt?: string
}

const EXCERPT_BYTES = 1024
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/** One delivery attempt. Never throws and never follows redirects (3xx counts as a failure). */
export async function sendWebhook(request: SendWebhookRequest): Promise<SendWebhookResult> {
  const unusable = unusableUrl(request.url)
  if (unusable) return { outcome: 'failed', durationMs: 0, error: unusable }
  // Not AbortSignal.timeout: its transferable signal costs several times a plain controller and timer.
  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${request.timeoutMs} ms`, 'TimeoutError')),
    request.timeoutMs,
  )
  try {
    return await attempt(request, controller.signal)
  } finally {
    clearTimeout(timer)
  }
}

async function attempt(request: SendWebhookRequest, signal: AbortSignal): Promise<SendWebhookResult> {
  const started = performance.now()
  const durationMs = () => Math.round(performance.now() - started)
  let response: Response
  try {
    // Resolved at call time: nock patches globalThis.fetch when a test imports it.
    response = await globalThis.fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal,
      // @ts-expect-error undici's dispatcher option is not in the DOM RequestInit type
      dispatcher: request.dispatcher,
    })
  } catch (error) {
    return { outcome: 'retry', durationMs: durationMs(), error: describeError(error, request.timeoutMs) }
  }

  const statusCode = response.status
  const responseExcerpt = await readExcerpt(response)
  const result = { statusCode, durationMs: durationMs(), ...(responseExcerpt ? { responseExcerpt } : {}) }
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', ...result }
  if (statusCode === 410)
    return { outcome: 'gone', ...result, error: 'HTTP 410 Gone: endpoint asked to be disabled' }
  if (statusCode === 429 || statusCode === 503) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now())
    return {
      outcome: 'retry',
      ...result,
      error: `HTTP ${statusCode}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    }
  }
  if (statusCode >= 300 && statusCode < 400) {
    return { outcome: 'retry', ...result, error: `HTTP ${statusCode}: redirects are not followed` }
  }
  return { outcome: 'retry', ...result, error: `HTTP ${statusCode}` }
}

async function readExcerpt(response: Response): Promise<string | undefined> {
  if (!response.body) return undefined
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    while (total < EXCERPT_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      total += value.byteLength
    }
  } catch {
    // A body that fails or times out after the status line does not change the outcome.
  } finally {
    reader.cancel().catch(() => {})
  }
  const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8')
  return text || undefined
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let current = error; current !== undefined && chain.length < 5; ) {
    chain.push(current)
    current = current instanceof Error ? current.cause : undefined
  }
  return chain
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function describeError(error: unknown, timeoutMs: number): string {
  const chain = causes(error)
  const blocked = chain.find((entry) => codeOf(entry) === 'ESSRFBLOCKED')
  if (blocked instanceof Error)
    return blocked.message.startsWith('egress blocked')
      ? blocked.message
      : `egress blocked: ${blocked.message}`
  if (
    chain.some(
      (entry) =>
        (entry instanceof Error && entry.name === 'TimeoutError') || TIMEOUT_CODES.has(codeOf(entry) ?? ''),
    )
  ) {
    return `timed out after ${timeoutMs} ms`
  }
  const root = chain.at(-1)
  const code = codeOf(root)
  const message = root instanceof Error ? root.message : String(root)
  return code && !message.includes(code) ? `${code}: ${message}` : message
}

/** fetch would refuse these at once (or, for data: URLs, answer 200 without any network): no retry can help. */
function unusableUrl(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'not a valid URL'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `scheme ${parsed.protocol} is not http(s)`
  if (parsed.username || parsed.password) return 'credentials in the URL are not allowed'
  return undefined
}
