import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGuardedDispatcher, parseAllowedCidrs } from '../../src/webhooks/egress-guard.js'
import { sendWebhook } from '../../src/webhooks/send-webhook.js'
import { createWebhookSecret, webhookHeaders } from '../../src/webhooks/sign.js'

interface Received {
  url: string | undefined
  headers: IncomingMessage['headers']
  body: string
}

const ROUTES: Record<string, (res: ServerResponse) => void> = {
  '/ok': (res) => res.writeHead(204).end(),
  '/gone': (res) => res.writeHead(410).end('endpoint removed'),
  '/throttled': (res) => res.writeHead(429, { 'retry-after': '120' }).end('slow down'),
  '/unavailable': (res) => res.writeHead(503, { 'retry-after': 'soon' }).end(),
  '/error': (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('x'.repeat(10_000)),
  '/huge': (res) => res.writeHead(200).end('y'.repeat(200_000)),
  '/moved': (res) => res.writeHead(301, { location: '/ok' }).end(),
  '/slow': (res) => {
    setTimeout(() => res.writeHead(200).end(), 2_000).unref()
  },
  '/reset': (res) => res.socket?.destroy(),
}

describe('sendWebhook, against a loopback receiver', () => {
  let server: Server
  let base: string
  let dispatcher: Agent
  const received: Received[] = []

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.setEncoding('utf8')
      req.on('data', (chunk: string) => {
        body += chunk
      })
      req.on('end', () => {
        received.push({ url: req.url, headers: req.headers, body })
        ;(ROUTES[req.url ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    dispatcher = createGuardedDispatcher({ allowed: parseAllowedCidrs('127.0.0.1/32'), timeoutMs: 1_000 })
  })

  afterAll(async () => {
    await dispatcher.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const body = JSON.stringify({ type: 'tracking.delivered', data: { trackingId: 'trk_1' } })
  const headers = webhookHeaders({
    id: 'msg_send',
    timestampSeconds: Math.floor(Date.now() / 1000),
    body,
    secrets: [createWebhookSecret()],
  })
  const send = (path: string, timeoutMs = 1_000) =>
    sendWebhook({ url: `${base}${path}`, headers, body, dispatcher, timeoutMs })

  it('delivers on 2xx, posting the signed body and headers as they are', async () => {
    const result = await send('/ok')
    expect(result).toEqual({ outcome: 'delivered', statusCode: 204, durationMs: expect.any(Number) })
    const request = received.at(-1)
    expect(request?.body).toBe(body)
    expect(request?.headers).toMatchObject(headers)
  })

  it('reports 410 as gone', async () => {
    expect(await send('/gone')).toMatchObject({
      outcome: 'gone',
      statusCode: 410,
      responseExcerpt: 'endpoint removed',
    })
  })

  it('retries 429 with its Retry-After', async () => {
    expect(await send('/throttled')).toMatchObject({
      outcome: 'retry',
      statusCode: 429,
      retryAfterMs: 120_000,
    })
  })

  it('retries 503, ignoring an unreadable Retry-After', async () => {
    const result = await send('/unavailable')
    expect(result).toMatchObject({ outcome: 'retry', statusCode: 503, error: 'HTTP 503' })
    expect(result).not.toHaveProperty('retryAfterMs')
  })

  it('retries 500 and keeps only the first KiB of the response', async () => {
    const result = await send('/error')
    expect(result).toMatchObject({ outcome: 'retry', statusCode: 500, error: 'HTTP 500' })
    expect(result.responseExcerpt).toBe('x'.repeat(1024))
  })

  it('reads no more than a KiB of a large 2xx body, and still delivers', async () => {
    const result = await send('/huge')
    expect(result).toMatchObject({ outcome: 'delivered', statusCode: 200 })
    expect(result.responseExcerpt?.length).toBeLessThanOrEqual(1024)
  })

  it('does not follow a 301: a redirect is a failure to retry', async () => {
    const before = received.length
    const result = await send('/moved')
    expect(result).toMatchObject({
      outcome: 'retry',
      statusCode: 301,
      error: 'HTTP 301: redirects are not followed',
    })
    expect(received.slice(before).map((request) => request.url)).toEqual(['/moved'])
  })

  it('gives up on a slow receiver at the timeout', async () => {
    const result = await send('/slow', 200)
    expect(result).toMatchObject({ outcome: 'retry', error: 'timed out after 200 ms' })
    expect(result.durationMs).toBeLessThan(1_500)
  })

  it('retries a connection reset', async () => {
    const result = await send('/reset')
    expect(result.outcome).toBe('retry')
    expect(result.error).toMatch(/socket|closed|reset/i)
  })

  it('retries blocked egress, saying so for the delivery log', async () => {
    const strict = createGuardedDispatcher({ allowed: [], timeoutMs: 1_000 })
    const before = received.length
    const result = await sendWebhook({
      url: `${base}/ok`,
      headers,
      body,
      dispatcher: strict,
      timeoutMs: 1_000,
    })
    expect(result).toEqual({
      outcome: 'retry',
      durationMs: expect.any(Number),
      error: 'egress blocked: 127.0.0.1 is loopback',
    })
    expect(received.length).toBe(before)
    await strict.close()
  })

  it.each([
    ['not a url', 'not a valid URL'],
    ['data:application/json,{}', 'scheme data: is not http(s)'],
    ['ftp://127.0.0.1/', 'scheme ftp: is not http(s)'],
    ['http://user:pass@127.0.0.1/', 'credentials in the URL are not allowed'],
  ])('fails %s for good, without sending', async (url, error) => {
    expect(await sendWebhook({ url, headers, body, dispatcher, timeoutMs: 1_000 })).toEqual({
      outcome: 'failed',
      durationMs: 0,
      error,
    })
  })
})
