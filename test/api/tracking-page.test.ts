import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryRateLimits } from '../../src/api/middleware/rate-limit.js'
import { createLogger } from '../../src/logger.js'
import { createMemoryStores } from '../../src/main/stores.js'
import { createMemoryHarness } from '../support/memory-harness.js'
import { laPosteNumber, type TrackingBody } from './tracking-api.js'

const BASE = 'https://track.example.com'
const randomToken = () => randomBytes(16).toString('base64url')

/** The API on memory stores, counting the page lookups its store is asked for. */
async function pageHarness(name: string, extra: Parameters<typeof createMemoryHarness>[3] = {}) {
  const stores = createMemoryStores()
  const lookups: string[] = []
  const find = stores.trackings.findByPageToken
  stores.trackings.findByPageToken = (token) => {
    lookups.push(token)
    return find(token)
  }
  const harness = await createMemoryHarness(name, { PUBLIC_BASE_URL: BASE }, {}, { ...extra, stores })
  const key = (await harness.apiKeys.create('shop-a')).key
  const register = async (trackingNumber: string) => {
    const response = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber, carrier: 'laposte' }),
    })
    const body = (await response.json()) as TrackingBody
    return { ...body, path: String(body.trackingPageUrl).slice(BASE.length) }
  }
  return { harness, key, lookups, register }
}

describe('GET /t/{token}', () => {
  let setup: Awaited<ReturnType<typeof pageHarness>>
  let path: string
  let id: string

  beforeAll(async () => {
    setup = await pageHarness('tracking-page')
    ;({ path, id } = await setup.register(laPosteNumber(1)))
  })

  afterAll(async () => {
    await setup.harness.close()
  })

  const get = (target: string, headers: Record<string, string> = {}) =>
    setup.harness.app.request(target, { headers })

  it('answers the page as HTML a browser keeps to itself: no index, no referrer, no sniffing, a strict CSP', async () => {
    const response = await get(path)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('x-robots-tag')).toBe('noindex')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('cache-control')).toBe('no-cache')
    const csp = (response.headers.get('content-security-policy') ?? '').split(/;\s*/)
    expect(csp).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ]),
    )
    expect(csp.find((directive) => directive.startsWith('style-src'))).toMatch(/^style-src 'self'/)
    expect(csp.filter((directive) => /^(script-src|connect-src)/.test(directive))).toEqual([])
    expect(await response.text()).toMatch(/^<!doctype html>/i)
  })

  it("links the carrier's own page for the number", async () => {
    const html = await (await get(path)).text()
    expect(html).toContain(`https://www.laposte.fr/outils/suivre-vos-envois?code=${laPosteNumber(1)}`)
  })

  it('answers 304 to a revalidation with its strong ETag, and the page again once it changed', async () => {
    const first = await get(path)
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^"[^"]+"$/)
    const html = await first.text()
    expect((await get(path)).headers.get('etag')).toBe(etag)

    for (const ifNoneMatch of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
      const revalidated = await get(path, { 'if-none-match': ifNoneMatch })
      expect(revalidated.status, ifNoneMatch).toBe(304)
      expect(await revalidated.text()).toBe('')
      expect(revalidated.headers.get('etag')).toBe(etag)
      expect(revalidated.headers.get('vary')).toBe('Accept-Language')
    }
    const stale = await get(path, { 'if-none-match': '"other"' })
    expect(stale.status).toBe(200)
    expect(await stale.text()).toBe(html)

    const english = await get(`${path}?lang=en`, { 'if-none-match': etag })
    expect(english.status).toBe(200)
    expect(english.headers.get('etag')).not.toBe(etag)

    const [view] = await setup.harness.store.loadForPoll([id])
    if (!view) throw new Error('setup')
    await setup.harness.store.save([
      { before: view, record: { ...view.record, status: 'in_transit' }, nextPoll: undefined },
    ])
    const moved = await get(path, { 'if-none-match': etag })
    expect(moved.status).toBe(200)
    expect(moved.headers.get('etag')).not.toBe(etag)
  })

  it.each([
    ['no preference', {}, '', 'fr'],
    ['?lang=en', {}, '?lang=en', 'en'],
    ['?lang=fr over an English browser', { 'accept-language': 'en-GB,en;q=0.9' }, '?lang=fr', 'fr'],
    ['an unknown ?lang, then the browser', { 'accept-language': 'en-US' }, '?lang=de', 'en'],
    ['fr-CA', { 'accept-language': 'fr-CA' }, '', 'fr'],
    ['en-GB', { 'accept-language': 'en-GB' }, '', 'en'],
    ['German only', { 'accept-language': 'de-DE,de;q=0.9' }, '', 'fr'],
    ['German, then English', { 'accept-language': 'de-DE,de;q=0.9,en;q=0.8,fr;q=0.7' }, '', 'en'],
    ['qualities out of order', { 'accept-language': 'fr;q=0.5, en;q=0.8' }, '', 'en'],
    ['English refused', { 'accept-language': 'en;q=0, fr;q=0.1' }, '', 'fr'],
    ['a wildcard', { 'accept-language': '*' }, '', 'fr'],
    ['junk', { 'accept-language': ';;q=x,,' }, '', 'fr'],
  ])('speaks the language of %s', async (_case, headers, query, lang) => {
    const response = await get(`${path}${query}`, headers)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-language')).toBe(lang)
    expect(response.headers.get('vary')).toBe('Accept-Language')
    expect(await response.text()).toContain(`<html lang="${lang}"`)
  })

  it('answers one and the same 404 page for a token never given, rotated, deleted or of another shape', async () => {
    const rotated = await setup.register(laPosteNumber(2))
    await setup.harness.request(setup.key, `/v1/trackings/${rotated.id}/page-token`, { method: 'POST' })
    const deleted = await setup.register(laPosteNumber(3))
    await setup.harness.request(setup.key, `/v1/trackings/${deleted.id}`, { method: 'DELETE' })
    const answers = await Promise.all(
      [`/t/${randomToken()}`, rotated.path, deleted.path, '/t/short', `/t/${randomToken()}x`, '/t/a/b'].map(
        async (target) => {
          const response = await get(target)
          return {
            target,
            status: response.status,
            type: response.headers.get('content-type'),
            robots: response.headers.get('x-robots-tag'),
            csp: response.headers.get('content-security-policy'),
            body: await response.text(),
          }
        },
      ),
    )
    const [first] = answers
    expect(first).toMatchObject({ status: 404, type: 'text/html; charset=utf-8', robots: 'noindex' })
    for (const answer of answers) {
      expect({ ...answer, target: '' }, answer.target).toEqual({ ...first, target: '' })
    }
  })

  it('never asks the store about a token of another shape', async () => {
    const asked = setup.lookups.length
    const misshapen = [
      'short',
      `${randomToken()}A`,
      randomToken().slice(0, 21),
      `${randomToken().slice(0, 21)}=`,
      `${randomToken().slice(0, 21)}.`,
      '%2E%2E%2Fv1%2Ftrackings',
      encodeURIComponent(`${randomToken().slice(0, 21)}/`),
      'trk_AAAAAAAAAAAAAAAAAAAA',
    ]
    for (const token of misshapen) expect((await get(`/t/${token}`)).status, token).toBe(404)
    expect(setup.lookups.slice(asked)).toEqual([])
    expect((await get(path)).status).toBe(200)
    expect(setup.lookups.slice(asked)).toEqual([path.slice('/t/'.length)])
  })

  it('renders the page for GET (and HEAD) only: another method gets the 404 page', async () => {
    const notFound = await (await get(`/t/${randomToken()}`)).text()
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await setup.harness.app.request(path, { method })
      expect(response.status, method).toBe(404)
      expect(await response.text(), method).toBe(notFound)
    }
    const head = await setup.harness.app.request(path, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe((await get(path)).headers.get('etag'))
  })

  it('needs no API key, and ignores one', async () => {
    const plain = await get(path)
    const withKey = await setup.harness.request(setup.key, path)
    expect(withKey.status).toBe(200)
    expect(withKey.headers.get('etag')).toBe(plain.headers.get('etag'))
  })
})

describe('guessing page tokens', () => {
  /** Failed authentications an address may make; the one that crosses it is still answered. */
  const LIMIT = 199
  let setup: Awaited<ReturnType<typeof pageHarness>>

  beforeAll(async () => {
    setup = await pageHarness('tracking-page-guesses', {
      app: {
        rateLimits: createMemoryRateLimits({
          perKey: { max: 1_000, durationMs: 60_000 },
          authFailures: { max: LIMIT, durationMs: 60_000, blockMs: 600_000 },
        }),
        trustProxy: true,
      },
    })
  })

  afterAll(async () => {
    await setup.harness.close()
  })

  const get = (target: string, address: string) =>
    setup.harness.app.request(target, { headers: { 'x-forwarded-for': address } })

  it('answers 200 guesses from one address 404, then refuses that address with 429, the right token included', async () => {
    const { path } = await setup.register(laPosteNumber(1))
    const guesser = '203.0.113.7'
    const statuses: number[] = []
    for (let guess = 0; guess < LIMIT + 1; guess++)
      statuses.push((await get(`/t/${randomToken()}`, guesser)).status)
    expect(new Set(statuses)).toEqual(new Set([404]))

    const refused = await get(path, guesser)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('x-robots-tag')).toBe('noindex')
    expect(await refused.text()).not.toContain(laPosteNumber(1))
    expect((await get(`/t/${randomToken()}`, guesser)).status).toBe(429)

    expect((await get(path, '203.0.113.8')).status).toBe(200)
  })

  it('counts misshapen tokens as guesses too, and never the pages a shopper opens', async () => {
    const { path } = await setup.register(laPosteNumber(2))
    const shopper = '198.51.100.1'
    for (let visit = 0; visit < LIMIT + 20; visit++) expect((await get(path, shopper)).status).toBe(200)
    const prober = '198.51.100.2'
    for (let probe = 0; probe < LIMIT + 1; probe++) expect((await get('/t/nope', prober)).status).toBe(404)
    expect((await get(path, prober)).status).toBe(429)
  })
})

describe('page tokens in logs', () => {
  it('blanks the token out of the request line', async () => {
    const lines: string[] = []
    const logger = createLogger('info', {}, { destination: { write: (line) => lines.push(line) } })
    const setup = await pageHarness('tracking-page-logs', { logger })
    try {
      const { path } = await setup.register(laPosteNumber(1))
      expect((await setup.harness.app.request(path)).status).toBe(200)
      const token = path.slice('/t/'.length)
      const requestLines = lines.filter((line) => line.includes('"route":"/t/:token"'))
      expect(requestLines).toHaveLength(1)
      expect(requestLines[0]).toContain('"path":"/t/[REDACTED]"')
      expect(lines.join('')).not.toContain(token)
    } finally {
      await setup.harness.close()
    }
  })
})
