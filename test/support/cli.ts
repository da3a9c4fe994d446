import { Readable } from 'node:stream'
import { runCli } from '../../src/cli.js'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export interface CliRunOptions {
  /** The whole environment the command sees (nothing of the test process's), over quiet defaults. */
  env?: Record<string, string | undefined>
  stdin?: string
  /** Whether stdout / stderr are terminals (colours, progress bars). */
  stdoutIsTTY?: boolean
  stderrIsTTY?: boolean
}

class CapturedOutput {
  text = ''
  readonly columns = 80
  constructor(readonly isTTY: boolean) {}
  write(text: string) {
    this.text += text
    return true
  }
}

/**
 * Runs `colis <args>` in this process, as the bin would run it in its own. No Redis address is probed:
 * a test that needs Redis passes REDIS_URL or COLIS_DATA_DIR.
 */
export async function runColis(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const stdout = new CapturedOutput(options.stdoutIsTTY ?? false)
  const stderr = new CapturedOutput(options.stderrIsTTY ?? false)
  const code = await runCli(args, {
    stdout,
    stderr,
    stdin: Readable.from([options.stdin ?? '']),
    env: { LOG_LEVEL: 'warn', POLL_CALENDAR: 'off', COLIS_PROBE_REDIS: 'none', ...options.env },
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}
