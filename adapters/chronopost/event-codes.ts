import type { EventStatus } from '../../src/domain/tracking-status.js'
import { findInCodeTable } from '../code-table.js'

/**
 * Chronopost event code → status: every row of Chronopost's own `ref_evenement` table (118 codes,
 * test/fixtures/chronopost/ref_evenement.psv) plus the delivery variants its `parametre` rows list
 * (D1–D5, N1, N2, P1, P2) and `TP`, seen in real answers only; docs/carriers/chronopost.md gives the
 * table with its labels and sources.
 * Where test/fixtures/chronopost/event-codes-normalized.csv suggests a status, it is used as is. For the
 * codes it calls informational ("keep previous"), the rule is: a physical scan of the parcel inside the
 * network (bag, container, repackaging, manual sort…) is `in_transit`; a fact about paperwork, billing,
 * customer service or messages says nothing about where the parcel is, so it is `unknown` on purpose —
 * the one status that never moves the tracking's status (timeline.ts).
 * Codes are matched exactly, after trimming: `DC` is never read as `D`.
 */
export const CHRONOPOST_STATUS_BY_CODE = {
  DC: 'info_received',
  XX: 'info_received',
  NN: 'info_received',
  // Informational in the CSV; "Parcel to collect" comes before pick-up: announced, not yet handed over.
  CC: 'info_received',
  // Informational in the CSV. "Colis faisant partie d'une expédition groupée" is written with the label,
  // before the parcel is handed over: one parcel of a shipment announced as a whole (resumes only).
  EA: 'info_received',

  PC: 'in_transit',
  PE: 'in_transit',
  DB: 'in_transit',
  DV: 'in_transit',
  DY: 'in_transit',
  SC: 'in_transit',
  EC: 'in_transit',
  TS: 'in_transit',
  TI: 'in_transit',
  TO: 'in_transit',
  T: 'in_transit',
  O: 'in_transit',
  EE: 'in_transit',
  SE: 'in_transit',
  EI: 'in_transit',
  G: 'in_transit',
  L: 'in_transit',
  E: 'in_transit',
  SI: 'in_transit',
  ST: 'in_transit',
  SJ: 'in_transit',
  SD: 'in_transit',
  ED: 'in_transit',
  A1: 'in_transit',
  I1: 'in_transit',
  AT: 'in_transit',
  A2: 'in_transit',
  I2: 'in_transit',
  IS: 'in_transit',
  ZS: 'in_transit',
  DI: 'in_transit',
  IA: 'in_transit',
  RA: 'in_transit',
  RT: 'in_transit',
  ZA: 'in_transit',
  ZC: 'in_transit',
  ZI: 'in_transit',
  ZT: 'in_transit',
  RD: 'in_transit',
  HD: 'in_transit',
  DS: 'in_transit',
  W: 'in_transit',
  // "En cours de livraison au point de retrait": the courier's drop-off at the pickup point, scanned
  // just before or just after the point's own arrival scan (AB): resumes only, so it never takes a
  // parcel already there back to in transit.
  RB: 'in_transit',
  // Not in the reference table; seen in real answers as "Colis en cours d'acheminement", written by the
  // partner network abroad (office "CHRONOPOST NETWORKS").
  TP: 'in_transit',
  // Informational in the CSV. "Instruction de livraison reçue": the recipient chose a new delivery (it may
  // carry the day, "Date de relivraison"); after a failed attempt, delivery resumes (resumes only).
  CL: 'in_transit',
  // Physical scans the CSV lists as informational: bag arrival, container, container transfer,
  // repackaged, misrouting fixed, out of the agency's after-sales desk, manual handling, held at agency.
  AS: 'in_transit',
  BA: 'in_transit',
  TR: 'in_transit',
  RO: 'in_transit',
  SR: 'in_transit',
  Z: 'in_transit',
  IX: 'in_transit',
  I9: 'in_transit',
  I: 'in_transit',
  // Not in the CSV. "Envoi livré au transitaire": handed to a freight forwarder, not to the consignee.
  TT: 'in_transit',

  TA: 'out_for_delivery',
  X: 'out_for_delivery',
  LR: 'out_for_delivery',

  D: 'delivered',
  Y: 'delivered',
  D1: 'delivered',
  D2: 'delivered',
  D3: 'delivered',
  D4: 'delivered',
  D5: 'delivered',
  B: 'delivered',
  RG: 'delivered',
  RI: 'delivered',
  U: 'delivered',

  MD: 'available_for_pickup',
  IP: 'available_for_pickup',
  AB: 'available_for_pickup',
  ZD: 'available_for_pickup',

  P: 'failed_attempt',
  CO: 'failed_attempt',
  NA: 'failed_attempt',
  PA: 'failed_attempt',
  RC: 'failed_attempt',
  N: 'failed_attempt',
  N1: 'failed_attempt',
  N2: 'failed_attempt',
  P1: 'failed_attempt',
  P2: 'failed_attempt',
  IN: 'failed_attempt',
  UN: 'failed_attempt',
  IV: 'failed_attempt',

  R: 'returned_to_sender',
  Q: 'returned_to_sender',

  PR: 'exception',
  KC: 'exception',
  PT: 'exception',
  DR: 'exception',
  VO: 'exception',
  BL: 'exception',
  EJ: 'exception',
  AP: 'exception',
  SK: 'exception',
  DP: 'exception',
  RF: 'exception',
  S: 'exception',
  AN: 'exception',
  NC: 'exception',
  // Not in the CSV. "Envoi entré au CRESA" (priority 200, like a delivery): the centre for parcels that
  // cannot be delivered nor returned as addressed.
  ER: 'exception',
  // Informational in the CSV, but "Fin d'instance" ends a pickup-point hold without collection: the parcel
  // is no longer available, and a return usually follows.
  FI: 'exception',

  // Informational: messages, calls, images, EDI, billing, checks, customer-service bookkeeping, delivery
  // instructions taken into account (the scan that follows says what happened), handover to an agent.
  SM: 'unknown',
  IC: 'unknown',
  TE: 'unknown',
  IM: 'unknown',
  H: 'unknown',
  AC: 'unknown',
  K: 'unknown',
  CT: 'unknown',
  CV: 'unknown',
  CP: 'unknown',
  V: 'unknown',
  AV: 'unknown',
  M: 'unknown',
  SV: 'unknown',
  SO: 'unknown',
  PH: 'unknown',
  SF: 'unknown',
  GC: 'unknown',
  A: 'unknown',
} as const satisfies Record<string, EventStatus>

export type ChronopostEventCode = keyof typeof CHRONOPOST_STATUS_BY_CODE

/**
 * Scans that move the tracking's status only out of nothing yet, a failed attempt or an exception
 * (`resumesOnly` events): a drop-off at the pickup point after its own arrival scan, a delivery
 * instruction while the parcel is on its way, a grouped-shipment notice after the parcel was scanned
 * leave the status as it is.
 */
export const CHRONOPOST_RESUMES_ONLY_CODES: ReadonlySet<string> = new Set<ChronopostEventCode>([
  'RB',
  'CL',
  'EA',
])

/** The status of a known code; undefined for a code missing from the table (`constructor` included). */
export function findChronopostStatus(code: string): EventStatus | undefined {
  return findInCodeTable(CHRONOPOST_STATUS_BY_CODE, code)
}

/** How a code dates the delivery it announces, counted from the event's own day in Europe/Paris. */
export type DeliveryEstimateRule = 'next_monday' | 'next_day'

/**
 * "Livraison prévue lundi prochain" (IS, ZS) and "Livraison reportée de 24h" (DI, IA, RA, RT, ZA, ZC, ZI,
 * ZT) are the only delivery dates Chronopost gives: the XSD has no estimate field.
 */
export const DELIVERY_ESTIMATE_BY_CODE = {
  IS: 'next_monday',
  ZS: 'next_monday',
  DI: 'next_day',
  IA: 'next_day',
  RA: 'next_day',
  RT: 'next_day',
  ZA: 'next_day',
  ZC: 'next_day',
  ZI: 'next_day',
  ZT: 'next_day',
} as const satisfies Partial<Record<ChronopostEventCode, DeliveryEstimateRule>>

export function findDeliveryEstimateRule(code: string): DeliveryEstimateRule | undefined {
  return Object.hasOwn(DELIVERY_ESTIMATE_BY_CODE, code)
    ? DELIVERY_ESTIMATE_BY_CODE[code as keyof typeof DELIVERY_ESTIMATE_BY_CODE]
    : undefined
}
