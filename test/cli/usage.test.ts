import { describe, expect, it } from 'vitest'
import { COMMANDS } from '../../src/cli.js'
import { VERSION } from '../../src/version.js'
import { runColis } from '../support/cli.js'

describe.concurrent('colis usage', () => {
  it('exits 2 on an unknown command and prints the usage on stderr', async () => {
    const run = await runColis(['frobnicate'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/unknown command "frobnicate"/)
    expect(run.stderr).toMatch(/usage: colis/)
  })

  it('exits 2 when asked for the help of an unknown command', async () => {
    const run = await runColis(['help', 'frobnicate'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/unknown command "frobnicate"/)
  })

  it('exits 2 without a command', async () => {
    const run = await runColis([])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/usage: colis/)
  })

  it.each([['--help'], ['-h'], ['help']])('prints the usage on stdout and exits 0 for %s', async (flag) => {
    const run = await runColis([flag])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^usage: colis <command>/)
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name} `)
  })

  it('prints the version with --version', async () => {
    const run = await runColis(['--version'])
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`colis ${VERSION}\n`)
  })

  it.each([[['import', '--help']], [['import', 'parcels.csv', '-h']], [['help', 'import']]])(
    'prints a command help on stdout and exits 0: %j',
    async (args) => {
      const run = await runColis(args)
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).toBe('')
      expect(run.stdout).toMatch(/^usage: colis import <file\.csv> --merchant <name> /)
      expect(run.stdout).toMatch(/^ {2}--chunk-size <n> +.*\(default 500\)$/m)
    },
  )

  it('prints the help of `keys create` for `keys --help`, and the usage for `keys` alone', async () => {
    const help = await runColis(['keys', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^usage: colis keys create --merchant <name> \[--json\]$/m)
    const alone = await runColis(['keys'])
    expect(alone.code).toBe(2)
    expect(alone.stderr).toMatch(/usage: colis keys create/)
  })

  it.each(COMMANDS.map((command) => [command.name, command] as const))(
    'lists every option of %s in the usage and in its help',
    async (name, command) => {
      const usage = (await runColis(['--help'])).stdout
      const help = await runColis([...name.split(' '), '--help'])
      expect(help.code).toBe(0)
      const usageLine = usage.split('\n').find((line) => line.startsWith(`  ${name} `)) ?? ''
      for (const option of Object.keys(command.options)) {
        expect(usageLine).toContain(`--${option}`)
        expect(help.stdout).toMatch(new RegExp(`^ {2}--${option}\\b`, 'm'))
      }
    },
  )

  it('exits 2 on an unknown option, with the command usage', async () => {
    const run = await runColis(['detect', 'XG953488284JB', '--colour'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/Unknown option '--colour'/)
    expect(run.stderr).toMatch(/usage: colis detect <number> \[--json\]/)
  })
})
