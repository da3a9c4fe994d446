import type { DayKind } from '../business-calendar.js'

/** One delivered parcel of a history file, as an operator exports it: times ISO 8601 with offsets. */
export interface DeliveryHistoryRow {
  carrier: string
  service: string
  /** Where it was shipped from: kept for the operator's reading, not used by the forecast. */
  origin: string
  /** A French postal code (`75011`) or an ISO country code (`BE`). */
  destination: string
  handedOverAt: string
  deliveredAt: string
  /** The date promised to the shopper, `YYYY-MM-DD`, when there was one. */
  promisedDate?: string
  /** The date the carrier announced at handover, `YYYY-MM-DD`, when it gave one. */
  carrierEstimate?: string
  /** The days the carrier delivers on; the reader's default when absent. */
  dayKind?: DayKind
}

export const REQUIRED_HISTORY_COLUMNS = [
  'carrier',
  'service',
  'origin',
  'destination',
  'handedOverAt',
  'deliveredAt',
] as const satisfies readonly (keyof DeliveryHistoryRow)[]

export const OPTIONAL_HISTORY_COLUMNS = [
  'promisedDate',
  'carrierEstimate',
  'dayKind',
] as const satisfies readonly (keyof DeliveryHistoryRow)[]

export const HISTORY_COLUMNS = [...REQUIRED_HISTORY_COLUMNS, ...OPTIONAL_HISTORY_COLUMNS] as const
