import { parseArgs } from 'node:util'
import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import type { CliIo } from './cli-io.js'
import { UsageError } from './usage-error.js'

export interface OptionSpec {
  type: 'string' | 'boolean'
  /** How the value reads in the help: `<id>`, `fr|en`. */
  value?: string
  default?: string
  required?: boolean
  description: string
}

type OptionValues<Options extends Record<string, OptionSpec>> = {
  [Name in keyof Options]: Options[Name]['type'] extends 'boolean' ? boolean : string | undefined
}

export interface CommandContext {
  io: CliIo
  config: Config
  logger: Logger
}

export interface CommandInput<Options extends Record<string, OptionSpec>> {
  values: OptionValues<Options>
  operands: string[]
}

export interface CliCommand<Options extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  /** As typed after `colis`: `track`, `keys create`. */
  name: string
  /** The positional arguments, each required: `<number>`. */
  operands: string[]
  summary: string
  options: Options
  /** `serve` logs at LOG_LEVEL; the other commands only warn, so that their output stays readable. */
  logsAtLogLevel?: boolean
  /** The exit code; nothing means 0. */
  run(input: CommandInput<Options>, context: CommandContext): Promise<number | undefined>
}

/** Keeps the option names of `command` in the type of the values its `run` receives. */
export function defineCommand<Options extends Record<string, OptionSpec>>(
  command: CliCommand<Options>,
): CliCommand {
  return command as unknown as CliCommand
}

export const HELP_FLAGS = ['--help', '-h']

/** `command`'s options and operands from `args`; a missing or unknown one is a UsageError naming the usage. */
export function parseCommandArgs(
  command: CliCommand,
  args: string[],
): CommandInput<Record<string, OptionSpec>> {
  const usage = `usage: ${commandSynopsis(command)}`
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(command.options).map(([name, option]) => [
          name,
          option.type === 'boolean'
            ? { type: 'boolean' as const, default: false }
            : { type: 'string' as const, default: option.default },
        ]),
      ),
    })
  } catch (error) {
    if (error instanceof TypeError && `${(error as NodeJS.ErrnoException).code}`.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(`${error.message}\n${usage}`)
    throw error
  }
  const { values, positionals } = parsed
  const missingOperand = command.operands[positionals.length]
  if (missingOperand) throw new UsageError(`${command.name} needs ${missingOperand}\n${usage}`)
  const extra = positionals[command.operands.length]
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"\n${usage}`)
  for (const [name, option] of Object.entries(command.options)) {
    if (option.required && values[name] === undefined)
      throw new UsageError(`${command.name} needs ${optionUsage(name, option)}\n${usage}`)
  }
  return { values: values as CommandInput<Record<string, OptionSpec>>['values'], operands: positionals }
}

function optionUsage(name: string, option: OptionSpec): string {
  return option.value ? `--${name} ${option.value}` : `--${name}`
}

/** `colis import <file.csv> --merchant <name> [--rejects <file>] …`: every option, required ones bare. */
export function commandSynopsis(command: CliCommand): string {
  const options = Object.entries(command.options).map(([name, option]) =>
    option.required ? optionUsage(name, option) : `[${optionUsage(name, option)}]`,
  )
  return ['colis', command.name, ...command.operands, ...options].join(' ')
}

const OPTION_COLUMN = 26

/** What `colis <command> --help` prints. */
export function commandHelp(command: CliCommand): string {
  const rows = [
    ...Object.entries(command.options).map(([name, option]) => {
      const notes = [option.required ? 'required' : '', option.default ? `default ${option.default}` : '']
        .filter(Boolean)
        .join(', ')
      return [optionUsage(name, option), notes ? `${option.description} (${notes})` : option.description]
    }),
    ['-h, --help', 'print this help'],
  ]
  const lines = rows.map(([left = '', right = '']) =>
    left.length <= OPTION_COLUMN - 4
      ? `  ${left.padEnd(OPTION_COLUMN - 2)}${right}`
      : `  ${left}\n${' '.repeat(OPTION_COLUMN)}${right}`,
  )
  return `usage: ${commandSynopsis(command)}\n\n${command.summary}\n\noptions:\n${lines.join('\n')}\n`
}
