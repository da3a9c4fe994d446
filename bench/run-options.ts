export type ProfileKind = 'cpu' | 'heap'

export interface RunOptions {
  quick: boolean
  /** Figure numbers and module names asked for with `--only`; empty: every module. */
  only: string[]
  profiles: ProfileKind[]
  help: boolean
}

export const USAGE = `npm run bench [-- options]

Measures colis' figures (BENCHMARKS.md) and prints them as a table; a run without --profile also
writes them to bench/results.json.

  --quick                 smaller sizes: every figure in about 3 minutes instead of 7 to 10
  --only <figures>        only the modules of these figures, by number or module name, comma-separated:
                          --only 3, --only 1,8, --only webhook-fanout (figures 1 and 2 are one module)
  --profile[=cpu|heap]    profiles the process each figure measures, into bench/profiles/<module>/
                          (open the files in Chrome DevTools or VS Code): cpu (the default) a CPU
                          profile, heap a sampling profile of every allocation, garbage included.
                          Figures 1, 2, 4 to 7, 10, 11 and 13 run in the bench process: the inspector
                          samples it over the module, or over the part a figure marks as measured
                          (figure 1: the first round's polls of followed parcels). Figures 3, 8, 9 and 12 measure
                          the API server: each server child runs with node's --cpu-prof (cpu only).
                          The figures of a profiled run are slowed by the profiler: compare none.
  --help                  this text
`

/** Reads `npm run bench` arguments; throws on one it does not know. */
export function parseRunOptions(args: readonly string[]): RunOptions {
  const options: RunOptions = { quick: false, only: [], profiles: [], help: false }
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined]
    if (arg === '--quick') options.quick = true
    else if (arg === '--help' || arg === '-h') options.help = true
    else if (flag === '--only') {
      const value = inline ?? args[++index]
      if (!value) throw new Error('--only needs figure numbers or module names')
      options.only.push(...value.split(',').filter(Boolean))
    } else if (flag === '--profile') {
      const kind = inline ?? 'cpu'
      if (kind !== 'cpu' && kind !== 'heap') throw new Error(`--profile=${kind}: cpu or heap`)
      if (!options.profiles.includes(kind)) options.profiles.push(kind)
    } else throw new Error(`unknown option ${arg}`)
  }
  return options
}
