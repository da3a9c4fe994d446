import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MeasuredSpan } from './figure.js'
import type { ProfileKind } from './run-options.js'

/** Where a figure's measured work runs: in the bench process, or in the API server children it starts. */
export type MeasuredProcess = 'bench process' | 'api server'

export interface ModuleProfile {
  /** Handed to the figure (BenchOptions.profiledSpan) when it runs in the bench process. */
  span?: MeasuredSpan
  /** Stops profiling; the files written, relative to the working directory. */
  finish(): Promise<string[]>
}

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url))

// A whole module runs for minutes: node's and V8's default intervals. A marked span lasts seconds: finer.
const MODULE_SAMPLING = { cpuUs: 1000, heapBytes: 32_768 }
const SPAN_SAMPLING = { cpuUs: 100, heapBytes: 1024 }

/** Starts profiling one figure module into `dir` (emptied first). */
export async function startModuleProfile(
  dir: string,
  kinds: ProfileKind[],
  measured: MeasuredProcess,
): Promise<ModuleProfile> {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const written = () => listFiles(dir).map((file) => relative(process.cwd(), file))
  if (measured === 'api server') {
    if (!kinds.includes('cpu')) return { finish: async () => written() }
    return profileServerChildren(dir, written)
  }
  return profileThisProcess(dir, kinds, written)
}

/**
 * bench/api-load.ts starts each server with COLIS_BENCH_SERVER_ARGS split on spaces, `{mode}` replaced by
 * colis or bare, in the repository's root: the directory is given from there, so no space can split it.
 */
function profileServerChildren(dir: string, written: () => string[]): ModuleProfile {
  const before = process.env.COLIS_BENCH_SERVER_ARGS
  const serverDir = join(relative(REPOSITORY_ROOT, dir), '{mode}-server')
  process.env.COLIS_BENCH_SERVER_ARGS = `${before ?? ''} --cpu-prof --cpu-prof-dir=${serverDir}`
  return {
    async finish() {
      if (before === undefined) delete process.env.COLIS_BENCH_SERVER_ARGS
      else process.env.COLIS_BENCH_SERVER_ARGS = before
      return written()
    },
  }
}

async function profileThisProcess(
  dir: string,
  kinds: ProfileKind[],
  written: () => string[],
): Promise<ModuleProfile> {
  const session = new Session()
  session.connect()
  if (kinds.includes('cpu')) await session.post('Profiler.enable')
  if (kinds.includes('heap')) await session.post('HeapProfiler.enable')
  const begin = async (sampling: typeof MODULE_SAMPLING) => {
    if (kinds.includes('cpu')) {
      await session.post('Profiler.setSamplingInterval', { interval: sampling.cpuUs })
      await session.post('Profiler.start')
    }
    // Garbage included: what the work allocates, not only what it keeps.
    if (kinds.includes('heap'))
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: sampling.heapBytes,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      })
  }
  const end = async (keep: boolean) => {
    if (kinds.includes('cpu')) {
      const { profile } = await session.post('Profiler.stop')
      if (keep) writeFileSync(join(dir, 'bench-process.cpuprofile'), JSON.stringify(profile))
    }
    if (kinds.includes('heap')) {
      const { profile } = await session.post('HeapProfiler.stopSampling')
      if (keep) writeFileSync(join(dir, 'bench-process.heapprofile'), JSON.stringify(profile))
    }
  }
  let phase: 'module' | 'span' | 'done' = 'module'
  await begin(MODULE_SAMPLING)
  return {
    span: {
      async start() {
        if (phase !== 'module') return
        phase = 'span'
        await end(false)
        await begin(SPAN_SAMPLING)
      },
      async stop() {
        if (phase !== 'span') return
        phase = 'done'
        await end(true)
      },
    },
    async finish() {
      if (phase !== 'done') await end(true)
      phase = 'done'
      session.disconnect()
      return written()
    },
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}
