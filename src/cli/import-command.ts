import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createCarrierRuntime } from '../../adapters/registry.js'
import { prepareRegistrationItem } from '../api/tracking-registration.js'
import { type Config, readEnvironment } from '../config.js'
import type { Logger } from '../logger.js'
import { CsvSyntaxError, parseCsv } from './csv.js'
import { formatImportSummary, formatRejectsCsv } from './import-report.js'
import { readImportRows } from './import-rows.js'
import { type ImportSummary, importTrackings } from './import-trackings.js'
import { createProgress } from './progress.js'
import { UsageError } from './usage-error.js'

const IMPORT_USAGE =
  'usage: colis import <file.csv> --merchant <name> [--rejects <file>] [--chunk-size <n>] [--json]'
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
export async function importCommand(args: string[], config: Config, logger: Logger): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      merchant: { type: 'string' },
      rejects: { type: 'string' },
      'chunk-size': { type: 'string', default: '500' },
      json: { type: 'boolean', default: false },
    },
  })
  const [file, extra] = positionals
  if (!file || extra !== undefined) throw new UsageError(IMPORT_USAGE)
  if (!values.merchant) throw new UsageError(`import needs --merchant <name>\n${IMPORT_USAGE}`)
  const chunkSize = Number(values['chunk-size'])
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 5000) {
    throw new UsageError('--chunk-size is a whole number from 1 to 5000')
  }
  const { MERCHANT_PATTERN } = await import('../store/api-key-store.js')
  if (!MERCHANT_PATTERN.test(values.merchant)) {
    throw new UsageError('merchant names are 1 to 64 letters, digits, dots, dashes or underscores')
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
  if (windows1252) process.stderr.write(`colis: ${file} is not UTF-8: read as Windows-1252\n`)
  // Opened before anything is registered: a rejects path that cannot be written stops the import early.
  const rejectsFd = values.rejects === undefined ? undefined : openRejectsFile(values.rejects)

  // Loaded here only: commands that need no Redis start faster without these modules.
  const [{ Redis }, { resolveRedis }, { createRedisTrackingStore }, { alertPolicyFrom }] = await Promise.all([
    import('ioredis'),
    import('../redis/resolve-redis.js'),
    import('../store/redis/redis-tracking-store.js'),
    import('../../workers/main.js'),
  ])
  const carriers = createCarrierRuntime(config, logger, { env: readEnvironment() })
  const target = await resolveRedis(config, logger)
  const redis = new Redis(target.url, { maxRetriesPerRequest: 1 })
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'))
  const store = createRedisTrackingStore(redis, config.COLIS_REDIS_PREFIX)
  const deps = { carriers, alertPolicy: alertPolicyFrom(config) }
  const merchant = values.merchant
  const progress = createProgress(process.stderr, rows.length, 'lines')
  let done = 0
  let summary: ImportSummary
  try {
    summary = await importTrackings(rows, {
      prepare: (item, at) => prepareRegistrationItem(deps, item, merchant, at),
      registerMany: (items, at) => store.registerMany(items, at),
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
    await redis.quit().catch(() => redis.disconnect())
    await target.stop()
    await carriers.close()
  }
  progress.finish()

  if (rejectsFd !== undefined) {
    writeSync(rejectsFd, formatRejectsCsv(header, summary.rejected, table))
    closeSync(rejectsFd)
  }
  process.stdout.write(
    values.json
      ? `${JSON.stringify(toJson(file, summary), null, 2)}\n`
      : `${formatImportSummary(summary, { file, listLimit: LISTED_REJECTS, rejectsFile: values.rejects })}\n`,
  )
  if (summary.rejected.length > 0) process.exitCode = 1
}
