import { pino } from 'pino'

export type Logger = pino.Logger

/** Logs go to stderr so that stdout carries only a command's own output (`--json` stays pure JSON). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...bindings }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2))
}

export function createSilentLogger(): Logger {
  return pino({ level: 'silent' })
}
