import { type CsvTable, formatCsv } from '../csv.js'
import { REJECT_COLUMNS } from './import-rows.js'
import type { ImportSummary, Rejection } from './import-trackings.js'

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`
}

/** The summary printed at the end of `colis import`; lists at most `listLimit` rejected lines. */
export function formatImportSummary(
  summary: ImportSummary,
  options: { file: string; listLimit: number; rejectsFile?: string },
): string {
  const existing =
    summary.repeated > 0
      ? `${summary.existing} already registered (${plural(summary.repeated, 'repeats an earlier line', 'repeat an earlier line')})`
      : `${summary.existing} already registered`
  const lines = [
    `${options.file}: ${plural(summary.lines, 'parcel line', 'parcel lines')}: ${summary.created} created, ${existing}, ${summary.rejected.length} rejected`,
  ]
  if (summary.rejected.length === 0) return lines.join('\n')
  const byProblem = new Map<string, number>()
  for (const rejection of summary.rejected) {
    byProblem.set(rejection.problem, (byProblem.get(rejection.problem) ?? 0) + 1)
  }
  lines.push(`rejected: ${[...byProblem].map(([problem, count]) => `${problem} ${count}`).join(', ')}`)
  for (const rejection of summary.rejected.slice(0, options.listLimit)) {
    const value =
      rejection.trackingNumber === '' ? '(no tracking number)' : JSON.stringify(rejection.trackingNumber)
    lines.push(`  line ${rejection.line}: ${value}: ${rejection.problem}: ${rejection.reason}`)
  }
  const unlisted = summary.rejected.length - options.listLimit
  if (unlisted > 0 && !options.rejectsFile) {
    lines.push(`  … and ${unlisted} more: --rejects <file> writes every rejected line as CSV`)
  } else if (unlisted > 0) lines.push(`  … and ${unlisted} more`)
  if (options.rejectsFile) lines.push(`every rejected line is in ${options.rejectsFile}`)
  return lines.join('\n')
}

/**
 * The rejected records as they were read, behind `line`, `problem` and `reason` columns, in the
 * input's own separator, BOM and line breaks: fix them and import the file again as it is.
 */
export function formatRejectsCsv(
  header: readonly string[],
  rejected: readonly Rejection[],
  style: Pick<CsvTable, 'separator' | 'bom' | 'lineBreak'>,
): string {
  const reject = new Set<string>(REJECT_COLUMNS)
  const kept = (fields: readonly string[]) =>
    fields.filter((_, index) => !reject.has((header[index] ?? '').trim().toLowerCase()))
  return formatCsv(
    [
      [...REJECT_COLUMNS, ...kept(header)],
      ...rejected.map((rejection) => [
        String(rejection.line),
        rejection.problem,
        rejection.reason,
        ...kept(rejection.fields),
      ]),
    ],
    style,
  )
}
