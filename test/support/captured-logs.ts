import { createLogger, type Logger } from '../../src/logger.js'

/** A logger (debug unless told) whose JSON lines land, parsed, in `lines`, for a test to read. */
export function captureLogs<Line = { level: number; msg: string } & Record<string, unknown>>(
  level = 'debug',
): {
  logger: Logger
  lines: Line[]
} {
  const lines: Line[] = []
  const logger = createLogger(level, {}, { destination: { write: (line) => lines.push(JSON.parse(line)) } })
  return { logger, lines }
}
