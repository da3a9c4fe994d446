import { CsvSyntaxError, formatCsv, parseCsv } from '../csv.js'
import type { DayKind } from '../domain/business-calendar.js'
import { type HistoryParcel, readHistoryRow } from '../domain/forecast/backtest.js'
import {
  type DeliveryHistoryRow,
  HISTORY_COLUMNS,
  REQUIRED_HISTORY_COLUMNS,
} from '../domain/forecast/delivery-history.js'
import { UsageError } from './usage-error.js'

/** The parcels of a history file; a missing column or an unreadable row is a usage error naming its line. */
export function readHistoryCsv(text: string, defaultDayKind: DayKind): HistoryParcel[] {
  let records: ReturnType<typeof parseCsv>['records']
  try {
    records = parseCsv(text).records
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new UsageError(error.message)
    throw error
  }
  const [header, ...rows] = records
  if (!header) throw new UsageError('the history file is empty')
  const names = header.fields.map((name) => name.trim())
  const missing = REQUIRED_HISTORY_COLUMNS.filter((column) => !names.includes(column))
  if (missing.length > 0)
    throw new UsageError(
      `the history file lacks the column(s) ${missing.join(', ')} (line 1 names the columns)`,
    )
  const indexes = HISTORY_COLUMNS.map((column) => [column, names.indexOf(column)] as const)
  return rows.map((record) => {
    const row = Object.fromEntries(
      indexes
        .filter(([, index]) => index >= 0)
        .map(([column, index]) => [column, record.fields[index] ?? '']),
    ) as unknown as DeliveryHistoryRow
    const parcel = readHistoryRow(row, defaultDayKind)
    if (typeof parcel === 'string') throw new UsageError(`line ${record.line}: ${parcel}`)
    return parcel
  })
}

/** A history file `colis forecast-eval` reads: a header line, then one delivered parcel a line. */
export function formatHistoryCsv(rows: readonly DeliveryHistoryRow[]): string {
  return formatCsv(
    [HISTORY_COLUMNS, ...rows.map((row) => HISTORY_COLUMNS.map((column) => row[column] ?? ''))],
    { separator: ',', bom: false, lineBreak: '\n' },
  )
}
