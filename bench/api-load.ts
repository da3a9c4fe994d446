/**
 * What the API benchmarks share: a private redis-server, the API server in a child process, and a
 * typed handle on autocannon's programmatic API (the load generator, run in this process).
 *
 * Two cores: the server child and this process (autocannon, or the registration client) each get
 * one; the private redis-server shares them. The colis and the bare server are measured in turn
 * with the same settings, so the ratio compares like with like.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { NODE_FLAGS } from '../src/node-flags.js'
import { startLocalRedis } from '../src/redis/local-redis.js'

export interface Histogram {
  average: number
  mean: number
  stddev: number
  min: number
  max: number
  p50: number
  p90: number
  p97_5: number
  p99: number
  p99_9: number
}

export interface AutocannonResult {
  requests: Histogram & { total: number; sent: number }
  latency: Histogram
  throughput: Histogram
  errors: number
  timeouts: number
  non2xx: number
  duration: number
  '2xx': number
}

export interface AutocannonOptions {
  url: string
  connections?: number
  pipelining?: number
  /** Seconds. */
  duration?: number
  amount?: number
  overallRate?: number
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Requests made in turn; `setupRequest` may change each one before it is sent (its path, say). */
  requests?: Array<{ setupRequest?: (request: { path?: string }) => { path?: string } }>
}

const require = createRequire(import.meta.url)
const autocannonModule = require('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>

export function autocannon(options: AutocannonOptions): Promise<AutocannonResult> {
  return autocannonModule(options)
}

/** Requests per second over the whole run (autocannon's `requests.average` is per-second samples). */
export function ratePerSecond(result: AutocannonResult): number {
  return result['2xx'] / result.duration
}

export function assertClean(result: AutocannonResult, what: string): void {
  if (result.errors || result.timeouts || result.non2xx || result['2xx'] === 0) {
    throw new Error(
      `${what}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${result['2xx']} 2xx`,
    )
  }
}

export interface BenchRedis {
  url: string
  stop(): Promise<void>
}

/** A private, non-persistent redis-server on a free port (never the one on 6379). */
export async function startBenchRedis(): Promise<BenchRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-api-'))
  const redis = await startLocalRedis({ dir, persistent: false })
  return {
    url: redis.url,
    async stop() {
      await redis.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The server process's own pauses over a span (bench/api-server.ts). */
export interface ServerPauses {
  gcTotalMs: number
  /** The longest garbage collection. */
  gcMaxMs: number
  /** The longest event-loop stall, GC included. */
  loopMaxMs: number
}

export interface BenchServer {
  url: string
  pid: number
  /** Its pauses since the last call (the first call: since it started). */
  pauses(): Promise<ServerPauses>
  /** CPU time the server process has used (ms), from /proc; undefined without /proc. */
  cpuMs(): number | undefined
  stop(): Promise<void>
}

/** A number read from a file of /proc, or undefined where this system does not provide it. */
function fromProc(path: string, read: (text: string) => number | undefined): number | undefined {
  try {
    const value = read(readFileSync(path, 'utf8'))
    return value !== undefined && Number.isFinite(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** utime + stime of a process (Linux), in ms. */
export function processCpuMs(pid: number): number | undefined {
  return fromProc(`/proc/${pid}/stat`, (stat) => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 of stat(5); the slice starts at field 3. Clock ticks are 100 Hz on Linux.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  })
}

/** Time a process's main thread spent runnable but waiting for a CPU, in ms (schedstat, field 2). */
export function runQueueWaitMs(pid: number): number | undefined {
  return fromProc(`/proc/${pid}/schedstat`, (text) => Number(text.split(' ')[1]) / 1e6)
}

/** Time at least one task of the machine waited for a CPU, in ms (pressure stall information). */
export function cpuPressureMs(): number | undefined {
  return fromProc('/proc/pressure/cpu', (text) => {
    const total = /^some .*total=(\d+)/m.exec(text)?.[1]
    return total === undefined ? undefined : Number(total) / 1000
  })
}

/**
 * CPU time the hypervisor gave to others while this machine's CPUs wanted to run (steal, all CPUs
 * together), in ms.
 */
export function stolenCpuMs(): number | undefined {
  // The `cpu` line's eighth value, in clock ticks (100 Hz).
  return fromProc(
    '/proc/stat',
    (text) => (Number(text.split('\n', 1)[0]?.trim().split(/\s+/)[8]) * 1000) / 100,
  )
}

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Starts bench/api-server.ts in a child `node --import tsx`; resolves once it listens. */
export async function startBenchServer(
  mode: 'colis' | 'bare',
  env: {
    REDIS_URL?: string
    REDIS_CLUSTER_NODES?: string
    REDIS_WAIT_REPLICAS?: string
    COLIS_REDIS_PREFIX?: string
    COLIS_SHARDS?: string
    BENCH_BODY_FILE?: string
  },
): Promise<BenchServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // Both servers run as colis runs in production; e.g. COLIS_BENCH_SERVER_ARGS=--cpu-prof to profile
      // (`npm run bench -- --profile` sets it, `{mode}` naming each server's profile directory).
      ...NODE_FLAGS,
      ...(process.env.COLIS_BENCH_SERVER_ARGS?.replaceAll('{mode}', mode).split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      fileURLToPath(new URL('./api-server.ts', import.meta.url)),
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BENCH_MODE: mode, ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  )
  const stderr: string[] = []
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()))
  const onExit = () => child.kill('SIGKILL')
  process.once('exit', onExit)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${mode} server did not start: ${stderr.join('')}`)),
      30_000,
    )
    if (!child.stdout) return reject(new Error('no stdout'))
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) => {
      clearTimeout(timer)
      try {
        resolve((JSON.parse(line) as { url: string }).url)
      } catch {
        reject(new Error(`${mode} server said: ${line}`))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${mode} server exited (${code}): ${stderr.join('').slice(-2000)}`))
    })
  })
  return {
    url,
    pid: child.pid ?? 0,
    cpuMs: () => processCpuMs(child.pid ?? 0),
    pauses: () =>
      new Promise<ServerPauses>((resolve) => {
        child.once('message', (pauses: ServerPauses) => resolve(pauses))
        child.send('pauses')
      }),
    async stop() {
      process.off('exit', onExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000)
        child.once('exit', () => {
          clearTimeout(force)
          resolve()
        })
        child.kill('SIGTERM')
      })
    },
  }
}
