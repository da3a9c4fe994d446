import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CSV_SEPARATORS,
  CsvSyntaxError,
  detectSeparator,
  formatCsv,
  formatCsvRecord,
  parseCsv,
} from '../src/csv.js'
import { propertyRuns } from './support/property-runs.js'

const fieldsOf = (text: string) => parseCsv(text).records.map((record) => record.fields)

describe('parseCsv', () => {
  it('reads plain fields, one record per line', () => {
    expect(fieldsOf('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ])
  })

  it('reads quoted fields holding separators, escaped quotes and line breaks', () => {
    const table = parseCsv('n,note\n1,"Dupont, Jean"\n2,"say ""hi"""\n3,"two\r\nlines"\n4,""\n')
    expect(table.records.map((record) => record.fields)).toEqual([
      ['n', 'note'],
      ['1', 'Dupont, Jean'],
      ['2', 'say "hi"'],
      ['3', 'two\r\nlines'],
      ['4', ''],
    ])
  })

  it('numbers records by the line they start on, counting line breaks inside quotes', () => {
    const table = parseCsv('h\n"a\nb"\n\nc\n')
    expect(table.records.map((record) => [record.line, record.fields[0]])).toEqual([
      [1, 'h'],
      [2, 'a\nb'],
      [5, 'c'],
    ])
  })

  it('accepts CRLF, LF and CR line breaks, with or without a final one', () => {
    for (const text of ['a,b\r\n1,2\r\n', 'a,b\n1,2', 'a,b\r1,2\r']) {
      expect(fieldsOf(text)).toEqual([
        ['a', 'b'],
        ['1', '2'],
      ])
    }
    expect(parseCsv('a\r\nb\r\n').lineBreak).toBe('\r\n')
    expect(parseCsv('a\nb\n').lineBreak).toBe('\n')
  })

  it('skips empty lines but keeps a line of empty fields and a lone quoted empty field', () => {
    expect(fieldsOf('a\n\n\n,\n""\n')).toEqual([['a'], ['', ''], ['']])
    expect(fieldsOf('')).toEqual([])
    expect(fieldsOf('\n\n')).toEqual([])
  })

  it('keeps empty fields at the end of a record', () => {
    expect(fieldsOf('a,b,c\n1,,\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '', ''],
    ])
  })

  it('strips a UTF-8 BOM and says it was there', () => {
    const table = parseCsv('\uFEFFtrackingNumber\nX\n')
    expect(table.bom).toBe(true)
    expect(table.records[0]?.fields).toEqual(['trackingNumber'])
    expect(parseCsv('a\n').bom).toBe(false)
  })

  it('keeps a quote inside an unquoted field as it is', () => {
    expect(fieldsOf('a,12" screen\n')).toEqual([['a', '12" screen']])
  })

  it('refuses a quoted field that is never closed, naming the line it opens on', () => {
    const parse = () => parseCsv('a,b\n1,"oops\n2,3\n')
    expect(parse).toThrow(CsvSyntaxError)
    expect(parse).toThrow(/line 2 is never closed/)
  })

  it('refuses text after a closing quote', () => {
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/line 2: unexpected "y" after a closing quote/)
  })
})

describe('detectSeparator', () => {
  it.each([
    ['trackingNumber,carrier,orderId\n', ','],
    ['trackingNumber;carrier;orderId\n', ';'],
    ['trackingNumber\tcarrier\n', '\t'],
    ['trackingNumber\n', ','],
    ['"a;b",c\n', ','],
    ['"a,b";c;d\nx,y,z,w,v\n', ';'],
  ])('%j → %j', (text, separator) => {
    expect(detectSeparator(text)).toBe(separator)
  })

  it('is used when no separator is given', () => {
    const table = parseCsv('trackingNumber;orderId\r\nX;"A;1"\r\n')
    expect(table.separator).toBe(';')
    expect(table.records[1]?.fields).toEqual(['X', 'A;1'])
  })
})

describe('formatCsvRecord', () => {
  it('quotes only the fields that need it', () => {
    expect(formatCsvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', 'x;y', ''], ',')).toBe(
      'plain,"a,b","say ""hi""","two\nlines","x;y",',
    )
  })

  it('writes a record of one empty field as "" so it is not read back as an empty line', () => {
    expect(formatCsvRecord([''], ',')).toBe('""')
  })
})

describe('CSV round trip', () => {
  const field = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.stringMatching(/^[a-z",;\t\r\n\uFEFF ]{0,8}$/),
  )

  it('reads back what it writes, whatever the fields hold, detecting the separator it used', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((width) =>
            fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }),
          ),
        fc.constantFrom(...CSV_SEPARATORS),
        fc.constantFrom('\n' as const, '\r\n' as const),
        fc.boolean(),
        (records, separator, lineBreak, bom) => {
          const text = formatCsv(records, { separator, lineBreak, bom })
          const table = parseCsv(text)
          expect(table.records.map((record) => record.fields)).toEqual(records)
          expect(table.bom).toBe(bom)
          expect(table.lineBreak).toBe(lineBreak)
          if ((records[0]?.length ?? 0) > 1) expect(table.separator).toBe(separator)
        },
      ),
      { numRuns: propertyRuns(500) },
    )
  })
})
