/**
 * Runs the API figures on their own and prints them (bench/run.ts collects them into results.json):
 *   npx tsx bench/api-figures.ts [--quick] [read] [registration]
 */
import type { Figure, FigureModule } from './figure.js'
import { apiRead } from './figures/api-read.js'
import { registration } from './figures/registration.js'

const quick = process.argv.includes('--quick')
const modules: Record<string, FigureModule> = { read: apiRead, registration }
const asked = Object.keys(modules).filter((name) => process.argv.includes(name))
const figures: Figure[] = []
for (const name of asked.length > 0 ? asked : Object.keys(modules)) {
  const started = performance.now()
  const produced = await (modules[name] as FigureModule)({ quick })
  console.error(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  figures.push(...produced)
}
console.log(JSON.stringify(figures, null, 2))
