/** A stream a command writes to: process.stdout or process.stderr in the bin, a buffer in tests. */
export interface CliOutput {
  write(text: string): unknown
  /** True on a terminal: colours and progress bars are drawn only then. */
  isTTY?: boolean
  columns?: number
}

/** Everything a command reads from or writes to its process, so that it can also run inside another one. */
export interface CliIo {
  stdout: CliOutput
  /** Messages and log lines; stdout carries only the command's own output. */
  stderr: CliOutput
  stdin: AsyncIterable<string | Uint8Array>
  /** The environment the configuration is read from. */
  env: Record<string, string | undefined>
}

export function printJson(output: CliOutput, value: unknown): void {
  output.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function printLine(output: CliOutput, text: string): void {
  output.write(`${text}\n`)
}
