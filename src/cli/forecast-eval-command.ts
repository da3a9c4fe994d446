import { readFile } from 'node:fs/promises'
import { printJson, printLine } from './cli-io.js'
import { defineCommand } from './command.js'
import { backtestHistoryCsv, formatBacktestReport } from './forecast-eval-report.js'
import { UsageError } from './usage-error.js'

/** `colis forecast-eval`: how the delivery forecast would have done on a history of delivered parcels. */
export const forecastEvalCommand = defineCommand({
  name: 'forecast-eval',
  operands: ['<history.csv>'],
  summary: 'backtest the delivery forecast on a history of delivered parcels',
  options: {
    json: { type: 'boolean', description: 'print the report as JSON' },
    'day-kind': {
      type: 'string',
      value: 'ouvrables|ouvres',
      default: 'ouvrables',
      description: 'delivery days of rows without a dayKind column',
    },
  },
  async run({ values, operands }, { io }) {
    const [file = ''] = operands
    const dayKind = values['day-kind']
    if (dayKind !== 'ouvrables' && dayKind !== 'ouvres')
      throw new UsageError(`--day-kind must be ouvrables or ouvres, not "${dayKind}"`)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
    }
    const report = backtestHistoryCsv(text, dayKind)
    if (report.parcels === 0) throw new UsageError(`${file} holds no parcel`)
    if (values.json) printJson(io.stdout, report)
    else printLine(io.stdout, formatBacktestReport(report))
    return 0
  },
})
