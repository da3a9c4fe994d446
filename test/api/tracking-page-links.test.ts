import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { expectProblem, laPosteNumber, type TrackingBody } from './tracking-api.js'

const BASE = 'https://track.example.com/colis'
const PAGE_URL = /^https:\/\/track\.example\.com\/colis\/t\/[A-Za-z0-9_-]{22}$/

describe('trackingPageUrl on every tracking the API answers', () => {
  let harness: MemoryHarness
  let keyA: string
  let keyB: string

  beforeAll(async () => {
    harness = await createMemoryHarness('tracking-page-links', { PUBLIC_BASE_URL: BASE })
    keyA = (await harness.apiKeys.create('shop-a')).key
    keyB = (await harness.apiKeys.create('shop-b')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  const register = async (key: string, trackingNumber: string) => {
    const response = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber, carrier: 'laposte' }),
    })
    expect([200, 201]).toContain(response.status)
    return (await response.json()) as TrackingBody
  }
  const pathOf = (url: unknown) => String(url).slice(BASE.length)
  const page = (url: unknown) => harness.app.request(pathOf(url))
  const rotate = (key: string, id: string) =>
    harness.request(key, `/v1/trackings/${id}/page-token`, { method: 'POST' })

  it('gives the same link on registration, on a second registration, on GET, in a batch and in lists', async () => {
    const created = await register(keyA, laPosteNumber(1))
    expect(created.trackingPageUrl).toMatch(PAGE_URL)
    expect((await register(keyA, laPosteNumber(1))).trackingPageUrl).toBe(created.trackingPageUrl)
    const got = (await (await harness.request(keyA, `/v1/trackings/${created.id}`)).json()) as TrackingBody
    expect(got.trackingPageUrl).toBe(created.trackingPageUrl)

    const batch = await harness.request(keyA, '/v1/trackings/batch', {
      method: 'POST',
      body: JSON.stringify({
        trackings: [{ trackingNumber: laPosteNumber(1) }, { trackingNumber: laPosteNumber(2) }],
      }),
    })
    const { results } = (await batch.json()) as { results: Array<{ status: number; body: TrackingBody }> }
    expect(results.map(({ status }) => status)).toEqual([200, 201])
    expect(results[0]?.body.trackingPageUrl).toBe(created.trackingPageUrl)
    expect(results[1]?.body.trackingPageUrl).toMatch(PAGE_URL)
    expect(results[1]?.body.trackingPageUrl).not.toBe(created.trackingPageUrl)

    const list = (await (await harness.request(keyA, '/v1/trackings')).json()) as { data: TrackingBody[] }
    const listed = new Map(list.data.map((tracking) => [tracking.id, tracking.trackingPageUrl]))
    expect(listed.get(created.id)).toBe(created.trackingPageUrl)
    expect(listed.get(results[1]?.body.id ?? '')).toBe(results[1]?.body.trackingPageUrl)
  })

  it('never shows the token as a field of its own', async () => {
    const created = await register(keyA, laPosteNumber(3))
    const token = pathOf(created.trackingPageUrl).slice('/t/'.length)
    const got = await (await harness.request(keyA, `/v1/trackings/${created.id}`)).text()
    expect(got.split(token)).toHaveLength(2)
    expect(got).not.toContain('pageToken')
  })

  it('opens the page of the tracking, which answers 404 once the link is rotated', async () => {
    const created = await register(keyA, laPosteNumber(4))
    expect((await page(created.trackingPageUrl)).status).toBe(200)
    const response = await rotate(keyA, created.id)
    expect(response.status).toBe(200)
    const { trackingPageUrl } = (await response.json()) as { trackingPageUrl: string }
    expect(trackingPageUrl).toMatch(PAGE_URL)
    expect(trackingPageUrl).not.toBe(created.trackingPageUrl)
    expect((await page(created.trackingPageUrl)).status).toBe(404)
    expect((await page(trackingPageUrl)).status).toBe(200)
    const got = (await (await harness.request(keyA, `/v1/trackings/${created.id}`)).json()) as TrackingBody
    expect(got.trackingPageUrl).toBe(trackingPageUrl)
  })

  it("rotates only the merchant's own trackings", async () => {
    const mine = await register(keyA, laPosteNumber(5))
    await expectProblem(await rotate(keyB, mine.id), 404, 'not_found')
    await expectProblem(await rotate(keyA, 'trk_AAAAAAAAAAAAAAAAAAAA'), 404, 'not_found')
    await expectProblem(await rotate(keyA, 'trk_nope:subs'), 404, 'not_found')
    expect((await page(mine.trackingPageUrl)).status).toBe(200)
  })

  it('kills the page with the tracking', async () => {
    const created = await register(keyA, laPosteNumber(6))
    expect((await harness.request(keyA, `/v1/trackings/${created.id}`, { method: 'DELETE' })).status).toBe(
      204,
    )
    expect((await page(created.trackingPageUrl)).status).toBe(404)
  })

  it("opens each merchant's tracking by its own link only, the same number at two merchants included", async () => {
    const a = await register(keyA, laPosteNumber(7))
    const b = await register(keyB, laPosteNumber(7))
    expect(b.trackingPageUrl).not.toBe(a.trackingPageUrl)
    const pageA = await (await page(a.trackingPageUrl)).text()
    const pageB = await (await page(b.trackingPageUrl)).text()
    expect(pageA).toContain('shop-a')
    expect(pageA).not.toContain('shop-b')
    expect(pageB).toContain('shop-b')
    expect(pageB).not.toContain('shop-a')
    // An API key of another merchant changes nothing: the link alone picks the tracking.
    const withKey = await harness.request(keyB, pathOf(a.trackingPageUrl))
    expect(await withKey.text()).toBe(pageA)
  })
})
