import type { EventStatus } from '../../src/domain/tracking-status.js'
import { findInCodeTable } from '../code-table.js'

/** The sandbox's own scan codes. The return leg has its own transit code so the way back is readable. */
export const SANDBOX_STATUS_BY_CODE = {
  SBX_LABEL: 'info_received',
  SBX_PICKUP: 'in_transit',
  SBX_TRANSIT: 'in_transit',
  SBX_EXPORT: 'in_transit',
  SBX_ARRIVAL: 'in_transit',
  SBX_CUSTOMS: 'in_transit',
  SBX_CUSTOMS_HOLD: 'exception',
  SBX_SORTED: 'in_transit',
  SBX_OUT: 'out_for_delivery',
  SBX_ABSENT: 'failed_attempt',
  SBX_RELAY: 'available_for_pickup',
  SBX_COLLECTED: 'delivered',
  SBX_DELIVERED: 'delivered',
  SBX_RETURN: 'returned_to_sender',
  SBX_RETURN_TRANSIT: 'in_transit',
  SBX_RETURNED: 'returned_to_sender',
} as const satisfies Record<string, EventStatus>
export type SandboxCode = keyof typeof SANDBOX_STATUS_BY_CODE

/** Codes after which the parcel's life is over (the sandbox's `isFinal`). */
export const SANDBOX_FINAL_CODES: ReadonlySet<string> = new Set<SandboxCode>([
  'SBX_DELIVERED',
  'SBX_COLLECTED',
  'SBX_RETURNED',
])

export function statusOfSandboxCode(code: string): EventStatus | undefined {
  return findInCodeTable(SANDBOX_STATUS_BY_CODE, code)
}
