import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { type HttpLimits, type HttpListener, listenHttp } from '../../src/main/http-listener.js'
import { createMemoryHarness } from '../support/memory-harness.js'
import { openRaw, type RawAnswer, sendRaw } from '../support/raw-http.js'

const GENEROUS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 100,
}

/** Sent in every malformed request below: it must never reach a log line. */
const SECRET = 'colis_abcdefghijkl_never-logged-secret'

describe('HTTP listener', () => {
  let listener: HttpListener | undefined
  let lines: Array<Record<string, unknown>> = []

  const captureLogs = () => {
    lines = []
    return createLogger('info', {}, { destination: { write: (line) => lines.push(JSON.parse(line)) } })
  }

  const start = async (limits: Partial<HttpLimits> = {}, fetch?: (request: Request) => Promise<Response>) => {
    const logger = captureLogs()
    const app = new Hono()
    app.all('*', async (c) => c.json({ path: c.req.path, bytes: (await c.req.text()).length }))
    listener = await listenHttp({
      fetch: fetch ?? app.fetch,
      host: '127.0.0.1',
      port: 0,
      limits: { ...GENEROUS, ...limits },
      logger,
    })
    return listener.url
  }

  afterEach(async () => {
    await listener?.stop()
    listener = undefined
  })

  /** problem+json with the code, a request id in header and body, and one log line under that id. */
  const expectRefusal = (answer: RawAnswer, status: number, code: string) => {
    expect(answer.status).toBe(status)
    expect(answer.headers['content-type']).toBe('application/problem+json')
    const problem = JSON.parse(answer.body) as Record<string, unknown>
    expect(problem).toMatchObject({ type: `urn:colis:problem:${code}`, status, code })
    expect(problem.title).toEqual(expect.any(String))
    expect(problem.requestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(answer.headers['x-request-id']).toBe(problem.requestId)
    const logged = lines.filter((line) => line.requestId === problem.requestId)
    expect(logged).toEqual([expect.objectContaining({ status, code, client: '127.0.0.1' })])
    expect(JSON.stringify(lines)).not.toContain(SECRET)
  }

  it.each([
    ['a backslash in the path', `GET /v1\\trackings HTTP/1.1\r\nHost: a\r\n`, 400, 'malformed_request'],
    ['a malformed Host', 'GET / HTTP/1.1\r\nHost: a/b@c\r\n', 400, 'malformed_request'],
    ['a Host with a space', 'GET / HTTP/1.1\r\nHost: exa mple\r\n', 400, 'malformed_request'],
    ['no Host in HTTP/1.1', 'GET / HTTP/1.1\r\n', 400, 'malformed_request'],
    ['an asterisk target', 'GET * HTTP/1.1\r\nHost: a\r\n', 400, 'malformed_request'],
    ['a bad method', 'G@T / HTTP/1.1\r\nHost: a\r\n', 400, 'malformed_request'],
    ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: a\r\n', 400, 'malformed_request'],
    ['an unknown version', 'GET / HTTP/9.9\r\nHost: a\r\n', 400, 'malformed_request'],
    ['a bad header name', 'GET / HTTP/1.1\r\nHost: a\r\nBad Header: 1\r\n', 400, 'malformed_request'],
    [
      'both Content-Length and chunked',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n',
      400,
      'malformed_request',
    ],
    [
      'headers too large',
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n`,
      431,
      'headers_too_large',
    ],
  ])('answers %s with problem+json, a request id and a log line', async (_name, head, status, code) => {
    const url = await start()
    const answer = await sendRaw(url, `${head}Authorization: Bearer ${SECRET}\r\n\r\n`)
    expectRefusal(answer, status, code)
  })

  it('answers headers too large while the client is still sending them', async () => {
    const url = await start()
    const connection = await openRaw(url)
    connection.write('GET / HTTP/1.1\r\nHost: a\r\nX-Big: ')
    // Past the limit, then more of the same request: it keeps failing to parse while the 431 goes out.
    for (let chunk = 0; chunk < 64 && !connection.socket.destroyed; chunk++) {
      connection.write('a'.repeat(1024))
      await new Promise((resolve) => setImmediate(resolve))
    }
    expectRefusal(await connection.answer(), 431, 'headers_too_large')
  })

  it('still serves well-formed requests, HTTP/1.0 without Host included, and backslashes in a query', async () => {
    const url = await start()
    const old = await sendRaw(url, 'GET /healthz HTTP/1.0\r\n\r\n')
    expect(old.status).toBe(200)
    expect(JSON.parse(old.body)).toEqual({ path: '/healthz', bytes: 0 })
    const query = await sendRaw(url, 'GET /a?q=\\x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
    expect(query.status).toBe(200)
  })

  it('cuts off a client that sends its headers and then only part of its body (408)', async () => {
    const harness = await createMemoryHarness('http-listener', {}, {}, { logger: captureLogs() })
    try {
      const { key } = await harness.apiKeys.create('shop-slow')
      const url = await start({ headersTimeoutMs: 100, requestTimeoutMs: 300 }, async (request) =>
        harness.app.fetch(request),
      )
      const connection = await openRaw(url)
      const started = performance.now()
      connection.write(`POST /v1/trackings HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${key}\r\n`)
      connection.write('Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"trackingNumber":')
      await connection.closed
      expect(performance.now() - started).toBeGreaterThanOrEqual(250)
      expectRefusal(await connection.answer(), 408, 'request_timeout')
      // The app sees its body cut short: no error of its own.
      expect(lines.filter((line) => Number(line.level) >= 50)).toEqual([])
    } finally {
      await harness.close()
    }
  })

  it('cuts off a client that never finishes its headers (408)', async () => {
    const url = await start({ headersTimeoutMs: 200, requestTimeoutMs: 5_000 })
    const connection = await openRaw(url)
    const started = performance.now()
    connection.write('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ')
    await connection.closed
    expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    expectRefusal(await connection.answer(), 408, 'request_timeout')
  })

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const url = await start({ keepAliveTimeoutMs: 200 })
    const connection = await openRaw(url)
    connection.write('GET /a HTTP/1.1\r\nHost: a\r\n\r\n')
    expect((await connection.answer()).status).toBe(200)
    const answered = performance.now()
    await connection.closed
    const idleMs = performance.now() - answered
    expect(idleMs).toBeGreaterThanOrEqual(150)
    // Node's own default is 5 s.
    expect(idleMs).toBeLessThan(4_000)
  })

  it('closes connections past the cap unanswered, and serves the ones it holds', async () => {
    const url = await start({ maxConnections: 1 })
    const held = await openRaw(url)
    // The server has accepted the first connection once it answers on it.
    held.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\n')
    expect((await held.answer()).status).toBe(200)
    const extra = await openRaw(url)
    extra.write('GET /second HTTP/1.1\r\nHost: a\r\n\r\n')
    expect(await extra.closed).toBe('')
    expect(lines).toContainEqual(expect.objectContaining({ maxConnections: 1, dropped: 1 }))
    held.socket.destroy()
  })
})
