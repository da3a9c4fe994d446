import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface UpsFakeOptions {
  clientId: string
  clientSecret: string
  /** The Track API answer for a number (asked with `token`): HTTP status and body (a string as is, else JSON). */
  answer(trackingNumber: string, token: string): { status: number; body: unknown }
}

export interface UpsFake {
  /** `http://127.0.0.1:<port>`: `UPS_BASE_URL` is `${url}/api`, `UPS_TOKEN_URL` `${url}/security/v1/oauth/token`. */
  url: string
  /** Tokens given out, in order. */
  tokens: string[]
  /** Every Track API call: the number, the token it carried and its transId. */
  calls: Array<{ trackingNumber: string; token: string; transId: string }>
  /** Every token given out so far stops working (UPS revoking them): the next call gets a 401. */
  revokeTokens(): void
  close(): Promise<void>
}

/**
 * UPS on loopback: the OAuth token endpoint (Basic credentials, client_credentials grant) and the Track
 * API (Bearer token, transId and transactionSrc required), answering as UPS does.
 */
export async function startUpsFake(options: UpsFakeOptions): Promise<UpsFake> {
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`
  const tokens: string[] = []
  const valid = new Set<string>()
  const calls: UpsFake['calls'] = []

  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
  const refuse = (response: ServerResponse, status: number, code: string, message: string) =>
    send(response, status, { response: { errors: [{ code, message }] } })

  const issueToken = (request: IncomingMessage, body: string, response: ServerResponse) => {
    if (request.headers.authorization !== basic || body !== 'grant_type=client_credentials') {
      return refuse(response, 401, '10401', `Invalid Client Id: ${options.clientId}`)
    }
    const token = `fake-ups-token-${tokens.length + 1}-${Math.random().toString(36).slice(2)}`
    tokens.push(token)
    valid.add(token)
    send(response, 200, {
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      client_id: options.clientId,
      access_token: token,
      scope: '',
      expires_in: '14399',
      refresh_count: '0',
      status: 'approved',
    })
  }

  const track = (request: IncomingMessage, trackingNumber: string, response: ServerResponse) => {
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? ''
    const transId = String(request.headers.transid ?? '')
    if (!valid.has(token)) return refuse(response, 401, '250002', 'Invalid Authentication Information.')
    if (!transId || !request.headers.transactionsrc) return refuse(response, 400, 'TV1001', 'Missing transId')
    calls.push({ trackingNumber, token, transId })
    const { status, body } = options.answer(trackingNumber, token)
    send(response, status, body)
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1')
      const details = /^\/api\/track\/v1\/details\/([^/]+)$/.exec(url.pathname)
      if (request.method === 'POST' && url.pathname === '/security/v1/oauth/token') {
        issueToken(request, Buffer.concat(chunks).toString('utf8'), response)
      } else if (request.method === 'GET' && details?.[1]) {
        track(request, decodeURIComponent(details[1]), response)
      } else {
        response.writeHead(404).end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    calls,
    revokeTokens: () => valid.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
