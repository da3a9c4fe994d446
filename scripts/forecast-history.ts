/**
 * Writes a synthetic history of delivered parcels as CSV on stdout, for `colis forecast-eval`:
 * `npx tsx scripts/forecast-history.ts [--parcels 50000] [--seed 1] > history.csv`.
 */
import { parseArgs } from 'node:util'
import { formatHistoryCsv } from '../src/cli/history-csv.js'
import { generateSyntheticHistory } from '../src/domain/forecast/synthetic-history.js'

const { values } = parseArgs({
  options: { parcels: { type: 'string', default: '50000' }, seed: { type: 'string', default: '1' } },
})
const parcels = Number(values.parcels)
const seed = Number(values.seed)
if (!Number.isInteger(parcels) || parcels <= 0 || !Number.isInteger(seed)) {
  process.stderr.write('usage: forecast-history.ts [--parcels <n>] [--seed <integer>]\n')
  process.exit(2)
}
process.stdout.write(formatHistoryCsv(generateSyntheticHistory({ parcels, seed })))
