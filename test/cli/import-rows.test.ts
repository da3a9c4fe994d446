import { describe, expect, it } from 'vitest'
import { columnOfPointer, readImportRows } from '../../src/cli/import-rows.js'
import { UsageError } from '../../src/cli/usage-error.js'
import { parseCsv } from '../../src/csv.js'

const read = (text: string) => readImportRows(parseCsv(text))

describe('readImportRows', () => {
  it('maps columns to the fields of a registration, whatever their case or spacing', () => {
    const { rows } = read(
      'Tracking Number,carrier,order_id,promisedDeliveryDate,Destination Country,destinationPostalCode,metadata.Customer Name\n' +
        ' SBXDELIVERED001 ,sandbox,A-1,2026-03-12,FR,75011,Jean\n',
    )
    expect(rows).toEqual([
      {
        line: 2,
        fields: [' SBXDELIVERED001 ', 'sandbox', 'A-1', '2026-03-12', 'FR', '75011', 'Jean'],
        trackingNumber: 'SBXDELIVERED001',
        item: {
          trackingNumber: 'SBXDELIVERED001',
          carrier: 'sandbox',
          orderId: 'A-1',
          promisedDeliveryDate: '2026-03-12',
          destinationCountry: 'FR',
          destinationPostalCode: '75011',
          metadata: { 'Customer Name': 'Jean' },
        },
      },
    ])
  })

  it('gathers shippedAt, businessDays and dayKind into a promise, businessDays as a number', () => {
    const { rows } = read('trackingNumber,shippedAt,businessDays,dayKind\nX,2026-03-09,2,ouvres\nY,,two,\n')
    expect(rows[0]?.item).toEqual({
      trackingNumber: 'X',
      promise: { shippedAt: '2026-03-09', businessDays: 2, dayKind: 'ouvres' },
    })
    // Left as text, so the registration check names the column and what is wrong with it.
    expect(rows[1]?.item).toEqual({ trackingNumber: 'Y', promise: { businessDays: 'two' } })
  })

  it('leaves empty cells out, skips lines with nothing in them, and flags an empty number', () => {
    const { rows } = read('trackingNumber,orderId\nX,\n,\n,A-2\n')
    expect(rows.map((row) => [row.line, row.item, row.shapeProblem])).toEqual([
      [2, { trackingNumber: 'X' }, undefined],
      [4, { orderId: 'A-2' }, 'trackingNumber: empty'],
    ])
  })

  it('flags a line with more fields than the header', () => {
    const { rows } = read('trackingNumber,orderId\nX,1,extra\n')
    expect(rows[0]?.shapeProblem).toBe('3 fields where the header has 2')
  })

  it('ignores the columns a rejects file adds, and unnamed columns', () => {
    const { rows } = read('line,problem,reason,trackingNumber,\n5,invalid_tracking_number,bad,X,\n')
    expect(rows[0]?.item).toEqual({ trackingNumber: 'X' })
  })

  it.each([
    ['trackingNumber,oderId\n', /unknown column "oderId"/],
    ['carrier\n', /no trackingNumber column/],
    ['trackingNumber,tracking_number\n', /appears twice/],
    ['', /empty/],
  ])('refuses the header of %j', (text, message) => {
    expect(() => read(text)).toThrow(UsageError)
    expect(() => read(text)).toThrow(message)
  })
})

describe('columnOfPointer', () => {
  it.each([
    ['/trackingNumber', 'trackingNumber'],
    ['/promise/shippedAt', 'shippedAt'],
    ['/promise', 'promise'],
    ['/metadata/customer', 'metadata.customer'],
  ])('%s → %s', (pointer, column) => {
    expect(columnOfPointer(pointer)).toBe(column)
  })
})
