/**
 * The HTTP server of the API benchmarks, run as a child process (`node --import tsx bench/api-server.ts`)
 * so that the server and the load generator (autocannon, in the parent) each get a core of their own.
 *
 * BENCH_MODE=colis: the real service, `startService(config, 'api')` as `colis serve --role api` runs it
 * (createApp, real stores, @hono/node-server), on the Redis at REDIS_URL (or the Redis Cluster of
 * REDIS_CLUSTER_NODES) under COLIS_REDIS_PREFIX.
 * BENCH_MODE=bare: a bare Hono app on @hono/node-server answering `GET /v1/trackings/:id` with the
 * JSON of BENCH_BODY_FILE, parsed once and kept in memory.
 *
 * Prints one line `{"url": "http://127.0.0.1:<port>"}` on stdout once listening; stops on SIGTERM.
 * Over IPC, the message 'pauses' is answered with the server's own pauses since the last one asked
 * (`ServerPauses`): what a tail latency owes to the server process itself rather than to the machine.
 */
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { loadConfig } from '../src/config.js'
import { createSilentLogger } from '../src/logger.js'
import { startService } from '../src/main/service.js'

const mode = process.env.BENCH_MODE

async function startBare(): Promise<{ url: string; stop(): Promise<void> }> {
  const file = process.env.BENCH_BODY_FILE
  if (!file) throw new Error('BENCH_BODY_FILE is required in bare mode')
  const body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  const app = new Hono().get('/v1/trackings/:id', (c) => c.json(body))
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const listening = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(listening))
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function startColis(): Promise<{ url: string; stop(): Promise<void> }> {
  const redisUrl = process.env.REDIS_URL
  const clusterNodes = process.env.REDIS_CLUSTER_NODES
  // Never fall back to probing 127.0.0.1:6379: the benchmark owns its Redis.
  if (!redisUrl && !clusterNodes)
    throw new Error('REDIS_URL or REDIS_CLUSTER_NODES is required in colis mode')
  const config = loadConfig({
    NODE_ENV: 'test',
    REDIS_URL: redisUrl,
    REDIS_CLUSTER_NODES: clusterNodes,
    REDIS_WAIT_REPLICAS: process.env.REDIS_WAIT_REPLICAS,
    COLIS_PROBE_REDIS: 'none',
    COLIS_REDIS_PREFIX: process.env.COLIS_REDIS_PREFIX,
    COLIS_SHARDS: process.env.COLIS_SHARDS,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    LAPOSTE_API_KEY: 'bench-key',
    // The limiter stays in the path (one Redis call per request, as in production), never refusing.
    RATE_LIMIT: '100000000/1s',
  })
  const service = await startService(config, 'api', createSilentLogger())
  if (!service.url) throw new Error('the API did not start')
  return { url: service.url, stop: () => service.stop() }
}

/** Garbage collections and event-loop stalls of this process since the last report. */
function watchPauses() {
  const loop = monitorEventLoopDelay({ resolution: 1 })
  loop.enable()
  let gcTotalMs = 0
  let gcMaxMs = 0
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcTotalMs += entry.duration
      gcMaxMs = Math.max(gcMaxMs, entry.duration)
    }
  }).observe({ entryTypes: ['gc'] })
  process.on('message', (message) => {
    if (message !== 'pauses') return
    process.send?.({ gcTotalMs, gcMaxMs, loopMaxMs: loop.max / 1e6 })
    gcTotalMs = 0
    gcMaxMs = 0
    loop.reset()
  })
}

if (process.send) watchPauses()
const running = mode === 'bare' ? await startBare() : mode === 'colis' ? await startColis() : undefined
if (!running) throw new Error(`BENCH_MODE must be colis or bare, not ${mode}`)
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`)
const stop = () => {
  running.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
