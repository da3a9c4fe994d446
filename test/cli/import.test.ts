import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/csv.js'
import { addCalendarDays, parisDateOf } from '../../src/domain/business-calendar.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import { runColis } from '../support/cli.js'
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../support/redis.js'

const MERCHANT = 'shop-42'
const redis = connectTestRedis()
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'colis-import-'))
})

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true })
  await redis.quit()
})

/** Each test imports under a prefix of its own; La Poste gets a key, so its numbers are checked, not refused. */
function importEnv(prefix: string): Record<string, string> {
  return { REDIS_URL: testRedisUrl(), COLIS_REDIS_PREFIX: prefix, LAPOSTE_API_KEY: 'test-okapi-key' }
}

/** Writes `name` in a directory of its own: the tests run at the same time, some with the same file name. */
function writeFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(dir, 'case-')), name)
  writeFileSync(path, content)
  return path
}

// Registration takes dates near today only.
const PROMISED = addCalendarDays(parisDateOf(Date.now()), 10)
const SHIPPED = addCalendarDays(parisDateOf(Date.now()), -5)

// A spreadsheet export: BOM, `;` separator, CRLF, quoted cells; good lines, bad numbers, an unknown
// carrier, a bad date, an empty number, and the same parcel twice (written differently).
const MIXED = `\uFEFF${[
  'trackingNumber;carrier;orderId;promisedDeliveryDate;shippedAt;businessDays;metadata.customer',
  'SBXDELIVERED001;sandbox;A-1;;;;"Dupont; Jean"',
  `8K00009775862;;A-2;${PROMISED};;;`,
  `XG953488284JB;;A-3;;${SHIPPED};2;`,
  '8K00009775863;laposte;A-4;;;;',
  'hello;;A-5;;;;',
  'SBXPICKUP001;hermes;A-6;;;;',
  'sbx-delivered-001;;A-7;;;;',
  'SBXRETURNED001;sandbox;A-8;not-a-date;;;',
  'SBXSTALLED001;sandbox;"A-9 ""rush""";;;;',
  ';;A-10;;;;',
].join('\r\n')}\r\n`

describe.concurrent('colis import', () => {
  it('registers the good lines, lists the rejected ones, and exits 1', async () => {
    const prefix = uniquePrefix('cli-import')
    const file = writeFile('mixed.csv', MIXED)
    const rejects = join(dir, 'mixed-rejects.csv')
    const run = await runColis(['import', file, '--merchant', MERCHANT, '--rejects', rejects], {
      env: importEnv(prefix),
    })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toContain(
      '10 parcel lines: 4 created, 1 already registered (1 repeats an earlier line), 5 rejected',
    )
    expect(run.stdout).toContain('line 5: "8K00009775863": invalid_tracking_number: ')
    expect(run.stdout).toContain('line 6: "hello": unknown_tracking_number_format: ')
    expect(run.stdout).toContain(
      'line 7: "SBXPICKUP001": unknown_carrier: no carrier "hermes" on this deployment',
    )
    expect(run.stdout).toContain('line 9: "SBXRETURNED001": validation_failed: promisedDeliveryDate: ')
    expect(run.stdout).toContain('line 11: (no tracking number): validation_failed: trackingNumber: empty')

    const store = createRedisTrackingStore(redis, prefix)
    const { data } = await store.list(MERCHANT, { limit: 100 })
    const byNumber = new Map(data.map((record) => [record.trackingNumber, record]))
    expect([...byNumber.keys()].sort()).toEqual([
      '8K00009775862',
      'SBXDELIVERED001',
      'SBXSTALLED001',
      'XG953488284JB',
    ])
    expect(byNumber.get('SBXDELIVERED001')).toMatchObject({
      carrier: 'sandbox',
      orderId: 'A-1',
      metadata: { customer: 'Dupont; Jean' },
    })
    expect(byNumber.get('8K00009775862')).toMatchObject({
      carrier: 'laposte',
      promisedDeliveryDate: PROMISED,
    })
    // The promise (shipped + business days) becomes a promised date, as through the API.
    expect(byNumber.get('XG953488284JB')?.carrier).toBe('chronopost')
    const promised = String(byNumber.get('XG953488284JB')?.promisedDeliveryDate)
    expect(promised > SHIPPED && promised <= addCalendarDays(SHIPPED, 9)).toBe(true)
    expect(byNumber.get('SBXSTALLED001')?.orderId).toBe('A-9 "rush"')

    // The rejects file keeps the input's form and can be fixed and imported again as it is.
    const written = readFileSync(rejects, 'utf8')
    const table = parseCsv(written)
    expect(table).toMatchObject({ separator: ';', bom: true, lineBreak: '\r\n' })
    expect(table.records[0]?.fields.slice(0, 4)).toEqual(['line', 'problem', 'reason', 'trackingNumber'])
    expect(table.records.slice(1).map((record) => record.fields.slice(0, 2))).toEqual([
      ['5', 'invalid_tracking_number'],
      ['6', 'unknown_tracking_number_format'],
      ['7', 'unknown_carrier'],
      ['9', 'validation_failed'],
      ['11', 'validation_failed'],
    ])
    const again = await runColis(['import', rejects, '--merchant', MERCHANT], { env: importEnv(prefix) })
    expect(again.code, again.stderr).toBe(1)
    expect(again.stdout).toContain('5 parcel lines: 0 created, 0 already registered, 5 rejected')
  })

  it('creates nothing the second time the same file is imported', async () => {
    const prefix = uniquePrefix('cli-import-twice')
    const file = writeFile('twice.csv', MIXED)
    const first = await runColis(['import', file, '--merchant', MERCHANT, '--json'], {
      env: importEnv(prefix),
    })
    expect(JSON.parse(first.stdout)).toMatchObject({ created: 4, existing: 1 })
    const second = await runColis(['import', file, '--merchant', MERCHANT, '--json'], {
      env: importEnv(prefix),
    })
    expect(second.code).toBe(1)
    const summary = JSON.parse(second.stdout) as { created: number; existing: number; rejected: unknown[] }
    expect(summary).toMatchObject({ lines: 10, created: 0, existing: 5, repeated: 1 })
    expect(summary.rejected).toHaveLength(5)
    const { data } = await createRedisTrackingStore(redis, prefix).list(MERCHANT, { limit: 100 })
    expect(data).toHaveLength(4)
  })

  it('exits 0 when every line goes in, and reports progress in plain lines when stderr is not a terminal', async () => {
    const prefix = uniquePrefix('cli-import-clean')
    const numbers = Array.from({ length: 12 }, (_, index) => `SBXDELIVERED${String(index).padStart(3, '0')}`)
    const file = writeFile(
      'clean.csv',
      `trackingNumber,carrier\n${numbers.map((n) => `${n},sandbox`).join('\n')}\n`,
    )
    const run = await runColis(['import', file, '--merchant', MERCHANT, '--chunk-size', '4'], {
      env: importEnv(prefix),
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('12 parcel lines: 12 created, 0 already registered, 0 rejected')
    expect(run.stderr).toContain('4/12 lines\n8/12 lines\n')
    expect(run.stderr).toContain(`colis: using Redis at ${new URL(testRedisUrl()).host} (REDIS_URL)\n`)
    expect(run.stderr).not.toContain('\r')
  })

  it('lists the first 50 rejected lines and points to --rejects for the rest', async () => {
    const prefix = uniquePrefix('cli-import-many')
    const lines = Array.from({ length: 60 }, (_, index) => `junk${index}`)
    const file = writeFile('junk.csv', `trackingNumber\n${lines.join('\n')}\n`)
    const run = await runColis(['import', file, '--merchant', MERCHANT], { env: importEnv(prefix) })
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('  line '))).toHaveLength(50)
    expect(run.stdout).toContain('… and 10 more: --rejects <file> writes every rejected line as CSV')
  })

  it.each([
    [['import'], /usage: colis import/],
    [['import', 'missing.csv', '--merchant', MERCHANT], /cannot read missing\.csv: ENOENT/],
    [['import', 'FILE', '--merchant', 'bad merchant'], /merchant names are/],
    [['import', 'FILE'], /needs --merchant/],
    [['import', 'FILE', '--merchant', MERCHANT, '--chunk-size', '0'], /--chunk-size/],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const file = writeFile('usage.csv', 'trackingNumber\nSBXDELIVERED001\n')
    const run = await runColis(
      args.map((arg) => (arg === 'FILE' ? file : arg)),
      { env: importEnv(uniquePrefix('cli-import-usage')) },
    )
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stdout).toBe('')
  })

  it.each([
    ['unknown column', 'trackingNumber,oderId\nX,1\n', /unknown column "oderId"/],
    ['no tracking number column', 'carrier,orderId\nsandbox,1\n', /no trackingNumber column/],
    ['empty file', '', /empty/],
    ['unclosed quote', 'trackingNumber,orderId\nX,"A-1\n', /quoted field opened on line 2 is never closed/],
  ])('exits 2 and registers nothing for a bad file: %s', async (_name, content, message) => {
    const prefix = uniquePrefix('cli-import-bad')
    const file = writeFile('bad.csv', content)
    const run = await runColis(['import', file, '--merchant', MERCHANT], { env: importEnv(prefix) })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(await redis.keys(`${prefix}:*`)).toEqual([])
  })

  it('draws a progress bar when stderr is a terminal', async () => {
    const prefix = uniquePrefix('cli-import-tty')
    const file = writeFile('tty.csv', 'trackingNumber\nSBXDELIVERED001\nSBXPICKUP001\nSBXRETURNED001\n')
    const run = await runColis(['import', file, '--merchant', MERCHANT, '--chunk-size', '1'], {
      env: importEnv(prefix),
      stderrIsTTY: true,
    })
    expect(run.stderr).toMatch(/\r\[█+░*\] 1\/3 lines 33%/)
    expect(run.stdout).toContain('3 created')
  })
})
