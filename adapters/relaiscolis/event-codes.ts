import type { EventStatus } from '../../src/domain/tracking-status.js'
import { findInCodeTable } from '../code-table.js'

/**
 * Relais Colis codes an event with a pair: `CodeEVT` (what happened) and `CodeJUS` (its justification).
 * colis keeps the pair as the event's code, `EVT/JUS` (`DEP/REL`), or `EVT` alone when the justification
 * is empty (`APF`).
 */
export function relaisColisCode(codeEvt: string, codeJus: string): string {
  return codeJus === '' ? codeEvt : `${codeEvt}/${codeJus}`
}

/**
 * Event pair → status. The 96 pairs are the `relaiscolis_evts` rows of Relais Colis' official PrestaShop 1.6
 * module (calliweb-repo/Relais-Colis-prestashop-1.6, sql/install.php, 2024-12-23), each under the order
 * state the module gives it; test/fixtures/relaiscolis/evt-jus-codes.csv holds them as data. The statuses
 * and the reasons for each are in docs/carriers/relaiscolis.md. Pairs are matched exactly, case included
 * (`R4a`).
 */
export const RELAISCOLIS_STATUS_BY_CODE = {
  // Not a row of the module: the API's own example answer ("Package announced", CodeTrack AN).
  APF: 'info_received',

  'AAR/AV': 'in_transit',

  'APF/EL9': 'returned_to_sender',
  'APF/ERP': 'returned_to_sender',
  'APF/L3': 'in_transit',
  'APF/L4': 'in_transit',
  'APF/L6': 'in_transit',
  'APF/P5': 'returned_to_sender',
  'APF/PST': 'in_transit',
  'APF/RAQ': 'in_transit',
  'APF/RDF': 'returned_to_sender',
  'APF/RPA': 'returned_to_sender',
  'APF/SAG': 'in_transit',
  'APF/SL2': 'in_transit',
  'APF/SL3': 'in_transit',
  'APF/SL4': 'in_transit',
  'APF/SL6': 'in_transit',
  'APF/SL9': 'returned_to_sender',
  'APF/SNG': 'in_transit',
  'APF/SRA': 'returned_to_sender',

  'CPF/SL2': 'in_transit',

  'DEP/REL': 'available_for_pickup',

  'MAD/MDE': 'in_transit',
  'MAD/MDI': 'in_transit',

  'REN/1P': 'returned_to_sender',
  'REN/AGL': 'returned_to_sender',
  'REN/AUT': 'returned_to_sender',
  'REN/AV': 'available_for_pickup',
  'REN/AVA': 'returned_to_sender',
  'REN/DJR': 'returned_to_sender',
  'REN/R2': 'returned_to_sender',
  'REN/R20': 'returned_to_sender',
  'REN/R3': 'returned_to_sender',
  'REN/R30': 'returned_to_sender',
  'REN/R32': 'returned_to_sender',
  'REN/R33': 'returned_to_sender',
  'REN/R40': 'returned_to_sender',
  'REN/R41': 'returned_to_sender',
  'REN/R42': 'returned_to_sender',
  'REN/R43': 'returned_to_sender',
  'REN/R44': 'returned_to_sender',
  'REN/R45': 'returned_to_sender',
  'REN/R46': 'returned_to_sender',
  'REN/R47': 'returned_to_sender',
  'REN/R4a': 'returned_to_sender',
  'REN/R4b': 'returned_to_sender',
  'REN/R5': 'returned_to_sender',
  'REN/R6': 'returned_to_sender',
  'REN/R7a': 'returned_to_sender',
  'REN/R7b': 'returned_to_sender',
  'REN/R8': 'returned_to_sender',
  'REN/R9': 'returned_to_sender',

  'RST/1P': 'out_for_delivery',
  'RST/2P': 'out_for_delivery',
  'RST/CA': 'out_for_delivery',
  'RST/CPS': 'out_for_delivery',
  'RST/EAR': 'out_for_delivery',
  'RST/MDR': 'out_for_delivery',
  'RST/REC': 'available_for_pickup',
  'RST/RL': 'out_for_delivery',
  'RST/RMQ': 'out_for_delivery',

  'SOL/LIC': 'delivered',
  'SOL/LID': 'delivered',
  'SOL/LIM': 'delivered',
  'SOL/LIP': 'delivered',
  'SOL/LIR': 'delivered',
  'SOL/LIS': 'delivered',
  'SOL/LIV': 'delivered',

  'SOR/AVA': 'returned_to_sender',
  'SOR/LIV': 'delivered',
  'SOR/R18': 'exception',
  'SOR/R2': 'returned_to_sender',
  'SOR/R20': 'returned_to_sender',
  'SOR/R25': 'exception',
  'SOR/R3': 'exception',
  'SOR/R30': 'returned_to_sender',
  'SOR/R31': 'exception',
  'SOR/R32': 'returned_to_sender',
  'SOR/R33': 'returned_to_sender',
  'SOR/R34': 'returned_to_sender',
  'SOR/R40': 'returned_to_sender',
  'SOR/R41': 'returned_to_sender',
  'SOR/R42': 'returned_to_sender',
  'SOR/R43': 'returned_to_sender',
  'SOR/R44': 'exception',
  'SOR/R45': 'exception',
  'SOR/R46': 'returned_to_sender',
  'SOR/R47': 'exception',
  'SOR/R4a': 'returned_to_sender',
  'SOR/R4b': 'returned_to_sender',
  'SOR/R5': 'returned_to_sender',
  'SOR/R6': 'returned_to_sender',
  'SOR/R7a': 'returned_to_sender',
  'SOR/R7b': 'returned_to_sender',
  'SOR/R8': 'returned_to_sender',
  'SOR/RNC': 'returned_to_sender',
  'SOR/RPP': 'returned_to_sender',

  // Not rows of the module: the official WooCommerce plugin's rules name them (see below).
  'REN/LIV': 'delivered',
  'SOR/RDF': 'returned_to_sender',
} as const satisfies Record<string, EventStatus>

/**
 * A pair missing from the table above takes its `CodeEVT`'s status, as the official WooCommerce plugin
 * (calliweb-repo/Relais-Colis-Woocommerce, 2025) decides an order's state: any other APF is shipped, RST
 * is delivery in progress, SOL is collected, REN is a return, SOR is a failed delivery. Other event codes
 * (AAR, CPF, DEP, MAD) have no such rule: a new justification of theirs stays `unknown`.
 */
export const RELAISCOLIS_STATUS_BY_EVENT_CODE = {
  APF: 'in_transit',
  RST: 'out_for_delivery',
  SOL: 'delivered',
  REN: 'returned_to_sender',
  SOR: 'failed_attempt',
} as const satisfies Record<string, EventStatus>

/** Pairs that end the parcel's life on a return: the module's "Retourné" state, and the plugin's SOR/RDF. */
export const RELAISCOLIS_FINAL_RETURN_CODES: ReadonlySet<string> = new Set(['APF/P5', 'APF/RDF', 'SOR/RDF'])

/** The status of an event pair by the table, else by its `CodeEVT`'s rule; undefined when neither knows it. */
export function findRelaisColisStatus(codeEvt: string, codeJus: string): EventStatus | undefined {
  return (
    findInCodeTable(RELAISCOLIS_STATUS_BY_CODE, relaisColisCode(codeEvt, codeJus)) ??
    findInCodeTable(RELAISCOLIS_STATUS_BY_EVENT_CODE, codeEvt)
  )
}
