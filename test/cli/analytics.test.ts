import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MERCHANT_A_JOURNEYS, MERCHANT_B_JOURNEYS, playJourneys } from '../support/analytics-journeys.js'
import { runColis } from '../support/cli.js'
import { createHarness, type Harness } from '../support/harness.js'
import { testRedisUrl } from '../support/redis.js'

const WEEKS = ['--from', '2026-W47', '--to', '2026-W48']

describe('colis analytics', () => {
  let harness: Harness
  let keyA: string

  beforeAll(async () => {
    harness = await createHarness('cli-analytics')
    keyA = (await harness.apiKeys.create('shop-cli-a')).key
    const keyB = (await harness.apiKeys.create('shop-cli-b')).key
    await playJourneys((path, init) => harness.request(keyA, path, init), harness.store, MERCHANT_A_JOURNEYS)
    await playJourneys((path, init) => harness.request(keyB, path, init), harness.store, MERCHANT_B_JOURNEYS)
  })
  afterAll(() => harness?.close())

  const colis = (args: string[]) =>
    runColis(['analytics', ...args], {
      env: { REDIS_URL: testRedisUrl(), COLIS_REDIS_PREFIX: harness.config.COLIS_REDIS_PREFIX },
    })

  it('prints, with --csv, the very CSV the API gives', async () => {
    const api = await harness.request(
      keyA,
      '/v1/analytics/carriers?from=2026-W47&to=2026-W48&groupBy=destination',
      {
        headers: { accept: 'text/csv' },
      },
    )
    expect(api.status).toBe(200)
    const run = await colis(['--merchant', 'shop-cli-a', ...WEEKS, '--group-by', 'destination', '--csv'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toBe(await api.text())
    expect(run.stderr).toMatch(/^colis: using Redis at /)
  })

  it("prints a table of the API's figures, every merchant's with --merchant all", async () => {
    const run = await colis(['--merchant', 'shop-cli-a', ...WEEKS])
    expect(run.code, run.stderr).toBe(0)
    const [title, header, ...lines] = run.stdout.trimEnd().split('\n')
    expect(title).toBe('merchant shop-cli-a, 2026-W47 to 2026-W48, by carrier')
    expect(header?.split(/\s{2,}/).slice(0, 7)).toEqual([
      'group',
      'parcels',
      'delivered',
      'returned',
      'expired',
      'on time',
      'of',
    ])
    const api = (await (
      await harness.request(keyA, '/v1/analytics/carriers?from=2026-W47&to=2026-W48')
    ).json()) as { totals: { transitDays: { p50: number } } }
    // sandbox: 5 parcels, 3 delivered, 1 returned, 1 expired, on time 1 of 2, first attempt 2 of 3.
    const expectedCells = (group: string) => [
      group,
      '5',
      '3',
      '1',
      '1',
      '50.0%',
      '2',
      api.totals.transitDays.p50.toFixed(1),
    ]
    expect(lines.map((line) => line.split(/\s+/).slice(0, 8))).toEqual([
      expectedCells('sandbox'),
      expectedCells('*'),
    ])
    expect(lines[0]?.split(/\s+/).slice(11, 17)).toEqual(['66.7%', '3', '33.3%', '33.0', '20.0%', '20.0%'])

    const all = await colis(['--merchant', 'all', ...WEEKS, '--group-by', 'week'])
    expect(all.code, all.stderr).toBe(0)
    const weeks = all.stdout
      .trimEnd()
      .split('\n')
      .slice(2)
      .map((line) => line.split(/\s+/).slice(0, 2))
    expect(weeks).toEqual([
      ['2026-W47', String(MERCHANT_A_JOURNEYS.length)],
      ['2026-W48', String(MERCHANT_B_JOURNEYS.length)],
      ['*', String(MERCHANT_A_JOURNEYS.length + MERCHANT_B_JOURNEYS.length)],
    ])
  })

  it.each([
    [['--merchant', 'shop-cli-a', '--from', '2026-W54'], /--from and --to/],
    [['--merchant', 'shop-cli-a', '--group-by', 'country'], /--group-by is one of/],
    [['--merchant', 'a b'], /merchant names/],
    [[], /--merchant/],
  ])('exits 2 with one line on %j', async (args, message) => {
    const run = await colis(args)
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(message)
  })
})
