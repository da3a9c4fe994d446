import type { EventStatus } from '../../src/domain/tracking-status.js'

/**
 * La Poste Suivi v2 event code → status: every code of La Poste's published list, plus three seen on its
 * web tracking (MD1, MD3, ID1). The table, its sources and the reasons for each status:
 * docs/carriers/laposte.md (test/fixtures/laposte/suivi-v2-event-codes.csv holds the list as data).
 */
export const LAPOSTE_STATUS_BY_CODE = {
  DR1: 'info_received',
  DR2: 'exception',
  PC1: 'in_transit',
  PC2: 'in_transit',
  ET1: 'in_transit',
  ET2: 'in_transit',
  ET3: 'in_transit',
  ET4: 'in_transit',
  EP1: 'in_transit',
  DO1: 'in_transit',
  DO2: 'in_transit',
  DO3: 'exception',
  PB1: 'exception',
  PB2: 'in_transit',
  MD2: 'out_for_delivery',
  ND1: 'failed_attempt',
  AG1: 'available_for_pickup',
  RE1: 'returned_to_sender',
  DI0: 'delivered',
  DI1: 'delivered',
  DI2: 'returned_to_sender',
  DI3: 'exception',
  ID0: 'in_transit',
  // Informational (proof of dispatch issued): a known code that must not move the status.
  ID1: 'unknown',
  MD1: 'out_for_delivery',
  MD3: 'failed_attempt',
} as const satisfies Record<string, EventStatus>

export type LaPosteEventCode = keyof typeof LAPOSTE_STATUS_BY_CODE
