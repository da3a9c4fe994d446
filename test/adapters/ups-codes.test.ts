import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCarrierRuntime } from '../../adapters/registry.js'
import {
  ACCESS_POINT_AND_RETURN_ACTIVITIES,
  UPS_RETURN_COMPLETED_CODES,
  UPS_STATUS_BY_ACTIVITY,
  UPS_STATUS_BY_ACTIVITY_TYPE,
  UPS_STATUS_BY_STATUS_CODE,
} from '../../adapters/ups/event-codes.js'
import { decideUpsCode, readOccurredAt, UPS_STATUS_BY_CODE } from '../../adapters/ups/map-events.js'
import { checkUpsNumber, claimUpsNumber, explainUpsNumberProblem } from '../../adapters/ups/number.js'
import { loadConfig } from '../../src/config.js'
import { createSilentLogger } from '../../src/logger.js'
import { propertyRuns } from '../support/property-runs.js'
import { createTestUpsAdapter, upsFixture } from './ups-mock.js'

/** UPS's tracking appendix as data: (table, code, description) rows. */
const APPENDIX = upsFixture('tracking-codes.csv')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => {
    const [, table = '', code = ''] = /^([^,]+),([^,]+),/.exec(line) ?? []
    return { table, code }
  })
const codesOf = (table: string) => APPENDIX.filter((row) => row.table === table).map((row) => row.code)

describe('ups: code tables against UPS tracking appendix', () => {
  it('maps all 160 status codes, as 3 digits, and nothing else', () => {
    const documented = codesOf('Status/Description Codes').map((code) => code.padStart(3, '0'))
    expect(new Set(documented).size).toBe(160)
    expect(Object.keys(UPS_STATUS_BY_STATUS_CODE).sort()).toEqual([...documented].sort())
  })

  it('maps every activity type, and every manifest code, movement scan and update under its type', () => {
    expect(Object.keys(UPS_STATUS_BY_ACTIVITY_TYPE).sort()).toEqual(codesOf('Package Activity Types').sort())
    const keys = Object.keys(UPS_STATUS_BY_ACTIVITY)
    const under = (type: string) =>
      keys
        .filter((key) => key.startsWith(`${type}/`))
        .map((key) => key.slice(2))
        .sort()
    expect(under('M')).toEqual(codesOf('Manifest Codes').sort())
    expect(under('I')).toEqual(codesOf('Movement Scans').sort())
    expect(under('U')).toEqual(codesOf('Updates').sort())
    expect(keys.every((key) => /^[MIU]\//.test(key))).toBe(true)
  })

  it('reads before the statusCode only documented delivery (D) and package exception (X) codes', () => {
    for (const key of Object.keys(ACCESS_POINT_AND_RETURN_ACTIVITIES)) {
      const [type, code = ''] = key.split('/')
      const table = type === 'D' ? 'Delivery Codes' : type === 'X' ? 'Package Exceptions' : undefined
      expect(table, key).toBeDefined()
      expect(codesOf(table ?? ''), key).toContain(code)
    }
  })

  it('sends parcels at an Access Point to available_for_pickup and their collection to delivered', () => {
    for (const code of ['017', '040', '144', '161'])
      expect(UPS_STATUS_BY_STATUS_CODE[code as '017'], code).toBe('available_for_pickup')
    expect(ACCESS_POINT_AND_RETURN_ACTIVITIES['D/2Q']).toBe('available_for_pickup')
    expect(ACCESS_POINT_AND_RETURN_ACTIVITIES['D/2W']).toBe('delivered')
    // A shipper's drop-off at an Access Point is no parcel to collect.
    expect(UPS_STATUS_BY_STATUS_CODE['169']).toBe('in_transit')
  })

  it('ends a return only with codes that put the parcel back with its sender', () => {
    for (const code of UPS_RETURN_COMPLETED_CODES)
      expect(UPS_STATUS_BY_CODE[code], code).toBe('returned_to_sender')
  })

  it('has keys that never collide between tables', () => {
    const sizes = [
      UPS_STATUS_BY_STATUS_CODE,
      ACCESS_POINT_AND_RETURN_ACTIVITIES,
      UPS_STATUS_BY_ACTIVITY,
      UPS_STATUS_BY_ACTIVITY_TYPE,
    ].reduce((total, table) => total + Object.keys(table).length, 0)
    expect(Object.keys(UPS_STATUS_BY_CODE)).toHaveLength(sizes)
  })
})

/** `| \`KEY\` | … | \`status\` |` rows of one `### heading` section of a page. */
function tableOfSection(markdown: string, heading: string): Record<string, string> {
  const start = markdown.indexOf(`\n### ${heading}\n`)
  expect(start, heading).toBeGreaterThan(0)
  const end = markdown.indexOf('\n#', start + heading.length + 6)
  const section = markdown.slice(start, end === -1 ? undefined : end)
  const rows = section.matchAll(/^\| `([^`]+)` \|(?:.*\|)? `([a-z_]+)` \|$/gm)
  return Object.fromEntries([...rows].map(([, code, status]) => [code, status]))
}

describe('ups: docs/carriers/ups.md', () => {
  const page = readFileSync(new URL('../../docs/carriers/ups.md', import.meta.url), 'utf8')

  it('shows each code table as the adapter maps it', () => {
    expect(tableOfSection(page, 'Access Point and return activities')).toEqual(
      ACCESS_POINT_AND_RETURN_ACTIVITIES,
    )
    expect(tableOfSection(page, 'Status codes')).toEqual(UPS_STATUS_BY_STATUS_CODE)
    expect(tableOfSection(page, 'Activity codes without a statusCode')).toEqual(UPS_STATUS_BY_ACTIVITY)
    expect(tableOfSection(page, 'Activity types')).toEqual(UPS_STATUS_BY_ACTIVITY_TYPE)
  })
})

describe('ups: which code decides', () => {
  it.each([
    [{ type: 'D', code: '2Q', statusCode: '011' }, 'D/2Q'],
    [{ type: 'X', code: 'I5', statusCode: '013' }, 'X/I5'],
    [{ type: 'D', code: 'F4', statusCode: '011' }, '011'],
    [{ type: 'I', code: 'AR', statusCode: '5' }, '005'],
    [{ type: 'I', code: 'AR', statusCode: '170' }, '170'],
    [{ type: 'I', code: 'AR', statusCode: 'X1' }, 'X1'],
    [{ type: 'M', code: 'DP' }, 'M/DP'],
    [{ type: 'I', code: 'DP' }, 'I/DP'],
    [{ type: 'X', code: '48' }, 'X'],
    [{ type: 'D' }, 'D'],
    [{ type: 'Q', code: 'ZZ' }, 'Q/ZZ'],
    [{ type: 'Q' }, 'Q'],
    [{ code: 'D' }, '/D'],
    [{}, undefined],
  ])('%j → %s', (raw, key) => {
    expect(decideUpsCode(raw)).toBe(key)
  })
})

describe('ups: times', () => {
  it.each([
    [{ date: '20250330', time: '023000' }, '2025-03-30T03:30:00+02:00'],
    [{ date: '20251026', time: '023000' }, '2025-10-26T02:30:00+02:00'],
    [{ date: '20250101', time: '000000', gmtOffset: 'Z' }, '2025-01-01T00:00:00Z'],
    [{ date: '20250101', time: '000000', gmtOffset: '+0530' }, '2025-01-01T00:00:00+05:30'],
    [{ date: '20250101', time: '70000', gmtOffset: '-08:00' }, '2025-01-01T07:00:00-08:00'],
    [
      { date: '20241231', time: '190000', gmtDate: '20250101', gmtTime: '10000' },
      '2024-12-31T19:00:00-06:00',
    ],
    [
      { date: '20250101', time: '120000', gmtOffset: '+01:00', gmtDate: '20250101', gmtTime: '090000' },
      '2025-01-01T12:00:00+01:00',
    ],
  ])('%j → %s', (activity, occurredAt) => {
    expect(readOccurredAt(activity)).toBe(occurredAt)
  })

  it.each([
    { date: '20250229', time: '120000' },
    { date: '20250101', time: '1200' },
    { date: '20250101', time: '120000', gmtOffset: '+01:60' },
    { date: '20250101', time: '120000', gmtOffset: '-18:15' },
    { date: '20250101', time: '120000', gmtDate: '2025-01-01', gmtTime: '110000' },
    { date: '20250101', time: '120000', gmtDate: '20250103', gmtTime: '110000' },
    { date: '20250301', time: '120000', gmtDate: '20250229', gmtTime: '120000' },
    { date: '20250101', time: '120000', gmtDate: '20250101', gmtTime: '110001' },
  ])('refuses %j', (activity) => {
    expect(readOccurredAt(activity)).toBeUndefined()
  })
})

type Vector = { number: string; check: boolean }
const VECTORS = JSON.parse(
  readFileSync(new URL('../fixtures/samples/tracking-numbers-more.json', import.meta.url), 'utf8'),
).ups_1z as { valid: Vector[]; invalid: Vector[] }

describe('ups: numbers', () => {
  it.each(VECTORS.valid.map((vector) => vector.number))('accepts and claims %s', (number) => {
    expect(checkUpsNumber(number)).toEqual({ ok: true, trackingNumber: number })
    expect(claimUpsNumber(number)).toEqual({ confidence: 0.95, reason: 'UPS 1Z number, check digit OK' })
    expect(explainUpsNumberProblem(number)).toBeUndefined()
  })

  it.each([
    ['2Z5R89390357567127', /^not a UPS tracking number format/],
    ['1A5R89390357567127', /^not a UPS tracking number format/],
    ['1Z1111111111111111', /^UPS 1Z check digit is 1, expected 8$/],
    ['1Z12345E0205271688', /^UPS 1Z check digit is 8, expected 6$/],
  ])('refuses %s with its reason', (number, reason) => {
    expect(VECTORS.invalid.map((vector) => vector.number)).toContain(number)
    const check = checkUpsNumber(number)
    expect(check.ok).toBe(false)
    if (!check.ok) expect(check.reason).toMatch(reason)
    expect(claimUpsNumber(number)).toBeUndefined()
  })

  it('accepts a failing check digit only with UPS_CHECK_DIGIT off, with a lower claim and no problem', () => {
    const relaxed = createTestUpsAdapter({ checkDigit: false })
    expect(relaxed.checkNumber('1Z12345E0205271688')).toEqual({
      ok: true,
      trackingNumber: '1Z12345E0205271688',
    })
    expect(relaxed.claimNumber('1Z12345E0205271688')).toMatchObject({ confidence: 0.7 })
    expect(relaxed.claimNumber('1Z5R89390357567127')).toMatchObject({ confidence: 0.95 })
    expect(relaxed.explainNumberProblem?.('1Z12345E0205271688')).toBeUndefined()
    expect(relaxed.accepts('2Z5R89390357567127')).toBe(false)
    const strict = createTestUpsAdapter()
    expect(strict.accepts('1Z12345E0205271688')).toBe(false)
    expect(strict.explainNumberProblem?.('1Z12345E0205271688')).toBe('UPS 1Z check digit is 8, expected 6')
  })

  it('is picked by detection for its 1Z numbers, and says why a bad check digit is refused', () => {
    const config = { UPS_CLIENT_ID: 'id', UPS_CLIENT_SECRET: 'secret', LAPOSTE_API_KEY: 'k' }
    const runtime = createCarrierRuntime(loadConfig(config), createSilentLogger())
    expect(runtime.detect('1z 5r8 939 0357 5671 27')).toMatchObject({
      winner: 'ups',
      trackingNumber: '1Z5R89390357567127',
    })
    const refused = runtime.detect('1Z12345E0205271688')
    expect(refused.candidates).toEqual([])
    expect(refused.problems).toContain('UPS 1Z check digit is 8, expected 6')
    const relaxed = createCarrierRuntime(
      loadConfig({ ...config, UPS_CHECK_DIGIT: 'off' }),
      createSilentLogger(),
    )
    expect(relaxed.detect('1Z12345E0205271688')).toMatchObject({ winner: 'ups' })
    expect(relaxed.get('ups')?.configured).toBe(true)
    void runtime.close()
    void relaxed.close()
  })

  /** Independent oracle, written from the published rule (jkeen's tracking_number_data, "mod10"). */
  function oracle(body: string): number {
    const value = (char: string) => (/\d/.test(char) ? Number(char) : (char.charCodeAt(0) - 63) % 10)
    const sum = [...body].reduce((total, char, index) => total + value(char) * (index % 2 === 1 ? 2 : 1), 0)
    return (10 - (sum % 10)) % 10
  }

  it('agrees with the check-digit rule on random 1Z numbers', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{15}$/), fc.integer({ min: 0, max: 9 }), (body, digit) => {
        const number = `1Z${body}${digit}`
        expect(checkUpsNumber(number).ok).toBe(digit === oracle(body))
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('never throws on arbitrary input to checkNumber and accepts', () => {
    const adapter = createTestUpsAdapter()
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const check = adapter.checkNumber(text)
        expect(adapter.accepts(text)).toBe(check.ok)
        if (!check.ok) expect(check.reason.length).toBeGreaterThan(5)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
