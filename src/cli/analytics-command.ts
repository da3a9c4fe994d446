import { formatCarrierReportCsv } from '../carrier-report-csv.js'
import { carrierReport } from '../domain/analytics/carrier-report.js'
import { GROUP_BY } from '../domain/analytics/cell-summary.js'
import { reportWindowOf } from '../domain/analytics/report-window.js'
import { ALL_MERCHANTS } from '../store/analytics-store.js'
import { formatCarrierReportTable } from './carrier-report-table.js'
import { printLine } from './cli-io.js'
import { defineCommand } from './command.js'
import { UsageError } from './usage-error.js'

/** `colis analytics`: the carrier report of the API, read from the Redis `colis serve` uses. */
export const analyticsCommand = defineCommand({
  name: 'analytics',
  operands: [],
  summary: "print the carrier scorecard of a merchant's finished parcels",
  options: {
    merchant: {
      type: 'string',
      value: '<name>',
      required: true,
      description: 'the merchant whose parcels count, or `all` for every merchant',
    },
    from: {
      type: 'string',
      value: '<week|date>',
      description: 'first ISO week (2026-W01) or a date in it (default: twelve weeks up to --to)',
    },
    to: {
      type: 'string',
      value: '<week|date>',
      description: 'last ISO week or a date in it (default: this week)',
    },
    'group-by': {
      type: 'string',
      value: GROUP_BY.join('|'),
      default: 'carrier',
      description: 'one line per carrier, carrier service, destination or week',
    },
    carrier: { type: 'string', value: '<id>', description: "only this carrier's parcels" },
    csv: { type: 'boolean', description: 'print CSV (the columns of the API export) instead of a table' },
  },
  async run({ values }, { io, config, logger }) {
    // Loaded here only: commands that need no Redis start faster without these modules.
    const { MERCHANT_PATTERN } = await import('../store/api-key-store.js')
    const merchant = values.merchant ?? ''
    if (merchant !== ALL_MERCHANTS && !MERCHANT_PATTERN.test(merchant))
      throw new UsageError(
        'merchant names are 1 to 64 letters, digits, dots, dashes or underscores, or `all`',
      )
    const groupBy = GROUP_BY.find((group) => group === values['group-by'])
    if (!groupBy) throw new UsageError(`--group-by is one of ${GROUP_BY.join(', ')}`)
    const carrier = values.carrier
    let window: { fromWeek: string; toWeek: string }
    try {
      window = reportWindowOf({ from: values.from, to: values.to }, Date.now())
    } catch (error) {
      throw new UsageError(`--from and --to: ${error instanceof Error ? error.message : String(error)}`)
    }
    const { fromWeek, toWeek } = window
    const { openCommandStores } = await import('../main/command-stores.js')
    const { stores, redis, close } = await openCommandStores(config, logger)
    printLine(io.stderr, `colis: using Redis at ${redis}`)
    try {
      const cells = fromWeek > toWeek ? [] : await stores.analytics.cells(merchant, fromWeek, toWeek, carrier)
      const report = carrierReport(cells, { from: fromWeek, to: toWeek, groupBy, carrier })
      if (values.csv) {
        io.stdout.write(formatCarrierReportCsv(report))
      } else {
        const whose = merchant === ALL_MERCHANTS ? 'every merchant' : `merchant ${merchant}`
        printLine(
          io.stdout,
          `${whose}, ${fromWeek} to ${toWeek}, by ${groupBy}${carrier ? `, ${carrier} only` : ''}`,
        )
        printLine(io.stdout, formatCarrierReportTable(report))
      }
      return 0
    } finally {
      await close()
    }
  },
})
