// npm run bench [-- --quick] [-- --only <figures>] [-- --profile[=cpu|heap]]: the figures of BENCHMARKS.md,
// a table on stdout, bench/results.json. `npm run bench -- --help` lists the options.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Figure, FigureModule } from './figure.js'
import { analyticsQuery } from './figures/analytics-query.js'
import { apiRead } from './figures/api-read.js'
import { redisCluster } from './figures/cluster.js'
import { emailSending } from './figures/email-sending.js'
import { forecastBacktest } from './figures/forecast-backtest.js'
import { freshness } from './figures/freshness.js'
import { idleScale } from './figures/idle-scale.js'
import { memory } from './figures/memory.js'
import { pollPipeline } from './figures/poll-pipeline.js'
import { registration } from './figures/registration.js'
import { replicaWait } from './figures/replica-wait.js'
import { trackingPage } from './figures/tracking-page.js'
import { webhookFanout } from './figures/webhook-fanout.js'
import { type MeasuredProcess, type ModuleProfile, startModuleProfile } from './module-profile.js'
import { parseRunOptions, type RunOptions, USAGE } from './run-options.js'

interface BenchModule {
  /** Its file in bench/figures/, the name `--only` takes. */
  name: string
  figures: number[]
  title: string
  measure: FigureModule
  measured: MeasuredProcess
}

/** The figures of the benchmark issue, in its order. */
const MODULES: BenchModule[] = [
  {
    name: 'poll-pipeline',
    figures: [1, 2],
    title: 'poll pipeline and batching (figures 1, 2)',
    measure: pollPipeline,
    measured: 'bench process',
  },
  {
    name: 'api-read',
    figures: [3],
    title: 'API read path (figure 3)',
    measure: apiRead,
    measured: 'api server',
  },
  {
    name: 'memory',
    figures: [4],
    title: 'memory per tracking (figure 4)',
    measure: memory,
    measured: 'bench process',
  },
  {
    name: 'idle-scale',
    figures: [5],
    title: 'no O(N) work (figure 5)',
    measure: idleScale,
    measured: 'bench process',
  },
  {
    name: 'freshness',
    figures: [6],
    title: 'freshness at a fixed carrier budget (figure 6)',
    measure: freshness,
    measured: 'bench process',
  },
  {
    name: 'webhook-fanout',
    figures: [7],
    title: 'webhook fan-out (figure 7)',
    measure: webhookFanout,
    measured: 'bench process',
  },
  {
    name: 'registration',
    figures: [8],
    title: 'registration (figure 8)',
    measure: registration,
    measured: 'api server',
  },
  {
    name: 'tracking-page',
    figures: [9],
    title: 'tracking page vs GET /v1/trackings/{id} (figure 9)',
    measure: trackingPage,
    measured: 'api server',
  },
  {
    name: 'email-sending',
    figures: [10],
    title: 'e-mail sending (figure 10)',
    measure: emailSending,
    measured: 'bench process',
  },
  {
    name: 'forecast-backtest',
    figures: [11],
    title: 'forecast backtest on a generated history (figure 11)',
    measure: forecastBacktest,
    measured: 'bench process',
  },
  {
    name: 'analytics-query',
    figures: [12],
    title: 'analytics query over a year of 1 000 000 parcels (figure 12)',
    measure: analyticsQuery,
    measured: 'api server',
  },
  {
    name: 'cluster',
    figures: [13],
    title: 'colis on a 3-master Redis Cluster vs one Redis (figure 13)',
    measure: redisCluster,
    measured: 'bench process',
  },
  {
    name: 'replica-wait',
    figures: [14],
    title: 'what REDIS_WAIT_REPLICAS=1 costs (figure 14)',
    measure: replicaWait,
    measured: 'bench process',
  },
]

function selectModules(only: string[]): BenchModule[] {
  if (only.length === 0) return MODULES
  for (const asked of only) {
    if (!MODULES.some((module) => matches(module, asked)))
      throw new Error(
        `--only ${asked}: a figure 1-14 or one of ${MODULES.map((module) => module.name).join(', ')}`,
      )
  }
  return MODULES.filter((module) => only.some((asked) => matches(module, asked)))
}

function matches(module: BenchModule, asked: string): boolean {
  return module.name === asked || module.figures.includes(Number(asked))
}

let options: RunOptions
let modules: BenchModule[]
try {
  options = parseRunOptions(process.argv.slice(2))
  modules = selectModules(options.only)
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`)
  process.exit(2)
}
if (options.help) {
  process.stdout.write(USAGE)
  process.exit(0)
}

const { quick, profiles } = options
const started = performance.now()
const figures: Figure[] = []
for (const { name, title, measure, measured } of modules) {
  const moduleStarted = performance.now()
  process.stderr.write(`bench: ${title}…\n`)
  const profile: ModuleProfile | undefined =
    profiles.length > 0
      ? await startModuleProfile(
          fileURLToPath(new URL(`./profiles/${name}`, import.meta.url)),
          profiles,
          measured,
        )
      : undefined
  try {
    figures.push(...(await measure({ quick, profiledSpan: profile?.span })))
  } finally {
    const files = (await profile?.finish()) ?? []
    if (profile)
      process.stderr.write(
        `bench: ${name} profile of the ${measured}: ${files.length > 0 ? files.join(', ') : 'none written'}\n`,
      )
  }
  process.stderr.write(
    `bench: ${title} done in ${((performance.now() - moduleStarted) / 1000).toFixed(0)} s\n`,
  )
}
console.table(
  figures.map((figure) => ({
    figure: figure.name,
    value: figure.value,
    unit: figure.unit,
    baseline: figure.baseline ?? '',
    ratio: figure.ratio ?? '',
    target: figure.target,
    pass: figure.pass ? 'yes' : 'NO',
  })),
)
// A profiled run's figures are slowed by the profiler: they never replace a run's results.
if (profiles.length === 0)
  writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(figures, null, 2)}\n`)
const failed = figures.filter((figure) => !figure.pass)
process.stderr.write(
  `bench: ${figures.length} figures in ${((performance.now() - started) / 1000).toFixed(0)} s (${quick ? 'quick' : 'full'}${profiles.length > 0 ? `, profiled: ${profiles.join(', ')}` : ''}); ${failed.length} miss their target${failed.length ? `: ${failed.map((figure) => figure.name).join(', ')}` : ''}\n`,
)
