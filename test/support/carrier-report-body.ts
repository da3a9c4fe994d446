/** One row of GET /v1/analytics/carriers as the client reads it: figures without data are left out. */
export interface CarrierReportRow {
  group: string
  parcels: number
  delivered: number
  returned: number
  expired: number
  onTime: { rate?: number; sample: number }
  transitDays: { p50?: number; p80?: number; p95?: number }
  transitHours: { p50?: number }
  firstAttempt: { rate?: number; sample: number }
  pickup: { share?: number; collectionHoursP50?: number }
  returnRate?: number
  exceptionRate?: number
  reportingLagHours: { p50?: number; p95?: number }
}

/** The body of GET /v1/analytics/carriers. */
export interface CarrierReportBody {
  from: string
  to: string
  groupBy: string
  rows: CarrierReportRow[]
  totals: CarrierReportRow
}
