import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { markFinished } from '../support/finished-tracking.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'

/** A merchant that grants a longer withdrawal period sees it on its API answers and its shoppers' pages. */
describe("the merchant's withdrawal period", () => {
  let harness: MemoryHarness
  let key: string

  beforeAll(async () => {
    harness = await createMemoryHarness('merchant-withdrawal')
    key = (await harness.apiKeys.create('shop-withdrawal')).key
  })
  afterAll(() => harness.close())

  const json = async (path: string, init?: RequestInit) =>
    (await (await harness.request(key, path, init)).json()) as Record<string, unknown>

  it('moves withdrawalUntil on the tracking and on its page, and nothing else', async () => {
    const created = await json('/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: 'SBXDELIVERED003', destinationPostalCode: '57000' }),
    })
    const id = String(created.id)
    const pageUrl = new URL(String(created.trackingPageUrl))
    await markFinished(harness.store, id, 'delivered', [
      { occurredAt: '2025-12-23T11:00:00+01:00', status: 'delivered' },
    ])
    const legal = (await json(`/v1/trackings/${id}`)).consumerDeadlines as Record<string, string>
    expect(legal.withdrawalUntil).toBe('2026-01-06')

    const patched = await harness.request(key, '/v1/merchant/settings', {
      method: 'PATCH',
      body: JSON.stringify({ withdrawalDays: 30 }),
    })
    expect(patched.status).toBe(200)
    const longer = (await json(`/v1/trackings/${id}`)).consumerDeadlines
    expect(longer).toEqual({ ...legal, withdrawalUntil: '2026-01-22' })
    const listed = (await json('/v1/trackings?status=delivered')).data as Array<Record<string, unknown>>
    expect(listed.find((item) => item.id === id)?.consumerDeadlines).toEqual(longer)

    const page = await harness.app.request(`${pageUrl.pathname}?lang=fr`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('datetime="2026-01-22"')
    expect(html).not.toContain('datetime="2026-01-06"')
  })
})
