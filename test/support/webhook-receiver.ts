import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders
  body: string
  receivedAtMs: number
}

/** A full answer: a status, extra response headers (Retry-After, Location…), and a pause before answering. */
export interface ReceiverAnswer {
  status: number
  headers?: Record<string, string>
  delayMs?: number
}

/** A loopback webhook receiver that records every request; `answer` picks the status (or full answer) of each. */
export async function startWebhookReceiver(
  answer: (request: ReceivedWebhook, index: number) => number | ReceiverAnswer = () => 200,
) {
  const received: ReceivedWebhook[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const entry = {
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAtMs: Date.now(),
      }
      received.push(entry)
      const picked = answer(entry, received.length - 1)
      const { status, headers = {}, delayMs = 0 } = typeof picked === 'number' ? { status: picked } : picked
      const reply = () => {
        response.writeHead(status, { 'content-type': 'text/plain', ...headers })
        response.end('ok')
      }
      if (delayMs <= 0) return reply()
      const timer = setTimeout(() => {
        timers.delete(timer)
        reply()
      }, delayMs)
      timers.add(timer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    async close() {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
