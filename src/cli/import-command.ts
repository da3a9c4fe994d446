import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { CsvSyntaxError, parseCsv } from '../csv.js'
import { alertPolicyFrom, createCarriers } from '../main/policies.js'
import { printJson, printLine } from './cli-io.js'
import { defineCommand } from './command.js'
import { formatImportSummary, formatRejectsCsv } from './import-report.js'
import { readImportRows } from './import-rows.js'
import { type ImportSummary, importTrackings } from './import-trackings.js'
import { createProgress } from './progress.js'
import { UsageError } from './usage-error.js'

const LISTED_REJECTS = 50

function readText(file: string): { text: string; windows1252: boolean } {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  try {
    // ignoreBOM keeps the BOM in the text, so that a rejects file is written back with it.
    return {
      text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes),
      windows1252: false,
    }
  } catch {
    // Excel's plain "CSV" export on French Windows is Windows-1252, not UTF-8.
    return { text: new TextDecoder('windows-1252').decode(bytes), windows1252: true }
  }
}

function openRejectsFile(path: string): number {
  try {
    return openSync(path, 'w')
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

function toJson(file: string, summary: ImportSummary) {
  return {
    file,
    lines: summary.lines,
    created: summary.created,
    existing: summary.existing,
    repeated: summary.repeated,
    rejected: summary.rejected.map(({ line, trackingNumber, problem, reason }) => ({
      line,
      trackingNumber,
      problem,
      reason,
    })),
  }
}

/** `colis import`: registers a CSV of parcels for one merchant; exit 1 when some lines are rejected. */
export const importCommand = defineCommand({
  name: 'import',
  operands: ['<file.csv>'],
  summary: 'register the parcels of a CSV file (one per line)',
  options: {
    merchant: { type: 'string', value: '<name>', required: true, description: 'the merchant they belong to' },
    rejects: { type: 'string', value: '<file>', description: 'write every rejected line there, as CSV' },
    'chunk-size': {
      type: 'string',
      value: '<n>',
      default: '500',
      description: 'lines registered at a time, 1 to 5000',
    },
    json: { type: 'boolean', description: 'print the summary as JSON' },
  },
  async run({ values, operands: [file = ''] }, { io, config, logger }) {
    const merchant = values.merchant ?? ''
    const chunkSize = Number(values['chunk-size'])
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 5000) {
      throw new UsageError('--chunk-size is a whole number from 1 to 5000')
    }
    // Loaded here only: commands that need no Redis start faster without these modules.
    const { MERCHANT_PATTERN } = await import('../store/api-key-store.js')
    if (!MERCHANT_PATTERN.test(merchant)) {
      throw new UsageError(
        'merchant names are 1 to 64 letters, digits, dots, dashes or underscores, and not `all`',
      )
    }

    const { text, windows1252 } = readText(file)
    let table: ReturnType<typeof parseCsv>
    try {
      table = parseCsv(text)
    } catch (error) {
      if (error instanceof CsvSyntaxError) throw new UsageError(`${file}: ${error.message}`)
      throw error
    }
    const { header, rows } = readImportRows(table)
    if (windows1252) printLine(io.stderr, `colis: ${file} is not UTF-8: read as Windows-1252`)
    // Opened before anything is registered: a rejects path that cannot be written stops the import early.
    const rejectsFd = values.rejects === undefined ? undefined : openRejectsFile(values.rejects)

    const { openCommandStores } = await import('../main/command-stores.js')
    const { prepareRegistrationItem } = await import('../api/tracking-registration.js')
    const { subscribeByEmail } = await import('../api/email-subscription.js')
    const carriers = createCarriers(config, logger, { env: io.env })
    const { stores, redis, close } = await openCommandStores(config, logger)
    printLine(io.stderr, `colis: using Redis at ${redis}`)
    const store = stores.trackings
    const deps = {
      carriers,
      alertPolicy: alertPolicyFrom(config),
      emails: stores.emails,
      emailEnabled: config.SMTP_URL !== undefined,
      notifyRetentionMs: config.NOTIFY_RETENTION,
    }
    const progress = createProgress(io.stderr, rows.length, 'lines')
    let done = 0
    let summary: ImportSummary
    try {
      summary = await importTrackings(rows, {
        prepare: (item, at) => prepareRegistrationItem(deps, item, merchant, at),
        registerMany: (items, at) => store.registerMany(items, at),
        subscribe: async (record, to, at) => {
          await subscribeByEmail(deps, record, { to }, at, { reuse: true })
        },
        now: () => new Date(),
        chunkSize,
        onProgress: (count) => {
          done = count
          progress.update(count)
        },
      })
    } catch (error) {
      progress.finish()
      const registeredUpTo = rows[done - 1]?.line
      throw new UsageError(
        `import stopped: ${(error instanceof Error ? error.message : String(error)).replace(/\.$/, '')}. ${
          registeredUpTo === undefined
            ? 'Nothing was registered'
            : `Lines up to ${registeredUpTo} are registered`
        }; importing the file again is safe, nothing is registered twice.`,
        1,
      )
    } finally {
      await close()
      await carriers.close()
    }
    progress.finish()

    if (rejectsFd !== undefined) {
      writeSync(rejectsFd, formatRejectsCsv(header, summary.rejected, table))
      closeSync(rejectsFd)
    }
    if (values.json) printJson(io.stdout, toJson(file, summary))
    else
      printLine(
        io.stdout,
        formatImportSummary(summary, { file, listLimit: LISTED_REJECTS, rejectsFile: values.rejects }),
      )
    return summary.rejected.length > 0 ? 1 : 0
  },
})
