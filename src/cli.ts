import { pathToFileURL } from 'node:url'
import { CodeOverridesError } from '../adapters/code-overrides.js'
import { CarrierError } from '../adapters/contract.js'
import { CarrierDefinitionError } from '../adapters/generic/definition-schema.js'
import { analyticsCommand } from './cli/analytics-command.js'
import type { CliIo } from './cli/cli-io.js'
import { type CliCommand, commandHelp, commandSynopsis, HELP_FLAGS, parseCommandArgs } from './cli/command.js'
import { detectCommand } from './cli/detect-command.js'
import { forecastEvalCommand } from './cli/forecast-eval-command.js'
import { importCommand } from './cli/import-command.js'
import { keysCreateCommand } from './cli/keys-command.js'
import { normalizeCommand } from './cli/normalize-command.js'
import { serveCommand } from './cli/serve-command.js'
import { trackCommand } from './cli/track-command.js'
import { UsageError } from './cli/usage-error.js'
import { type Config, ConfigError, loadConfig } from './config.js'
import { createLogger } from './logger.js'
import { PortUnavailableError } from './main/port-check.js'
import { RedisBinaryMissingError } from './redis/local-redis.js'
import { KeyspaceMismatchError } from './store/redis/keyspace-claim.js'
import { VERSION } from './version.js'

export const COMMANDS: readonly CliCommand[] = [
  serveCommand,
  keysCreateCommand,
  importCommand,
  analyticsCommand,
  trackCommand,
  detectCommand,
  normalizeCommand,
  forecastEvalCommand,
]

const SUMMARY_COLUMN = 44

export function globalHelp(): string {
  const commands = COMMANDS.map((command) => {
    const synopsis = commandSynopsis(command).replace(/^colis /, '')
    return synopsis.length <= SUMMARY_COLUMN - 4
      ? `  ${synopsis.padEnd(SUMMARY_COLUMN - 2)}${command.summary}`
      : `  ${synopsis}\n${' '.repeat(SUMMARY_COLUMN)}${command.summary}`
  })
  return `usage: colis <command> [options]

commands:
${commands.join('\n')}

colis <command> --help describes a command; colis --version prints the version.
Exit status: 0 done, 1 the command failed, 2 a usage or configuration error.
`
}

/** The command `args` name (`keys create` takes two words), and the arguments after its name. */
function findCommand(args: string[]): { command: CliCommand; rest: string[] } | undefined {
  for (const command of COMMANDS) {
    const words = command.name.split(' ')
    if (words.every((word, index) => args[index] === word)) return { command, rest: args.slice(words.length) }
  }
  return undefined
}

/** The command of a group (`keys` for `keys create`): for `colis keys` alone, or `colis keys --help`. */
function findGroup(word: string | undefined): CliCommand | undefined {
  return COMMANDS.find((command) => command.name.startsWith(`${word} `))
}

/** A help request before any `--` (after it, `--help` is an operand). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--')
  return (end === -1 ? args : args.slice(0, end)).some((arg) => HELP_FLAGS.includes(arg))
}

function unknownCommand(name: string, io: CliIo): number {
  io.stderr.write(`colis: unknown command "${name}"\n${globalHelp()}`)
  return 2
}

/** Failures the user can act on: one line on stderr and an exit status, never a stack trace. */
function reportFailure(error: unknown, config: Config, io: CliIo): number | undefined {
  const say = (message: string, code: number) => {
    io.stderr.write(`colis: ${message}\n`)
    return code
  }
  if (error instanceof UsageError) return say(error.message, error.exitCode)
  if (
    error instanceof ConfigError ||
    error instanceof KeyspaceMismatchError ||
    error instanceof CarrierDefinitionError ||
    error instanceof CodeOverridesError
  )
    return say(error.message, 2)
  if (error instanceof RedisBinaryMissingError || error instanceof PortUnavailableError)
    return say(error.message, 1)
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE')
    return say(`port ${config.PORT} on ${config.HOST} is already in use (set PORT)`, 1)
  if (error instanceof CarrierError) return say(`${error.kind}: ${error.message.split('\n')[0]}`, 2)
  return undefined
}

/** `colis`, `colis --help`, `colis help <command>`, `colis --version`; undefined for anything else. */
function answerWithoutCommand(argv: string[], io: CliIo): number | undefined {
  const [first, subject] = argv
  if (first === undefined) {
    io.stderr.write(globalHelp())
    return 2
  }
  if (first === '--version') {
    io.stdout.write(`colis ${VERSION}\n`)
    return 0
  }
  if (!HELP_FLAGS.includes(first) && first !== 'help') return undefined
  if (first !== 'help' || subject === undefined) {
    io.stdout.write(globalHelp())
    return 0
  }
  const topic = findCommand(argv.slice(1))?.command ?? findGroup(subject)
  if (!topic) return unknownCommand(subject, io)
  io.stdout.write(commandHelp(topic))
  return 0
}

/**
 * Runs `colis <argv>` against `io` and resolves with the exit status. `serve` resolves once the service
 * listens, and keeps running until a signal stops the process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const answered = answerWithoutCommand(argv, io)
  if (answered !== undefined) return answered
  const found = findCommand(argv)
  if (!found) {
    const [first = ''] = argv
    const group = findGroup(first)
    if (!group) return unknownCommand(first, io)
    if (asksForHelp(argv.slice(1))) {
      io.stdout.write(commandHelp(group))
      return 0
    }
    io.stderr.write(`colis: usage: ${commandSynopsis(group)}\n`)
    return 2
  }
  const { command, rest } = found
  if (asksForHelp(rest)) {
    io.stdout.write(commandHelp(command))
    return 0
  }
  let config: Config
  try {
    config = loadConfig(io.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    io.stderr.write(`colis: ${error.message}\n`)
    return 2
  }
  const logger = createLogger(
    command.logsAtLogLevel ? config.LOG_LEVEL : 'warn',
    { app: 'colis' },
    { destination: io.stderr },
  )
  try {
    return (await command.run(parseCommandArgs(command, rest), { io, config, logger })) ?? 0
  } catch (error) {
    const code = reportFailure(error, config, io)
    if (code === undefined) throw error
    return code
  }
}

/** The `colis` bin: runs the command on this process's streams and environment. */
export async function main(argv: string[]): Promise<void> {
  // biome-ignore lint/style/noProcessEnv lint/nursery/noJsRestrictedProperties: the one place the CLI hands the environment over; src/config.ts reads it
  const env = process.env
  process.exitCode = await runCli(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env,
  })
}

// `tsx src/cli.ts serve` (npm run dev) runs this file directly; the bin imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2))
}
