import { ApiError, type ProblemCode } from '../api/problem.js'
import type { PreparedRegistration } from '../api/tracking-registration.js'
import type { TrackingRecord } from '../domain/tracking.js'
import type { TrackingStore } from '../store/tracking-store.js'
import { columnOfPointer, type ImportRow } from './import-rows.js'

export interface Rejection {
  line: number
  trackingNumber: string
  fields: string[]
  /** The problem code the API answers the same item with. */
  problem: ProblemCode
  reason: string
}

export interface ImportSummary {
  lines: number
  created: number
  /** Already registered for this merchant, before this import or by an earlier line of it. */
  existing: number
  /** Of `existing`: the same parcel as an earlier line of this file. */
  repeated: number
  rejected: Rejection[]
}

export interface ImportDeps {
  /** Checks one registration body as `POST /v1/trackings` does; throws the same `ApiError`. */
  prepare(item: unknown, at: Date): PreparedRegistration
  registerMany: TrackingStore['registerMany']
  /** Subscribes the row's `notifyEmail` to its tracking, as registration does; throws the same `ApiError`. */
  subscribe(record: TrackingRecord, address: string, at: Date): Promise<void>
  now(): Date
  chunkSize: number
  onProgress?(done: number, total: number): void
}

function reasonOf(error: ApiError): string {
  const { errors, candidates } = error.extensions
  if (errors && errors.length > 0) {
    return errors.map((field) => `${columnOfPointer(field.pointer)}: ${field.detail}`).join('; ')
  }
  if (Array.isArray(candidates)) {
    const names = candidates.map((candidate: { carrier?: unknown }) => String(candidate.carrier))
    return `${error.message} (${names.join(', ')})`
  }
  return error.message
}

function rejectionOf(row: ImportRow, problem: ProblemCode, reason: string): Rejection {
  return { line: row.line, trackingNumber: row.trackingNumber, fields: row.fields, problem, reason }
}

/** Registers the rows chunk by chunk, each chunk in one store round trip; a rejected row stops nothing. */
export async function importTrackings(rows: readonly ImportRow[], deps: ImportDeps): Promise<ImportSummary> {
  const summary: ImportSummary = { lines: rows.length, created: 0, existing: 0, repeated: 0, rejected: [] }
  const seen = new Set<string>()
  for (let start = 0; start < rows.length; start += deps.chunkSize) {
    const at = deps.now()
    const accepted: Array<PreparedRegistration & { row: ImportRow }> = []
    for (const row of rows.slice(start, start + deps.chunkSize)) {
      if (row.shapeProblem) {
        summary.rejected.push(rejectionOf(row, 'validation_failed', row.shapeProblem))
        continue
      }
      try {
        accepted.push({ ...deps.prepare(row.item, at), row })
      } catch (error) {
        if (!(error instanceof ApiError)) throw error
        summary.rejected.push(rejectionOf(row, error.code, reasonOf(error)))
      }
    }
    const registered = await deps.registerMany(
      accepted.map(({ registration, nextAlertCheckAtMs }) => ({ input: registration, nextAlertCheckAtMs })),
      at,
    )
    for (const [index, { record, created }] of registered.entries()) {
      const { row, notifyEmail } = accepted[index] as (typeof accepted)[number]
      if (notifyEmail !== undefined) {
        try {
          await deps.subscribe(record, notifyEmail, at)
        } catch (error) {
          if (!(error instanceof ApiError)) throw error
          summary.rejected.push(rejectionOf(row, error.code, reasonOf(error)))
        }
      }
      const key = `${record.carrier}\n${record.trackingNumber}`
      if (created) summary.created++
      else {
        summary.existing++
        if (seen.has(key)) summary.repeated++
      }
      seen.add(key)
    }
    deps.onProgress?.(Math.min(start + deps.chunkSize, rows.length), rows.length)
  }
  return summary
}
