import type { CsvRecord, CsvTable } from '../csv.js'
import { UsageError } from './usage-error.js'

/** Where a CSV column goes in the registration body `POST /v1/trackings` accepts. */
type Target =
  | {
      kind: 'field'
      name: (typeof FIELD_COLUMNS)[number]
    }
  | { kind: 'promise'; name: 'shippedAt' | 'businessDays' | 'dayKind' }
  | { kind: 'metadata'; name: string }
  | { kind: 'ignored' }

const FIELD_COLUMNS = [
  'trackingNumber',
  'carrier',
  'orderId',
  'promisedDeliveryDate',
  'destinationCountry',
  'destinationPostalCode',
  'notifyEmail',
] as const
const PROMISE_COLUMNS = ['shippedAt', 'businessDays', 'dayKind'] as const
/** Columns a rejects file adds in front: a fixed rejects file can be imported again as it is. */
export const REJECT_COLUMNS = ['line', 'problem', 'reason'] as const

export const ACCEPTED_COLUMNS = [...FIELD_COLUMNS, ...PROMISE_COLUMNS, 'metadata.<name>']

/** `Tracking Number`, `tracking_number` and `trackingNumber` name the same column. */
function columnKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '')
}

const TARGET_BY_KEY = new Map<string, Target>([
  ...FIELD_COLUMNS.map((name): [string, Target] => [columnKey(name), { kind: 'field', name }]),
  ...PROMISE_COLUMNS.map((name): [string, Target] => [columnKey(name), { kind: 'promise', name }]),
  ...REJECT_COLUMNS.map((name): [string, Target] => [name, { kind: 'ignored' }]),
])

function targetOf(header: string): Target | undefined {
  // Spreadsheets often leave an unnamed column after the last one.
  if (header === '') return { kind: 'ignored' }
  const metadata = header.match(/^\s*metadata\.(.+)$/i)?.[1]?.trim()
  if (metadata) return { kind: 'metadata', name: metadata }
  return TARGET_BY_KEY.get(columnKey(header))
}

export interface ImportRow {
  line: number
  /** The record as read, written back to the rejects file. */
  fields: string[]
  /** The tracking number cell as written, to name the line in the summary. */
  trackingNumber: string
  /** The registration body, checked later exactly as the API checks one. */
  item: Record<string, unknown>
  /** A problem of the CSV line itself, found before the registration checks. */
  shapeProblem?: string
}

export interface ImportFile {
  header: string[]
  rows: ImportRow[]
}

/** Reads the header, then each record into a registration body. Header mistakes are usage errors. */
export function readImportRows(table: CsvTable): ImportFile {
  const [first, ...records] = table.records
  if (!first) throw new UsageError('the file is empty: a header row naming the columns is needed')
  const header = first.fields.map((name) => name.trim())
  const targets = header.map((name) => {
    const target = targetOf(name)
    if (!target) {
      throw new UsageError(
        `unknown column "${name}" (line ${first.line}); columns are ${ACCEPTED_COLUMNS.join(', ')}`,
      )
    }
    return target
  })
  const seen = new Set<string>()
  for (const [index, target] of targets.entries()) {
    if (target.kind === 'ignored') continue
    const key = `${target.kind}:${target.kind === 'metadata' ? target.name : columnKey(target.name)}`
    if (seen.has(key)) throw new UsageError(`column "${header[index]}" appears twice in the header`)
    seen.add(key)
  }
  if (!seen.has('field:trackingnumber')) {
    throw new UsageError(`no trackingNumber column in the header (${header.join(', ')})`)
  }
  const trackingColumn = targets.findIndex(
    (target) => target.kind === 'field' && target.name === 'trackingNumber',
  )
  const rows = records
    .filter((record) => record.fields.some((field) => field.trim() !== ''))
    .map((record) => toRow(record, targets, trackingColumn, header.length))
  return { header, rows }
}

function toRow(record: CsvRecord, targets: Target[], trackingColumn: number, width: number): ImportRow {
  const item: Record<string, unknown> = {}
  const promise: Record<string, unknown> = {}
  const metadata: Record<string, string> = {}
  for (const [index, target] of targets.entries()) {
    const value = record.fields[index]?.trim() ?? ''
    if (value === '' || target.kind === 'ignored') continue
    if (target.kind === 'field') item[target.name] = value
    else if (target.kind === 'metadata') metadata[target.name] = value
    else promise[target.name] = target.name === 'businessDays' && /^\d+$/.test(value) ? Number(value) : value
  }
  if (Object.keys(promise).length > 0) item.promise = promise
  if (Object.keys(metadata).length > 0) item.metadata = metadata
  const trackingNumber = record.fields[trackingColumn]?.trim() ?? ''
  const shapeProblem =
    record.fields.length > width
      ? `${record.fields.length} fields where the header has ${width}`
      : trackingNumber === ''
        ? 'trackingNumber: empty'
        : undefined
  return {
    line: record.line,
    fields: record.fields,
    trackingNumber,
    item,
    ...(shapeProblem ? { shapeProblem } : {}),
  }
}

/** A field error's JSON pointer (`/promise/shippedAt`) as the CSV column that holds it (`shippedAt`). */
export function columnOfPointer(pointer: string): string {
  if (pointer.startsWith('/promise/')) return pointer.slice('/promise/'.length)
  if (pointer.startsWith('/metadata/')) return `metadata.${pointer.slice('/metadata/'.length)}`
  return pointer.replace(/^\//, '').replace(/\//g, '.') || 'line'
}
