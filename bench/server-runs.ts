/**
 * Loading a bench server (bench/api-load.ts) and reading what it went through: closed-loop runs with
 * autocannon for its maximum rate, open-loop runs (bench/open-loop.ts) for its tail latency at a given
 * rate, each with the server's CPU per request, its own pauses and the machine's CPU waits.
 */
import {
  assertClean,
  autocannon,
  type BenchServer,
  cpuPressureMs,
  ratePerSecond,
  runQueueWaitMs,
  type ServerPauses,
  stolenCpuMs,
} from './api-load.js'
import type { OpenLoopResult, startOpenLoopProcess } from './open-loop.js'

/** Connections autocannon and the open loop keep open (the same for every server compared). */
export const CONNECTIONS = 32

export interface Load {
  url: string
  headers: Record<string, string>
  /** Paths requested in turn (each connection goes through all of them); none: always `url`'s. */
  paths?: string[]
}

export interface Run {
  rps: number
  p99Ms: number
  /** Server CPU per answered request (µs). */
  cpuUsPerRequest?: number
}

/** A closed-loop autocannon run of `seconds` against `server`; throws on any error or non-2xx. */
export async function closedLoop(server: BenchServer, load: Load, seconds: number, what: string) {
  const cpuBefore = server.cpuMs()
  const { paths, ...target } = load
  let next = 0
  const result = await autocannon({
    ...target,
    ...(paths
      ? { requests: [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }] }
      : {}),
    connections: CONNECTIONS,
    duration: seconds,
  })
  const cpuUsPerRequest = cpuUsPer(result['2xx'], cpuBefore, server.cpuMs())
  assertClean(result, what)
  const measured: Run = { rps: ratePerSecond(result), p99Ms: result.latency.p99, cpuUsPerRequest }
  return measured
}

/** Server CPU per request (µs) between two readings in ms; undefined where /proc cannot tell. */
function cpuUsPer(requests: number, beforeMs: number | undefined, afterMs: number | undefined) {
  return beforeMs === undefined || afterMs === undefined
    ? undefined
    : ((afterMs - beforeMs) * 1000) / requests
}

/** CPU waits over a span, in ms; undefined where this kernel does not count them. */
interface Waits {
  /** The server's main thread runnable but not running (schedstat). */
  runQueueWaitMs: number | undefined
  /** Some task of the machine waiting for a CPU (pressure stall information). */
  machineCpuPressureMs: number | undefined
  /** CPU time the hypervisor took from this machine's CPUs while they had work (steal). */
  stolenMs: number | undefined
}

/** Starts counting CPU waits; the function returned reads them since then. */
function waits(pid: number): () => Waits {
  const read = (): Waits => ({
    runQueueWaitMs: runQueueWaitMs(pid),
    machineCpuPressureMs: cpuPressureMs(),
    stolenMs: stolenCpuMs(),
  })
  const before = read()
  return () => {
    const after = read()
    const since = (key: keyof Waits) => {
      const [start, end] = [before[key], after[key]]
      return start === undefined || end === undefined ? undefined : end - start
    }
    return {
      runQueueWaitMs: since('runQueueWaitMs'),
      machineCpuPressureMs: since('machineCpuPressureMs'),
      stolenMs: since('stolenMs'),
    }
  }
}

export type OpenLoopRun = OpenLoopResult & {
  rate: number
  server: ServerPauses & Waits & { cpuUsPerRequest: number | undefined }
}

type OpenLoopGenerator = Awaited<ReturnType<typeof startOpenLoopProcess>>

/**
 * Open-loop runs of `seconds` against one path of a server, each at a rate given per run, with what
 * the server and the machine went through meanwhile; `warm` is an unmeasured half second (the
 * generator's code compiled, its connections opened).
 */
export function openLoopRuns(
  generator: OpenLoopGenerator,
  target: { path: string; headers: Record<string, string>; seconds: number },
) {
  const at = (server: BenchServer, rate: number, seconds: number) =>
    generator.run({
      origin: new URL(server.url).origin,
      path: target.path,
      headers: target.headers,
      rate,
      seconds,
      connections: CONNECTIONS,
    })
  return {
    warm: async (server: BenchServer, rate: number) => {
      await at(server, rate, 0.5)
    },
    measure: async (server: BenchServer, rate: number): Promise<OpenLoopRun> => {
      await server.pauses()
      const waited = waits(server.pid)
      const cpuBefore = server.cpuMs()
      const result = await at(server, rate, target.seconds)
      const cpuUsPerRequest = cpuUsPer(result.ok, cpuBefore, server.cpuMs())
      const run = { ...result, rate, server: { ...(await server.pauses()), ...waited(), cpuUsPerRequest } }
      if (run.failed || run.ok !== run.sent)
        throw new Error(`open loop at ${rate} req/s: ${run.failed} failed`)
      return run
    },
  }
}

/** The run of median p99 (of three). */
export function medianP99Run(runs: OpenLoopRun[]): OpenLoopRun {
  return [...runs].sort((a, b) => a.p99Ms - b.p99Ms)[Math.floor(runs.length / 2)] as OpenLoopRun
}

/** The median of some values (the upper one of an even count). */
export function medianOf(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
}

export function bestRun(runs: Run[]): Run {
  return runs.reduce((a, b) => (b.rps > a.rps ? b : a))
}

export const round = (value: number, digits = 0) => Number(value.toFixed(digits))

export function list<T>(runs: T[], value: (run: T) => number | string | undefined): string {
  return runs.map((run) => value(run) ?? '?').join(' / ')
}

/** The server's CPU over the run, in % of one core: evenly spaced requests are not batched. */
function busyPercent(run: OpenLoopRun): number | undefined {
  const cpu = run.server.cpuUsPerRequest
  return cpu === undefined ? undefined : round((run.achievedRate * cpu) / 1e4)
}

/** What each run of the open loop went through, besides the server's own work. */
export function stalls(runs: OpenLoopRun[], server: string): string {
  const ms = (value: number | undefined) => (value === undefined ? undefined : round(value))
  return [
    `Per run: ${server}'s CPU a request ${list(runs, (run) => ms(run.server.cpuUsPerRequest))} µs, so busy ${list(runs, (run) => busyPercent(run))} % of a core at that rate (the generator's ${list(runs, (run) => round(run.generatorCpuUsPerRequest))} µs a request)`,
    `the generator's longest stall ${list(runs, (run) => round(run.generatorStallMs, 1))} ms`,
    `${server}'s longest event-loop stall ${list(runs, (run) => round(run.server.loopMaxMs, 1))} ms`,
    `its longest GC ${list(runs, (run) => round(run.server.gcMaxMs, 1))} ms (${list(runs, (run) => ms(run.server.gcTotalMs))} ms in all)`,
    `its main thread waiting for a CPU ${list(runs, (run) => ms(run.server.runQueueWaitMs))} ms`,
    `some task of the machine waiting for a CPU ${list(runs, (run) => ms(run.server.machineCpuPressureMs))} ms`,
    `CPU time the hypervisor took from the machine (steal) ${list(runs, (run) => ms(run.server.stolenMs))} ms`,
  ].join('; ')
}
