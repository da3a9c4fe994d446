// npm run bench [-- --quick]: every figure, a table on stdout, bench/results.json.
import { writeFileSync } from 'node:fs'
import type { Figure, FigureModule } from './figure.js'
import { apiRead } from './figures/api-read.js'
import { freshness } from './figures/freshness.js'
import { idleScale } from './figures/idle-scale.js'
import { memory } from './figures/memory.js'
import { pollPipeline } from './figures/poll-pipeline.js'
import { registration } from './figures/registration.js'
import { webhookFanout } from './figures/webhook-fanout.js'

const quick = process.argv.includes('--quick')

/** The figures of the benchmark issue, in its order. */
const MODULES: Array<[string, FigureModule]> = [
  ['poll pipeline and batching (figures 1, 2)', pollPipeline],
  ['API read path (figure 3)', apiRead],
  ['memory per tracking (figure 4)', memory],
  ['no O(N) work (figure 5)', idleScale],
  ['freshness at a fixed carrier budget (figure 6)', freshness],
  ['webhook fan-out (figure 7)', webhookFanout],
  ['registration (figure 8)', registration],
]

const started = performance.now()
const figures: Figure[] = []
for (const [title, measure] of MODULES) {
  const moduleStarted = performance.now()
  process.stderr.write(`bench: ${title}…\n`)
  figures.push(...(await measure({ quick })))
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
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(figures, null, 2)}\n`)
const failed = figures.filter((figure) => !figure.pass)
process.stderr.write(
  `bench: ${figures.length} figures in ${((performance.now() - started) / 1000).toFixed(0)} s (${quick ? 'quick' : 'full'}); ${failed.length} miss their target${failed.length ? `: ${failed.map((figure) => figure.name).join(', ')}` : ''}\n`,
)
