import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryStores } from '../../../src/main/stores.js'
import { type DashboardBrowser, dashboardBrowser } from '../../support/dashboard-browser-session.js'
import {
  type DashboardParcel,
  dashboardParcels,
  onTimeOf,
  openAlerts,
  playDashboardParcels,
} from '../../support/dashboard-journeys.js'
import { createMemoryHarness, type MemoryHarness } from '../../support/memory-harness.js'

const PARCELS = dashboardParcels()
const WEEKS = ['2026-W47', '2026-W48', '2026-W49']
const CARRIERS = {
  sandbox: 'Sandbox (simulated journeys)',
  laposte: 'La Poste (Colissimo, Lettre suivie, Chronopost)',
} as const

/** `50% (4 parcels)`: a rate as the English page writes it, from figures worked out here. */
const written = ({ rate, sample }: { rate: number | undefined; sample: number }) =>
  rate === undefined ? '—' : `${Math.round(rate * 100)}% (${sample} parcels)`

/** The cells of a table, by the text of each row's header, as the page shows them. */
function tableRows(html: string, caption: string): Map<string, string[]> {
  const $ = load(html)
  const table = $('table').filter((_, element) => $(element).find('caption').text() === caption)
  expect(table.length, caption).toBe(1)
  const rows = new Map<string, string[]>()
  table.find('tbody tr').each((_, row) => {
    const cells = $(row)
      .find('td')
      .map((__, cell) => $(cell).text())
      .get()
    rows.set($(row).find('th').text(), cells)
  })
  return rows
}

function tableHead(html: string, caption: string): string[] {
  const $ = load(html)
  const table = $('table').filter((_, element) => $(element).find('caption').text() === caption)
  return table
    .find('thead th')
    .map((_, cell) => $(cell).text())
    .get()
}

describe('the dashboard figures', () => {
  let harness: MemoryHarness
  let browser: DashboardBrowser
  let key: string
  let page: string

  beforeAll(async () => {
    harness = await createMemoryHarness(
      'dashboard-data',
      {},
      {},
      { stores: createMemoryStores(), app: { now: () => new Date('2026-12-06T11:00:00+01:00') } },
    )
    key = (await harness.apiKeys.create('shop-dash-data')).key
    const other = (await harness.apiKeys.create('shop-dash-other')).key
    const request = (path: string, init: RequestInit) => harness.request(key, path, init)
    await playDashboardParcels(request, harness.store, PARCELS)
    // Another merchant's parcel and alert count nowhere on this merchant's page.
    await playDashboardParcels((path, init) => harness.request(other, path, init), harness.store, [
      { ...(PARCELS[0] as DashboardParcel), number: 'SBXDELIVERED999' },
    ])
    await openAlerts((path, init) => harness.request(other, path, init), harness.store, 'SBXDELIVERED998', [
      'late',
    ])
    await openAlerts(request, harness.store, 'SBXDELIVERED401', ['late', 'stalled'])
    await openAlerts(request, harness.store, 'SBXDELIVERED402', ['late'])
    browser = dashboardBrowser(harness.app)
    expect((await browser.signIn(key)).status).toBe(303)
    page = await (await browser.get('/dashboard?lang=en')).text()
  })
  afterAll(() => harness.close())

  it('draws the on-time rate of each carrier in each week, as worked out from its parcels', () => {
    const rows = tableRows(page, 'Delivered by the promised date, per week')
    expect(tableHead(page, 'Delivered by the promised date, per week')).toEqual([
      'Week',
      CARRIERS.laposte,
      CARRIERS.sandbox,
    ])
    // Twelve weeks up to the current one, the week of 6 December 2026.
    expect([...rows.keys()]).toHaveLength(12)
    expect([...rows.keys()].at(-1)).toBe('2026-W49')
    expect(rows.get('2026-W38')).toEqual(['—', '—'])
    for (const week of WEEKS) {
      const expected = (['laposte', 'sandbox'] as const).map((carrier) =>
        written(onTimeOf(PARCELS.filter((parcel) => parcel.carrier === carrier && parcel.week === week))),
      )
      expect(rows.get(week), week).toEqual(expected)
    }
    expect(onTimeOf(PARCELS).sample).toBeGreaterThan(20)
    expect(page).toContain(
      '<svg viewBox="0 0 480 260" role="img" aria-labelledby="on-time-title on-time-desc"',
    )
  })

  it('agrees with the API report, week by week and carrier by carrier', async () => {
    const rows = tableRows(page, 'Delivered by the promised date, per week')
    for (const [column, carrier] of (['laposte', 'sandbox'] as const).entries()) {
      const response = await harness.request(key, `/v1/analytics/carriers?groupBy=week&carrier=${carrier}`)
      const report = (await response.json()) as {
        rows: Array<{ group: string; onTime: { rate?: number; sample: number } }>
      }
      expect(report.rows.map((row) => row.group)).toEqual(WEEKS)
      for (const row of report.rows) {
        expect(rows.get(row.group)?.[column]).toBe(
          written({ rate: row.onTime.rate, sample: row.onTime.sample }),
        )
      }
    }
    const byCarrier = await harness.request(key, '/v1/analytics/carriers')
    const report = (await byCarrier.json()) as {
      rows: Array<{ group: string; parcels: number; delivered: number }>
      totals: { parcels: number }
    }
    const scorecard = load(page)('section.table-scroll[aria-labelledby="scorecard-heading"] tbody tr')
      .map((_, row) => load(row).text())
      .get()
    expect(report.totals.parcels).toBe(PARCELS.length)
    for (const row of report.rows) {
      expect(
        scorecard.find((text) => text.startsWith(CARRIERS[row.group as keyof typeof CARRIERS])),
      ).toContain(`${row.parcels}${row.delivered}`)
    }
  })

  it("draws each carrier's transit histogram from all its delivered parcels", () => {
    for (const carrier of ['laposte', 'sandbox'] as const) {
      const delivered = PARCELS.filter(
        (parcel) => parcel.carrier === carrier && parcel.finish === 'delivered',
      )
      const caption = `${CARRIERS[carrier]}: ${delivered.length} parcels delivered`
      const rows = tableRows(page, caption)
      const total = [...rows.values()].reduce((sum, [parcels]) => sum + Number(parcels), 0)
      expect(total, caption).toBe(delivered.length)
      expect([...rows.keys()].at(-1)).toBe('10+ d')
      // No parcel took a day or less than a day, nor more than a week.
      expect(rows.get('0 d')?.[0]).toBe('0')
      expect(rows.get('10+ d')?.[0]).toBe('0')
    }
  })

  it('ranks the destinations by on-time rate, lowest first, with the parcels each is measured on', () => {
    const rows = tableRows(page, 'Least punctual destinations')
    const expected = ['FR-13', 'FR-33', 'FR-69', 'FR-75']
      .map((destination) => {
        const code = destination.slice(3)
        return { destination, ...onTimeOf(PARCELS.filter((parcel) => parcel.postalCode.startsWith(code))) }
      })
      .filter((row) => row.sample >= 5)
      .sort(
        (a, b) =>
          (a.rate ?? 1) - (b.rate ?? 1) || b.sample - a.sample || a.destination.localeCompare(b.destination),
      )
    expect(expected.length).toBeGreaterThan(1)
    expect([...rows.entries()]).toEqual(expected.map((row) => [row.destination, [written(row)]]))
  })

  it("counts the merchant's open alerts by type, and no other merchant's", () => {
    const rows = tableRows(page, 'Open alerts')
    expect(rows.get('Late')).toEqual(['2'])
    expect(rows.get('Stalled')).toEqual(['1'])
    expect(rows.get('At risk')).toEqual(['0'])
    expect(page).toContain('3 open alert(s), by type')
  })

  it('covers the weeks asked for, and shows an empty state where there is nothing', async () => {
    const four = await (await browser.get('/dashboard?lang=en&weeks=4')).text()
    expect([...tableRows(four, 'Delivered by the promised date, per week').keys()]).toEqual([
      '2026-W46',
      ...WEEKS,
    ])
    expect(four).toContain('aria-current="page">4 weeks</a>')
    const one = await (await browser.get('/dashboard?lang=en&weeks=1')).text()
    expect([...tableRows(one, 'Delivered by the promised date, per week').keys()]).toEqual(['2026-W49'])
    for (const junk of ['0', '54', 'abc', '-3', '1e1']) {
      const html = await (await browser.get(`/dashboard?lang=en&weeks=${junk}`)).text()
      expect(tableRows(html, 'Delivered by the promised date, per week').size, junk).toBe(12)
    }

    const empty = dashboardBrowser(harness.app)
    expect((await empty.signIn((await harness.apiKeys.create('shop-dash-empty')).key)).status).toBe(303)
    const html = await (await empty.get('/dashboard?lang=en')).text()
    expect(html).toContain('No finished parcel (delivered, returned or expired) was handed over')
    expect(html).toContain('No open alert right now.')
    expect(html).not.toContain('<svg viewBox="0 0 480')
  })

  it('writes the page in French, with the same figures', async () => {
    const html = await (await browser.get('/dashboard')).text()
    expect(html).toMatch(/<html lang="fr">/)
    expect(html).toContain('Livraison à la date promise, par semaine')
    expect(html).toContain('href="/dashboard?weeks=12&amp;lang=en"')
    const week = (['laposte', 'sandbox'] as const).map((carrier) =>
      onTimeOf(PARCELS.filter((parcel) => parcel.carrier === carrier && parcel.week === '2026-W47')),
    )
    const rows = tableRows(html, 'Livraison à la date promise, par semaine')
    // French puts a no-break space before the percent sign (which one depends on the ICU data).
    expect(rows.get('2026-W47')?.map((cell) => cell.replace(/[\u00a0\u202f]/g, ' '))).toEqual(
      week.map(({ rate, sample }) => `${Math.round((rate ?? 0) * 100)} % (${sample} colis)`),
    )
  })
})
