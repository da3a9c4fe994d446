// `npm run fuzz [-- --requests 100000 --concurrency 16 --seed 1]`: sends requests drawn from the API's
// own /openapi.json (test/support/openapi-fuzz.ts), valid and hostile, plus malformed raw HTTP, to
// `colis serve --role api` (src/cli.ts, in a child process) on a private redis-server, and counts the
// answers by status. Every answer must be below 500, every error problem+json with its fields, and
// every answer's request id in the server's log. Exits 1 when one is not, after printing each kind of
// fault with an example.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import fc from 'fast-check'
import { Pool } from 'undici'
import { startLocalRedis } from '../src/redis/local-redis.js'
import {
  answerFaults,
  type FuzzAnswer,
  type FuzzContext,
  type FuzzRequest,
  type FuzzSpec,
  fuzzedRequests,
} from '../test/support/openapi-fuzz.js'
import { parseAnswer } from '../test/support/raw-http.js'

const { values: options } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '16' },
    seed: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (options.help) {
  process.stdout.write(
    'npm run fuzz [-- --requests N (100000)] [--concurrency C (16)] [--seed S (random)]\n' +
      'Fuzzes a private colis API from its /openapi.json; exits 1 on a 5xx or an error that is not problem+json.\n',
  )
  process.exit(0)
}
const TOTAL = Number(options.requests)
const CONCURRENCY = Number(options.concurrency)
const SEED = options.seed === undefined ? Date.now() % 2 ** 31 : Number(options.seed)
/** One request in this many is malformed raw HTTP, written on a socket of its own. */
const RAW_EVERY = 50
/** Fixtures (a tracking, a webhook, a subscription) are made again this often: fuzzed DELETEs remove them. */
const FIXTURES_EVERY = 2_000
const ADMIN_TOKEN = `fuzz-admin-${'x'.repeat(32)}`
const METRICS_TOKEN = `fuzz-metrics-${'x'.repeat(16)}`

const RAW_REQUESTS = [
  'GET /v1\\trackings HTTP/1.1\r\nHost: colis\r\n\r\n',
  'GET /v1/trackings/trk_a\\b HTTP/1.1\r\nHost: colis\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: a/b@c\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: exa mple\r\n\r\n',
  'GET /healthz HTTP/1.1\r\n\r\n',
  'GET * HTTP/1.1\r\nHost: colis\r\n\r\n',
  'G@T / HTTP/1.1\r\nHost: colis\r\n\r\n',
  'GET /a b HTTP/1.1\r\nHost: colis\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: colis\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: colis\r\nBad Header: 1\r\n\r\n',
  'POST /v1/trackings HTTP/1.1\r\nHost: colis\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
  `GET / HTTP/1.1\r\nHost: colis\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  '\r\n\r\n\r\n',
  'GET /v1/trackings HTTP/1.1\r\nHost: colis\r\nContent-Length: -1\r\n\r\n',
]

interface Tally {
  byStatus: Map<number, number>
  faults: Map<string, { count: number; example: string }>
  /** Requests the HTTP client itself would not send as drawn (sent percent-encoded instead). */
  reencoded: number
  /** Requests sent again after their connection closed under them. */
  resent: number
  /** The request id of every answer: each must be in the server's log. */
  requestIds: string[]
  shown: Map<string, string>
}

function record(tally: Tally, label: string, request: string, answer: FuzzAnswer) {
  if (answer.status > 0) tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1)
  if (answer.status > 0 && answer.requestId) {
    tally.requestIds.push(answer.requestId)
    if (tally.shown.size < 100_000) tally.shown.set(answer.requestId, `${label} → ${answer.status}`)
  }
  for (const fault of answerFaults(answer)) {
    const key = `${label}: ${fault}`
    const known = tally.faults.get(key)
    if (known) known.count++
    else
      tally.faults.set(key, {
        count: 1,
        example: `${request.slice(0, 400)}\n      → ${answer.body.slice(0, 400)}`,
      })
  }
}

async function send(pool: Pool, request: FuzzRequest, tally: Tally): Promise<FuzzAnswer> {
  const attempt = async (path: string) => {
    const response = await pool.request({
      path,
      method: request.method as 'GET',
      headers: request.headers,
      body: request.body,
    })
    const header = (name: string) => {
      const value = response.headers[name]
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
    }
    return {
      status: response.statusCode,
      contentType: header('content-type'),
      requestId: header('x-request-id'),
      body: await response.body.text(),
    }
  }
  try {
    return await attempt(request.path)
  } catch (error) {
    // The server closed a kept-alive connection as this request went out on it: sent again, once,
    // on another connection (as HTTP clients do); counted apart.
    if ((error as { code?: string }).code === 'UND_ERR_SOCKET') {
      tally.resent++
      return attempt(request.path)
    }
    // undici refuses some raw paths outright (control characters): the encoded path goes instead.
    if (!(error instanceof Error && error.name === 'InvalidArgumentError')) throw error
    tally.reencoded++
    return attempt(request.path.replace(/[^\x21-\x7e]/g, (character) => encodeURIComponent(character)))
  }
}

function sendRaw(url: URL, raw: string): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(raw, 'latin1'))
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      const answer = parseAnswer(text)
      if (!answer)
        return reject(new Error(`no answer to ${JSON.stringify(raw.slice(0, 60))}: ${JSON.stringify(text)}`))
      resolve({
        status: answer.status,
        contentType: answer.headers['content-type'] ?? null,
        requestId: answer.headers['x-request-id'] ?? null,
        body: answer.body,
      })
    })
  })
}

interface Server {
  url: string
  errorLines: number
  loggedRequestIds: Set<string>
  stop(): Promise<void>
}

/** `colis serve --role api` as a child process, its log read line by line. */
async function startServer(redisUrl: string): Promise<Server> {
  // What bin/colis.js runs, from the sources: `colis serve --role api`.
  const serve = "const { main } = await import('./src/cli.ts'); await main(['serve', '--role', 'api'])"
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', serve], {
    cwd: new URL('..', import.meta.url),
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      // debug: the request lines of probes and scrapes too.
      LOG_LEVEL: 'debug',
      REDIS_URL: redisUrl,
      COLIS_PROBE_REDIS: 'none',
      HOST: '127.0.0.1',
      PORT: '0',
      COLIS_ADMIN_TOKEN: ADMIN_TOKEN,
      COLIS_METRICS_TOKEN: METRICS_TOKEN,
      LAPOSTE_API_KEY: 'fuzz-okapi-key',
      // The limits would soon answer every request 429: the fuzz is after what lies behind them.
      RATE_LIMIT: '100000000/1s',
      AUTH_FAILURE_LIMIT: '100000000/1s',
      // A raw request that never ends its headers is answered 408 after this: sooner than the default.
      HTTP_HEADERS_TIMEOUT: '2s',
    },
  })
  const server = { url: '', errorLines: 0, loggedRequestIds: new Set<string>() }
  // 'close': the process exited and its log was read to the end.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const listening = new Promise<string>((resolve, reject) => {
    exited.then(() => reject(new Error('colis serve exited before listening')))
    createInterface({ input: child.stderr }).on('line', (text) => {
      let line: { level?: number; msg?: string; url?: string; requestId?: string }
      try {
        line = JSON.parse(text)
      } catch {
        return
      }
      if ((line.level ?? 0) >= 50) server.errorLines++
      if (line.requestId) server.loggedRequestIds.add(line.requestId)
      if (line.msg === 'API listening' && line.url) resolve(line.url)
    })
  })
  server.url = await listening
  return {
    ...server,
    get errorLines() {
      return server.errorLines
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'colis-fuzz-'))
  const redis = await startLocalRedis({ dir, port: 0, persistent: false })
  const server = await startServer(redis.url)
  const base = new URL(server.url)
  // Idle connections are not reused for long: the server closes them after HTTP_KEEP_ALIVE_TIMEOUT.
  const pool = new Pool(base.origin, { connections: CONCURRENCY, pipelining: 1, keepAliveMaxTimeout: 1_000 })
  const call = async (path: string, token: string, body?: unknown) => {
    const response = await pool.request({
      path,
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return (await response.body.json()) as Record<string, string>
  }

  const { key } = await call('/admin/keys', ADMIN_TOKEN, { merchantId: 'shop-fuzz' })
  const context: FuzzContext = {
    credentials: { apiKey: key ?? '', adminToken: ADMIN_TOKEN, metricsToken: METRICS_TOKEN },
    knownIds: {},
  }
  const makeFixtures = async () => {
    const spare = await call('/admin/keys', ADMIN_TOKEN, { merchantId: 'shop-spare' })
    const tracking = await call('/v1/trackings', key ?? '', {
      trackingNumber: 'SBXDELIVERED001',
      carrier: 'sandbox',
    })
    const webhook = await call('/v1/webhooks', key ?? '', { url: 'https://93.184.216.34/hooks/colis' })
    const subscription = await call(`/v1/trackings/${tracking.id}/subscriptions`, key ?? '', {
      url: 'https://93.184.216.34/hooks/shopper',
    })
    // A fixture that could not be made again (too many webhooks already) keeps the last one that was.
    const made = {
      'trackings.id': tracking.id,
      'webhooks.id': webhook.id,
      subscriptionId: subscription.id,
      keyId: spare.keyId,
    }
    for (const [name, id] of Object.entries(made)) if (id) context.knownIds[name] = [id]
  }
  await makeFixtures()
  const spec = (await (await fetch(new URL('/openapi.json', base))).json()) as FuzzSpec

  // Built again with the fixtures: it draws the ids they have at that time.
  let requests = fuzzedRequests(spec, context)
  const tally: Tally = {
    byStatus: new Map(),
    faults: new Map(),
    reencoded: 0,
    resent: 0,
    requestIds: [],
    shown: new Map(),
  }
  const started = performance.now()
  let sent = 0
  let answered = 0
  let batch: FuzzRequest[] = []
  let batchSeed = SEED
  const next = (): { raw: string } | { request: FuzzRequest } => {
    if (sent % RAW_EVERY === 0)
      return { raw: RAW_REQUESTS[(sent / RAW_EVERY) % RAW_REQUESTS.length] as string }
    // Drawn a few at a time: the server shares this event loop, and a long draw would stall its Redis replies.
    if (batch.length === 0) batch = fc.sample(requests, { numRuns: 10, seed: batchSeed++ })
    return { request: batch.pop() as FuzzRequest }
  }
  const worker = async () => {
    while (sent < TOTAL) {
      if (sent > 0 && sent % FIXTURES_EVERY === 0) {
        await makeFixtures()
        requests = fuzzedRequests(spec, context)
      }
      const item = next()
      sent++
      if ('raw' in item) {
        record(tally, 'raw HTTP', JSON.stringify(item.raw.slice(0, 80)), await sendRaw(base, item.raw))
      } else {
        const { request } = item
        const shown = `${request.method} ${request.path} ${JSON.stringify(request.headers)} ${request.body ?? ''}`
        try {
          record(tally, request.operation, shown, await send(pool, request, tally))
        } catch (error) {
          // No answer at all: counted as a fault of its own.
          const code = `${(error as { code?: string }).code} ${(error as Error).message} ${new Date().toISOString()}`
          record(tally, request.operation, shown, {
            status: 0,
            contentType: null,
            requestId: null,
            body: `no answer: ${code}`,
          })
        }
      }
      answered++
      if (answered % 10_000 === 0) process.stderr.write(`${answered} requests…\n`)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const seconds = (performance.now() - started) / 1000

  await pool.close()
  await server.stop()
  await redis.stop()
  const unlogged = tally.requestIds.filter((id) => !server.loggedRequestIds.has(id))
  for (const id of unlogged.slice(0, 3))
    record(tally, 'log', `request ${id}`, {
      status: 0,
      contentType: null,
      requestId: id,
      body: 'answer not logged',
    })
  if (unlogged.length > 3)
    (tally.faults.get('log: answer not logged') as { count: number }).count += unlogged.length - 3
  rmSync(dir, { recursive: true, force: true })

  const counts = [...tally.byStatus].sort(([a], [b]) => a - b)
  const fiveHundreds = counts.filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0)
  const faultCount = [...tally.faults.values()].reduce((sum, fault) => sum + fault.count, 0)
  process.stdout.write(
    [
      `${sent} requests in ${seconds.toFixed(0)} s (seed ${SEED}, concurrency ${CONCURRENCY}, 1 in ${RAW_EVERY} raw HTTP)`,
      `by status: ${counts.map(([status, count]) => `${status}: ${count}`).join(', ')}`,
      `5xx: ${fiveHundreds}; answers with a fault: ${faultCount}; error log lines: ${server.errorLines}; answers logged: ${tally.requestIds.length - unlogged.length}/${tally.requestIds.length}; sent again after their connection closed: ${tally.resent}; paths the client would not send raw: ${tally.reencoded}`,
      ...[...tally.faults].map(([kind, { count, example }]) => `  ${count} × ${kind}\n      ${example}`),
      '',
    ].join('\n'),
  )
  process.exitCode = faultCount > 0 ? 1 : 0
}

await main()
