import { createLogger, type Logger } from '../../src/logger.js'

/** A debug logger whose JSON lines land, parsed, in `lines`, for a test to read. */
export function captureLogs<Line = { level: number; msg: string } & Record<string, unknown>>(): {
  logger: Logger
  lines: Line[]
} {
  const lines: Line[] = []
  const logger = createLogger('debug', {}, { destination: { write: (line) => lines.push(JSON.parse(line)) } })
  return { logger, lines }
}
