import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { type CarrierAdapter, CarrierError } from '../adapters/contract.js'
import { CarrierDefinitionError } from '../adapters/generic/definition-schema.js'
import { defaultLanguage, LANGUAGES, parseLanguage } from './cli/language.js'
import { toNormalizedItem, toNormalizedJson } from './cli/normalize-output.js'
import { renderTimeline } from './cli/render-timeline.js'
import { colourEnabled, createPaint } from './cli/terminal-colour.js'
import { UsageError } from './cli/usage-error.js'
import { type Config, ConfigError, loadConfig } from './config.js'
import { deriveTrackingStatus } from './domain/timeline.js'
import { normalizeTrackingNumber } from './domain/tracking-number.js'
import { createLogger, type Logger } from './logger.js'
import { createCarriers } from './main/policies.js'
import type { Role } from './main/service.js'
import { RedisBinaryMissingError } from './redis/local-redis.js'

const USAGE = `usage: colis <command> [options]

commands:
  serve [--role all|api|worker]              start the API and/or the poll workers
  normalize --carrier <id> [--file F]        print a raw carrier response as a normalized snapshot (JSON)
  keys create --merchant <name> [--json]     create an API key and print it once
  track <number> [--carrier <id>] [--lang fr|en] [--json]
                                             fetch a timeline once, without Redis, and print it
  import <file.csv> --merchant <name> [--rejects <file>] [--json]
                                             register the parcels of a CSV file (one per line)
  detect <number> [--json]                   which carriers a number belongs to, from its check digits
`

function print(value: unknown, json: boolean) {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${String(value)}\n`)
}

function adapterFor(
  config: Config,
  logger: Logger,
  carrier: string | undefined,
  number?: string,
): CarrierAdapter {
  const runtime = createCarriers(config, logger)
  if (carrier) {
    const adapter = runtime.get(carrier)
    if (!adapter) {
      throw new UsageError(
        `unknown carrier "${carrier}" (known: ${runtime
          .list()
          .map((known) => known.id)
          .join(', ')})`,
      )
    }
    return adapter
  }
  const detection = runtime.detect(number ?? '')
  const winner = detection.winner ? runtime.get(detection.winner) : undefined
  if (winner) return winner
  throw new UsageError(
    detection.candidates.length === 0
      ? `no carrier recognises "${number}"${detection.problems[0] ? ` (${detection.problems[0]})` : ''}; pass --carrier`
      : `several carriers could track "${number}" (${detection.candidates.map((c) => c.carrier).join(', ')}); pass --carrier`,
  )
}

async function detect(args: string[], config: Config, logger: Logger) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } },
  })
  const [number] = positionals
  if (!number) throw new UsageError('detect needs a tracking number')
  const detection = createCarriers(config, logger).detect(number)
  if (values.json) return print(detection, true)
  const lines = [`${detection.trackingNumber}:`]
  for (const candidate of detection.candidates) {
    const mark = candidate.carrier === detection.winner ? '*' : ' '
    lines.push(
      ` ${mark} ${candidate.carrier.padEnd(16)} ${candidate.confidence.toFixed(2)}  ${candidate.reason}`,
    )
  }
  if (detection.candidates.length === 0) lines.push('  no carrier of this deployment recognises it')
  for (const problem of detection.problems) lines.push(`  ! ${problem}`)
  if (detection.candidates.length > 0 && !detection.winner) lines.push('  no clear winner: pass --carrier')
  print(lines.join('\n'), false)
}

async function readInput(file: string | undefined): Promise<string> {
  if (file) return readFileSync(file, 'utf8')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function normalize(args: string[], config: Config, logger: Logger) {
  const { values } = parseArgs({ args, options: { carrier: { type: 'string' }, file: { type: 'string' } } })
  if (!values.carrier) throw new UsageError('normalize needs --carrier <id>')
  const adapter = adapterFor(config, logger, values.carrier)
  const items = adapter.parse(await readInput(values.file))
  const [only] = items
  if (items.length === 1 && only instanceof CarrierError)
    throw new UsageError(`${only.kind}: ${only.message}`)
  print(items.length === 1 && only ? toNormalizedItem(only) : items.map(toNormalizedItem), true)
}

async function track(args: string[], config: Config, logger: Logger) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      carrier: { type: 'string' },
      lang: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  const [raw] = positionals
  if (!raw) throw new UsageError('track needs a tracking number')
  const language = values.lang === undefined ? defaultLanguage(config) : parseLanguage(values.lang)
  if (!language) throw new UsageError(`--lang is one of ${LANGUAGES.join(', ')}`)
  const number = normalizeTrackingNumber(raw)
  const adapter = adapterFor(config, logger, values.carrier, number)
  const check = adapter.checkNumber(number)
  if (!check.ok) throw new UsageError(`${raw}: ${check.reason}`)
  try {
    const snapshot = await adapter.track({ trackingNumber: check.trackingNumber })
    print(
      values.json
        ? toNormalizedJson(snapshot)
        : renderTimeline(snapshot, deriveTrackingStatus(snapshot.events), {
            language,
            paint: createPaint(colourEnabled(process.stdout, config)),
            carrierName: adapter.name,
          }),
      values.json,
    )
  } catch (error) {
    if (error instanceof CarrierError)
      throw new UsageError(`${adapter.name}: ${error.kind}: ${error.message}`, 1)
    throw error
  }
}

async function keys(args: string[], config: Config, logger: Logger) {
  const [action, ...rest] = args
  if (action !== 'create') throw new UsageError('usage: colis keys create --merchant <name> [--json]')
  const { values } = parseArgs({
    args: rest,
    options: { merchant: { type: 'string' }, json: { type: 'boolean', default: false } },
  })
  if (!values.merchant) throw new UsageError('keys create needs --merchant <name>')
  // Loaded here only: commands that need no Redis start faster without these modules.
  const { openCommandStores } = await import('./main/command-stores.js')
  const { stores, close } = await openCommandStores(config, logger)
  try {
    const created = await stores.apiKeys.create(values.merchant)
    print(values.json ? { merchant: created.merchantId, key: created.key } : created.key, values.json)
    if (!values.json)
      process.stderr.write(`API key for merchant "${created.merchantId}": shown once, keep it safe.\n`)
  } catch (error) {
    if (error instanceof Error && /merchant names/.test(error.message)) throw new UsageError(error.message)
    throw error
  } finally {
    await close()
  }
}

async function serveCommand(args: string[], config: Config, logger: Logger) {
  const { values } = parseArgs({ args, options: { role: { type: 'string', default: config.COLIS_ROLE } } })
  const role = values.role as Role
  if (!['all', 'api', 'worker'].includes(role)) throw new UsageError('--role is one of all, api, worker')
  const { startService, stopOnSignals } = await import('./main/service.js')
  const starting = startService(config, role, logger)
  stopOnSignals(starting, config, logger)
  await starting
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv
  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`colis: ${error.message}\n`)
      process.exit(2)
    }
    throw error
  }
  const logger = createLogger(command === 'serve' ? config.LOG_LEVEL : 'warn', { app: 'colis' })
  const commands: Record<string, (args: string[], config: Config, logger: Logger) => Promise<void>> = {
    serve: serveCommand,
    normalize,
    track,
    detect,
    keys,
    import: async (args, config, logger) =>
      (await import('./cli/import-command.js')).importCommand(args, config, logger),
  }
  const run = command ? commands[command] : undefined
  if (!run) {
    process.stderr.write(
      command && command !== 'help' && command !== '--help'
        ? `unknown command "${command}"\n${USAGE}`
        : USAGE,
    )
    process.exit(command && command !== 'help' && command !== '--help' ? 2 : 0)
  }
  try {
    await run(args, config, logger)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`colis: ${error.message}\n`)
      process.exit(error.exitCode)
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`colis: ${error.message}\n`)
      process.exit(2)
    }
    if (error instanceof RedisBinaryMissingError) {
      process.stderr.write(`colis: ${error.message}\n`)
      process.exit(1)
    }
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
      process.stderr.write(`colis: port ${config.PORT} on ${config.HOST} is already in use (set PORT)\n`)
      process.exit(1)
    }
    if (error instanceof CarrierDefinitionError) {
      process.stderr.write(`colis: ${error.message}\n`)
      process.exit(2)
    }
    if (error instanceof CarrierError) {
      process.stderr.write(`colis: ${error.kind}: ${error.message.split('\n')[0]}\n`)
      process.exit(2)
    }
    if (
      error instanceof TypeError &&
      /parseArgs|ERR_PARSE_ARGS/.test(`${(error as NodeJS.ErrnoException).code}`)
    ) {
      process.stderr.write(`colis: ${error.message}\n${USAGE}`)
      process.exit(2)
    }
    throw error
  }
}
