import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * Spawns the real `colis` bin (built from the current sources by the global setup) in a child process;
 * `detached` puts it at the head of a process group of its own, as a shell does with a foreground job.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { detached?: boolean } = {},
): ChildProcess {
  return spawn(process.execPath, ['bin/colis.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', POLL_CALENDAR: 'off', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  })
}

/** Runs the `colis` bin with `args` to completion, feeding `stdin`. */
export async function runBin(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  const child = spawnCli(args, options.env)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  child.stdin?.end(options.stdin ?? '')
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { code, stdout, stderr } satisfies CliRun
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)))
}

/**
 * Runs `colis <args>` with stdout and stderr on a pseudo-terminal (util-linux `script`), for output
 * that only appears on a terminal (colours, progress bars). Returns what the terminal showed.
 */
export function runCliOnTerminal(args: string[], env: Record<string, string | undefined> = {}): string {
  const command = ['node', 'bin/colis.js', ...args].map((arg) => `'${arg}'`).join(' ')
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', POLL_CALENDAR: 'off', ...env },
    encoding: 'utf8',
  })
  if (run.error) throw new Error(`util-linux script is needed for terminal tests: ${run.error.message}`)
  return run.stdout
}
