import type { EventStatus } from '../src/domain/tracking-status.js'
import type { Logger } from '../src/logger.js'

/** The status of a code in a carrier's table; undefined when missing (own keys only: not `constructor`). */
export function findInCodeTable(
  table: Readonly<Record<string, EventStatus>>,
  code: string,
): EventStatus | undefined {
  return Object.hasOwn(table, code) ? table[code] : undefined
}

/**
 * A raw carrier code's status. An unknown code is `unknown`, with a warning naming it so the table can
 * grow: never a guess from the label.
 */
export function statusOfCode(
  table: Readonly<Record<string, EventStatus>>,
  carrier: string,
  code: string,
  logger: Pick<Logger, 'warn'>,
): EventStatus {
  const status = findInCodeTable(table, code)
  if (status) return status
  logger.warn({ carrier, code }, 'unmapped carrier code')
  return 'unknown'
}
