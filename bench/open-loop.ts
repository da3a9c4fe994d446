/**
 * An open-loop load generator: requests leave on a fixed schedule, evenly spaced at `rate` per second,
 * whether or not earlier ones have been answered, and each latency is measured from the time the
 * request was due to leave, not from when a free connection sent it. A server that falls behind is
 * charged for the whole wait (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send as fast as it can until it has
 * made its share of the second, then pause until the next second (bursts at full speed, then
 * silence), and corrects for coordinated omission with an expected interval of 1 ms whatever the
 * rate, which adds a synthetic sample for every millisecond of every response slower than 1 ms.
 */
import { fork } from 'node:child_process'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Pool } from 'undici'
import { percentileOf } from './percentile.js'

/** The argument that makes this module the generator's own process. */
const OPEN_LOOP_CHILD = '--open-loop-child'

export interface OpenLoopOptions {
  /** Origin of the server (`http://127.0.0.1:port`). */
  origin: string
  path: string
  headers?: Record<string, string>
  /** Requests per second. */
  rate: number
  seconds: number
  /** Connections the requests share (a request due while all are busy waits, and its wait counts). */
  connections: number
}

export interface OpenLoopResult {
  sent: number
  /** Answered with a 2xx. */
  ok: number
  failed: number
  achievedRate: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** The longest this process's own event loop was held up (ms): a request due then left that late. */
  generatorStallMs: number
  /** This process's CPU per request sent (µs): the generator's share of the machine. */
  generatorCpuUsPerRequest: number
}

async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 })
  const total = Math.round(options.rate * options.seconds)
  const intervalMs = 1000 / options.rate
  // Preallocated and callback-based (no promise or stream per request): the generator shares the
  // machine's two cores with the server, and its own garbage would stall it and be counted as latency.
  const latencies = new Float64Array(total)
  let ok = 0
  let failed = 0
  let settled = 0
  let allSettled: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    allSettled = resolve
  })
  const settle = () => {
    if (++settled === total) allSettled()
  }
  const send = (dueAt: number) => {
    let status = 0
    pool.dispatch(
      { origin: options.origin, path: options.path, method: 'GET', headers: options.headers },
      {
        onRequestStart: () => {},
        onResponseStart: (_controller, statusCode) => {
          status = statusCode
        },
        onResponseData: () => {},
        onResponseEnd: () => {
          if (status >= 200 && status < 300) latencies[ok++] = performance.now() - dueAt
          else failed++
          settle()
        },
        onResponseError: () => {
          failed++
          settle()
        },
      },
    )
  }
  const stalls = monitorEventLoopDelay({ resolution: 1 })
  stalls.enable()
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  let next = 0
  while (next < total) {
    const now = performance.now()
    // Every request whose time has come leaves now, even if the timer woke late.
    while (next < total && started + next * intervalMs <= now) send(started + next++ * intervalMs)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  if (total > 0) await done
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  stalls.disable()
  await pool.close()
  const sorted = latencies.subarray(0, ok).sort()
  return {
    sent: total,
    ok,
    failed,
    achievedRate: ok / seconds,
    p50Ms: percentileOf(sorted, 0.5),
    p99Ms: percentileOf(sorted, 0.99),
    maxMs: sorted[ok - 1] ?? Number.NaN,
    generatorStallMs: stalls.max / 1e6,
    generatorCpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, total),
  }
}

/**
 * The generator in a process of its own: in the benchmark's process, which has run every figure
 * before, its event loop stalled 23–44 ms within a run (monitorEventLoopDelay), and each stall is
 * charged to the server as latency; on its own, 13–17 ms. Runs one load at a time; `close()` ends it.
 */
export async function startOpenLoopProcess() {
  const child = fork(fileURLToPath(import.meta.url), [OPEN_LOOP_CHILD], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const onExit = () => child.kill('SIGKILL')
  process.once('exit', onExit)
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve())
    child.once('exit', (code) => reject(new Error(`open-loop process exited (${code})`)))
  })
  return {
    run(options: OpenLoopOptions): Promise<OpenLoopResult> {
      return new Promise((resolve) => {
        child.once('message', (result: OpenLoopResult) => resolve(result))
        child.send(options)
      })
    },
    async close() {
      process.off('exit', onExit)
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      await exited
    },
  }
}

if (process.argv[2] === OPEN_LOOP_CHILD && process.send) {
  process.on('message', (options: OpenLoopOptions) => {
    void openLoop(options).then((result) => process.send?.(result))
  })
  process.on('disconnect', () => process.exit(0))
  process.send('ready')
}
