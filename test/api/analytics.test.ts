import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CARRIER_REPORT_COLUMNS } from '../../src/carrier-report-csv.js'
import { parseCsv } from '../../src/csv.js'
import { createMemoryStores } from '../../src/main/stores.js'
import {
  expectedCounts,
  MERCHANT_A_JOURNEYS,
  MERCHANT_B_JOURNEYS,
  playJourneys,
} from '../support/analytics-journeys.js'
import type { CarrierReportBody } from '../support/carrier-report-body.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { bearer, expectProblem, TOKEN } from './admin-api.js'

const WEEKS = 'from=2026-W47&to=2026-W48'

describe('GET /v1/analytics/carriers', () => {
  let harness: MemoryHarness
  let keyA: string
  let keyB: string
  let keyC: string

  beforeAll(async () => {
    const stores = createMemoryStores()
    harness = await createMemoryHarness(
      'analytics',
      {},
      {},
      {
        stores,
        app: {
          now: () => new Date('2026-11-30T10:00:00Z'),
          admin: { token: TOKEN, apiKeys: stores.apiKeys },
        },
      },
    )
    keyA = (await harness.apiKeys.create('shop-analytics-a')).key
    keyB = (await harness.apiKeys.create('shop-analytics-b')).key
    keyC = (await harness.apiKeys.create('shop-analytics-c')).key
    await playJourneys((path, init) => harness.request(keyA, path, init), harness.store, MERCHANT_A_JOURNEYS)
    await playJourneys((path, init) => harness.request(keyB, path, init), harness.store, MERCHANT_B_JOURNEYS)
  })
  afterAll(() => harness.close())

  const report = async (key: string, query: string) => {
    const response = await harness.request(key, `/v1/analytics/carriers?${query}`)
    expect(response.status, await response.clone().text()).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    return (await response.json()) as CarrierReportBody
  }

  it("counts the merchant's finished parcels and their rates, as worked out from their journeys", async () => {
    const body = await report(keyA, WEEKS)
    expect(body).toMatchObject({ from: '2026-W47', to: '2026-W48', groupBy: 'carrier' })
    const expected = expectedCounts(MERCHANT_A_JOURNEYS)
    expect(body.rows.map((row) => row.group)).toEqual(['sandbox'])
    for (const row of [body.rows[0], body.totals]) {
      expect(row).toMatchObject({
        parcels: expected.parcels,
        delivered: expected.delivered,
        returned: expected.returned,
        expired: expected.expired,
        onTime: expected.onTime,
        firstAttempt: expected.firstAttempt,
      })
      expect(row?.pickup.share).toBeCloseTo(expected.pickupShare ?? Number.NaN, 9)
      expect(row?.returnRate).toBeCloseTo(expected.returnRate ?? Number.NaN, 9)
      expect(row?.exceptionRate).toBeCloseTo(expected.exceptionRate ?? Number.NaN, 9)
    }
    expect(expected).toMatchObject({
      parcels: 5,
      onTime: { rate: 0.5, sample: 2 },
      firstAttempt: { sample: 3 },
    })
    expect(body.totals.group).toBe('*')

    // Percentiles lie within the smallest and largest transit the journeys had.
    const days = MERCHANT_A_JOURNEYS.flatMap((journey) => journey.expected.transitDays ?? [])
    const { p50, p80, p95 } = body.totals.transitDays
    for (const quantile of [p50, p80, p95]) {
      expect(quantile).toBeGreaterThanOrEqual(Math.min(...days))
      expect(quantile).toBeLessThanOrEqual(Math.max(...days))
    }
    expect(p50).toBeLessThanOrEqual(p80 ?? Number.NaN)
    expect(p80).toBeLessThanOrEqual(p95 ?? Number.NaN)
    // One parcel only: its figure exactly.
    expect(body.totals.pickup.collectionHoursP50).toBeCloseTo(33, 6)
  })

  it('groups by destination and by week', async () => {
    const byDestination = await report(keyA, `${WEEKS}&groupBy=destination`)
    const paris = MERCHANT_A_JOURNEYS.filter((journey) => journey.postalCode === '75001')
    const lyon = MERCHANT_A_JOURNEYS.filter((journey) => journey.postalCode === '69001')
    expect(byDestination.rows.map((row) => row.group)).toEqual(['FR-69', 'FR-75'])
    expect(byDestination.rows[0]).toMatchObject({ parcels: lyon.length, delivered: 0 })
    expect(byDestination.rows[1]).toMatchObject({
      parcels: paris.length,
      delivered: paris.length,
      onTime: expectedCounts(paris).onTime,
    })
    const byWeek = await report(keyB, `${WEEKS}&groupBy=week`)
    expect(byWeek.rows).toMatchObject([{ group: '2026-W48', parcels: 1, onTime: { rate: 1, sample: 1 } }])
    // One parcel: the percentiles are its own transit.
    expect(byWeek.rows[0]?.transitDays).toEqual({ p50: 2, p80: 2, p95: 2 })
    expect(byWeek.rows[0]?.transitHours.p50).toBeCloseTo(50, 6)
  })

  it("shows a merchant only its own parcels, and the operator every merchant's", async () => {
    expect(await report(keyC, WEEKS)).toMatchObject({
      rows: [],
      totals: { parcels: 0, onTime: { sample: 0 } },
    })
    expect((await report(keyB, WEEKS)).totals).toMatchObject({ parcels: 1, delivered: 1 })
    expect((await report(keyB, WEEKS)).totals.onTime.rate).toBe(1)

    const operator = await harness.app.request(`/v1/admin/analytics/carriers?${WEEKS}`, {
      headers: bearer(TOKEN),
    })
    expect(operator.status).toBe(200)
    const all = (await operator.json()) as CarrierReportBody
    const expected = expectedCounts([...MERCHANT_A_JOURNEYS, ...MERCHANT_B_JOURNEYS])
    expect(all.totals).toMatchObject({
      parcels: expected.parcels,
      delivered: expected.delivered,
      onTime: expected.onTime,
      firstAttempt: expected.firstAttempt,
    })
  })

  it('refuses the operator view without the admin token, an API key included', async () => {
    await expectProblem(
      await harness.app.request(`/v1/admin/analytics/carriers?${WEEKS}`),
      401,
      'admin_unauthorized',
    )
    await expectProblem(
      await harness.request(keyA, `/v1/admin/analytics/carriers?${WEEKS}`),
      401,
      'admin_unauthorized',
    )
  })

  it('has no operator view without an admin token configured', async () => {
    const plain = await createMemoryHarness('analytics-no-admin')
    try {
      await expectProblem(
        await plain.app.request('/v1/admin/analytics/carriers', { headers: bearer(TOKEN) }),
        404,
        'route_not_found',
      )
    } finally {
      await plain.close()
    }
  })

  it('gives the same rows as CSV, as an attachment named after its weeks', async () => {
    const json = await report(keyA, `${WEEKS}&groupBy=destination`)
    const response = await harness.request(keyA, `/v1/analytics/carriers?${WEEKS}&groupBy=destination`, {
      headers: { accept: 'text/csv' },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="carriers-2026-W47-2026-W48.csv"',
    )
    const [header, ...records] = parseCsv(await response.text(), { separator: ',' }).records.map(
      (record) => record.fields,
    )
    expect(header).toEqual([...CARRIER_REPORT_COLUMNS])
    const rows = [...json.rows, json.totals]
    expect(records).toHaveLength(rows.length)
    const number = (value: number | undefined) =>
      value === undefined ? '' : String(Number(value.toFixed(6)))
    rows.forEach((row, at) => {
      expect(records[at]).toEqual([
        row.group,
        number(row.parcels),
        number(row.delivered),
        number(row.returned),
        number(row.expired),
        number(row.onTime.rate),
        number(row.onTime.sample),
        number(row.transitDays.p50),
        number(row.transitDays.p80),
        number(row.transitDays.p95),
        number(row.transitHours.p50),
        number(row.firstAttempt.rate),
        number(row.firstAttempt.sample),
        number(row.pickup.share),
        number(row.pickup.collectionHoursP50),
        number(row.returnRate),
        number(row.exceptionRate),
        number(row.reportingLagHours.p50),
        number(row.reportingLagHours.p95),
      ])
    })
  })

  it('covers the twelve weeks up to the current one (Paris time) by default', async () => {
    const body = await report(keyA, '')
    expect(body).toMatchObject({ from: '2026-W38', to: '2026-W49', groupBy: 'carrier' })
    expect(body.totals.parcels).toBe(MERCHANT_A_JOURNEYS.length)
    // A date stands for its week.
    expect(await report(keyA, 'from=2026-11-22&to=2026-11-16')).toMatchObject({
      from: '2026-W47',
      to: '2026-W47',
    })
  })

  it('gives an empty report when from is after to, and only the carrier asked for', async () => {
    expect(await report(keyA, 'from=2026-W48&to=2026-W47')).toMatchObject({
      rows: [],
      totals: { parcels: 0 },
    })
    expect((await report(keyA, `${WEEKS}&carrier=laposte`)).totals.parcels).toBe(0)
    expect((await report(keyA, `${WEEKS}&carrier=sandbox`)).totals.parcels).toBe(MERCHANT_A_JOURNEYS.length)
  })

  it.each([
    ['from=2026-W54', '/from'],
    ['to=2026-02-30', '/to'],
    ['from=last-week', '/from'],
    ['groupBy=country', '/groupBy'],
    ['carrier=NOT%20A%20CARRIER', '/carrier'],
  ])('refuses %s with a pointer at %s', async (query, pointer) => {
    const problem = (await expectProblem(
      await harness.request(keyA, `/v1/analytics/carriers?${query}`),
      400,
      'validation_failed',
    )) as unknown as { errors: Array<{ pointer: string }> }
    expect(problem.errors.map((error) => error.pointer)).toEqual([pointer])
  })
})
