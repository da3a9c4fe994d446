/** RFC 4180 CSV, as spreadsheets write it: quoted fields, `""` escapes, CRLF or LF, an optional BOM. */

export const CSV_SEPARATORS = [',', ';', '\t'] as const
export type CsvSeparator = (typeof CSV_SEPARATORS)[number]

export interface CsvRecord {
  /** 1-based line of the file where the record starts (a quoted field may span several lines). */
  line: number
  fields: string[]
}

export interface CsvTable {
  records: CsvRecord[]
  separator: CsvSeparator
  /** How the file was written, so that files written back (rejected lines) open the same way. */
  bom: boolean
  lineBreak: '\n' | '\r\n'
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError'
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message)
  }
}

const BOM = '\uFEFF'

/** The candidate separator seen most often, outside quotes, on the first record; `,` when none is. */
export function detectSeparator(text: string): CsvSeparator {
  const counts = new Map<string, number>()
  let quoted = false
  for (const char of text) {
    if (char === '"') quoted = !quoted
    else if (!quoted && (char === '\n' || char === '\r')) break
    else if (!quoted) counts.set(char, (counts.get(char) ?? 0) + 1)
  }
  let best: CsvSeparator = ','
  for (const separator of CSV_SEPARATORS) {
    if ((counts.get(separator) ?? 0) > (counts.get(best) ?? 0)) best = separator
  }
  return best
}

/**
 * Parses the whole text. Empty lines are skipped; a quote inside an unquoted field is kept as is
 * (`12" screen`), but text after a closing quote or an unclosed quote is an error, since either
 * would silently shift or swallow the fields that follow.
 */
export function parseCsv(input: string, options: { separator?: CsvSeparator } = {}): CsvTable {
  const bom = input.startsWith(BOM)
  const text = bom ? input.slice(1) : input
  const separator = options.separator ?? detectSeparator(text)
  const records: CsvRecord[] = []
  let line = 1
  let index = 0
  let fields: string[] = []
  let recordLine = 1
  let recordQuoted = false
  let lineBreak: CsvTable['lineBreak'] | undefined

  const endRecord = () => {
    // A line with nothing on it is not a record; `""` alone is one (a single empty field).
    if (fields.length > 1 || fields[0] !== '' || recordQuoted) records.push({ line: recordLine, fields })
    fields = []
    recordQuoted = false
  }

  while (index <= text.length) {
    if (fields.length === 0) recordLine = line
    let field = ''
    if (text[index] === '"') {
      recordQuoted = true
      const openedOn = line
      index++
      for (;;) {
        const quote = text.indexOf('"', index)
        if (quote === -1)
          throw new CsvSyntaxError(`quoted field opened on line ${openedOn} is never closed`, openedOn)
        const chunk = text.slice(index, quote)
        line += countLineBreaks(chunk)
        field += chunk
        if (text[quote + 1] === '"') {
          field += '"'
          index = quote + 2
          continue
        }
        index = quote + 1
        break
      }
      const next = text[index]
      if (next !== undefined && next !== separator && next !== '\r' && next !== '\n') {
        throw new CsvSyntaxError(
          `line ${line}: unexpected ${JSON.stringify(next)} after a closing quote (write a quote inside a quoted field as "")`,
          line,
        )
      }
    } else {
      let end = index
      while (end < text.length && !isFieldEnd(text.charCodeAt(end), separator)) end++
      field = text.slice(index, end)
      index = end
    }
    fields.push(field)
    const stop = text[index]
    if (stop === separator) {
      index++
      continue
    }
    endRecord()
    if (stop === undefined) break
    const crlf = stop === '\r' && text[index + 1] === '\n'
    lineBreak ??= crlf ? '\r\n' : '\n'
    index += crlf ? 2 : 1
    line++
    if (index === text.length) break
  }
  return { records, separator, bom, lineBreak: lineBreak ?? '\n' }
}

function isFieldEnd(code: number, separator: CsvSeparator): boolean {
  return code === 10 || code === 13 || code === separator.charCodeAt(0)
}

function countLineBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length
}

/** Quotes every field that holds a quote, a line break or any candidate separator, so it reads back whole. */
export function formatCsvRecord(fields: readonly string[], separator: CsvSeparator): string {
  if (fields.length === 1 && fields[0] === '') return '""'
  return fields
    .map((field) => (/[",;\t\r\n]|^\uFEFF/.test(field) ? `"${field.replace(/"/g, '""')}"` : field))
    .join(separator)
}

export function formatCsv(
  records: ReadonlyArray<readonly string[]>,
  style: Pick<CsvTable, 'separator' | 'bom' | 'lineBreak'>,
): string {
  const body = records.map((fields) => formatCsvRecord(fields, style.separator) + style.lineBreak).join('')
  return style.bom ? BOM + body : body
}
