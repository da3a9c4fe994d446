import type { EventStatus } from '../src/domain/tracking-status.js'
import type { Logger } from '../src/logger.js'
import type { UnknownCodeHook } from './contract.js'

/** The status of a code in a carrier's table; undefined when missing (own keys only: not `constructor`). */
export function findInCodeTable(
  table: Readonly<Record<string, EventStatus>>,
  code: string,
): EventStatus | undefined {
  return Object.hasOwn(table, code) ? table[code] : undefined
}

/**
 * A raw carrier code's status. An unknown code is `unknown`, with a warning naming it so the table can
 * grow (and `onUnknownCode` counts it): never a guess from the label.
 */
export function statusOfCode(
  table: Readonly<Record<string, EventStatus>>,
  carrier: string,
  code: string,
  logger: Pick<Logger, 'warn'>,
  onUnknownCode?: UnknownCodeHook,
): EventStatus {
  const status = findInCodeTable(table, code)
  if (status) return status
  reportUnknownCode(logger, carrier, code, onUnknownCode)
  return 'unknown'
}

/**
 * The one way an adapter reports a code its table lacks: a warning naming it, and the hook. The line
 * names no carrier: an adapter's logger is its carrier's child logger, which adds it.
 */
export function reportUnknownCode(
  logger: Pick<Logger, 'warn'> | undefined,
  carrier: string,
  code: string,
  onUnknownCode?: UnknownCodeHook,
): void {
  logger?.warn({ code }, 'unmapped carrier code')
  onUnknownCode?.(carrier, code)
}
