import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { caughtCarrierError } from '../support/carrier-error.js'

// A real loopback server, not nock: these tests are about the HTTP client itself (pooling, streaming,
// caps, timeouts), which nock's interception would replace.
type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void
let server: Server
let origin: string
let handler: Handler
let connections = 0

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => handler(request, Buffer.concat(chunks).toString('utf8'), response))
  })
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})
beforeEach(() => {
  connections = 0
})

describe('carrier HTTP client', () => {
  it('sends method, headers, body and user agent, and reads status, headers and a chunked body', async () => {
    let seen: { method?: string; headers?: IncomingMessage['headers']; body?: string } = {}
    handler = (request, body, response) => {
      seen = { method: request.method, headers: request.headers, body }
      response.setHeader('set-cookie', ['a=1', 'b=2'])
      response.setHeader('retry-after', '7')
      response.writeHead(429)
      response.write('{"part":')
      setTimeout(() => response.end('"two"}'), 20)
    }
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 2000 })
    const answer = await http.request(`${origin}/track?lang=fr`, {
      method: 'POST',
      headers: { 'x-okapi-key': 'secret', 'content-type': 'text/xml' },
      body: '<q>é</q>',
    })
    expect(answer.status).toBe(429)
    expect(answer.text).toBe('{"part":"two"}')
    expect(answer.headers.get('retry-after')).toBe('7')
    expect(answer.headers.getSetCookie()).toEqual(['a=1', 'b=2'])
    expect(seen.method).toBe('POST')
    expect(seen.body).toBe('<q>é</q>')
    expect(seen.headers?.['x-okapi-key']).toBe('secret')
    expect(seen.headers?.['user-agent']).toMatch(/^colis\//)
    await http.close()
  })

  it('does not follow a redirect', async () => {
    handler = (request, _body, response) => {
      if (request.url === '/moved') return response.writeHead(302, { location: '/target' }).end()
      response.end('followed')
    }
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 2000 })
    const answer = await http.request(`${origin}/moved`)
    expect(answer.status).toBe(302)
    expect(answer.headers.get('location')).toBe('/target')
    await http.close()
  })

  it('keeps connections open between polls and never opens more than its cap', async () => {
    handler = (_request, _body, response) => setTimeout(() => response.end('ok'), 5)
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 2000, connections: 2 })
    for (let index = 0; index < 10; index++) expect((await http.request(`${origin}/one`)).text).toBe('ok')
    expect(connections).toBe(1)
    const answers = await Promise.all(Array.from({ length: 20 }, () => http.request(`${origin}/many`)))
    expect(answers.every((answer) => answer.text === 'ok')).toBe(true)
    expect(connections).toBe(2)
    await http.close()
  })

  it.each([
    ['declared by Content-Length', true],
    ['streamed without a length', false],
  ])(
    'refuses a body over its cap (%s) as unexpected_response, and serves the next poll',
    async (_name, declared) => {
      const big = 'x'.repeat(5000)
      handler = (request, _body, response) => {
        if (request.url === '/small') return response.end('small')
        if (declared) response.setHeader('content-length', big.length)
        response.write(big.slice(0, 2500))
        setTimeout(() => response.end(big.slice(2500)), 20)
      }
      const http = createCarrierHttp({ carrier: 'test', timeoutMs: 2000, maxBodyBytes: 4000 })
      const error = await caughtCarrierError(http.request(`${origin}/big`))
      expect(error).toMatchObject({
        kind: 'unexpected_response',
        message: 'response body larger than 4000 bytes',
      })
      expect((await http.request(`${origin}/small`)).text).toBe('small')
      await http.close()
    },
  )

  it('gives up at the whole-request budget, even when the headers came in time', async () => {
    handler = (_request, _body, response) => {
      response.writeHead(200)
      response.write('{"slow":')
    }
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 150 })
    const started = performance.now()
    const error = await caughtCarrierError(http.request(`${origin}/stall`))
    expect(error).toMatchObject({ kind: 'unavailable', message: 'test: timed out' })
    expect(performance.now() - started).toBeLessThan(1500)
    await http.close()
  })

  it('gives up at the budget when no answer starts at all', async () => {
    handler = () => {}
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 150 })
    const error = await caughtCarrierError(http.request(`${origin}/silent`))
    expect(error).toMatchObject({ kind: 'unavailable', message: 'test: timed out' })
    await http.close()
  })

  it("stops when the caller's signal aborts (a worker shutting down)", async () => {
    handler = () => {}
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 5000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('worker closing')), 50)
    const error = await caughtCarrierError(http.request(`${origin}/never`, {}, controller.signal))
    expect(error).toMatchObject({ kind: 'unavailable', message: 'test: worker closing' })
    await http.close()
  })

  it('reports a refused connection or a cut body as unavailable', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 2000 })
    expect(await caughtCarrierError(http.request(`http://127.0.0.1:${port}/`))).toMatchObject({
      kind: 'unavailable',
    })

    handler = (_request, _body, response) => {
      response.writeHead(200, { 'content-length': '100' })
      response.write('{"cut":')
      setTimeout(() => response.socket?.destroy(), 20)
    }
    expect(await caughtCarrierError(http.request(`${origin}/cut`))).toMatchObject({ kind: 'unavailable' })
    await http.close()
  })

  it('refuses a URL it cannot fetch as unavailable, without a request', async () => {
    const http = createCarrierHttp({ carrier: 'test', timeoutMs: 2000 })
    expect(await caughtCarrierError(http.request('not a url'))).toMatchObject({ kind: 'unavailable' })
    expect(await caughtCarrierError(http.request('ftp://127.0.0.1/x'))).toMatchObject({
      kind: 'unavailable',
      message: 'test: unsupported protocol ftp:',
    })
    expect(connections).toBe(0)
    await http.close()
  })
})
