import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryRateLimits } from '../../src/api/middleware/rate-limit.js'
import { createMemoryStores } from '../../src/main/stores.js'
import { SIMPLE_SVG } from '../support/logo-images.js'
import { createMemoryHarness } from '../support/memory-harness.js'
import { laPosteNumber, type TrackingBody } from './tracking-api.js'

const BASE = 'https://track.example.com'
/** Failed lookups an address may make; the one that crosses it is still answered. */
const LIMIT = 5
const NOT_FOUND_FR = 'Nous n’avons pas trouvé de colis pour ce numéro de commande et ce code postal.'
const NOT_FOUND_EN = 'We could not find a parcel for this order number and postal code.'

type Registration = {
  trackingNumber: string
  orderId?: string
  destinationPostalCode?: string
  destinationCountry?: string
}

async function lookupHarness(name: string) {
  const stores = createMemoryStores()
  /** What each lookup asked the stores, in order. */
  const asked: string[] = []
  const findByOrder = stores.trackings.findByOrder
  stores.trackings.findByOrder = (merchantId, orderId) => {
    asked.push('findByOrder')
    return findByOrder(merchantId, orderId)
  }
  const getSettings = stores.merchantSettings.get
  stores.merchantSettings.get = (merchantId) => {
    asked.push('merchantSettings.get')
    return getSettings(merchantId)
  }
  const harness = await createMemoryHarness(
    name,
    { PUBLIC_BASE_URL: BASE },
    {},
    {
      app: {
        rateLimits: createMemoryRateLimits({
          perKey: { max: 1_000, durationMs: 60_000 },
          authFailures: { max: LIMIT, durationMs: 60_000, blockMs: 600_000 },
        }),
        trustProxy: true,
        // Every lookup's store calls are counted, and branding is written to the store directly.
        merchantSettingsCacheMs: 0,
      },
      stores,
    },
  )
  const keys = new Map<string, string>()
  const keyOf = async (merchantId: string) => {
    let key = keys.get(merchantId)
    if (key === undefined) {
      key = (await harness.apiKeys.create(merchantId)).key
      keys.set(merchantId, key)
    }
    return key
  }
  const register = async (merchantId: string, registration: Registration) => {
    const response = await harness.request(await keyOf(merchantId), '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ carrier: 'laposte', ...registration }),
    })
    expect(response.status, await response.clone().text()).toBe(201)
    const body = (await response.json()) as TrackingBody
    return { id: body.id, pageUrl: String(body.trackingPageUrl) }
  }
  const lookup = (
    merchantId: string,
    fields: Record<string, string>,
    options: { address?: string; query?: string; headers?: Record<string, string> } = {},
  ) =>
    harness.app.request(`/track/${merchantId}${options.query ?? ''}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': options.address ?? '192.0.2.1',
        ...options.headers,
      },
      body: new URLSearchParams(fields).toString(),
    })
  return { harness, asked, keyOf, register, lookup }
}

/** What a visitor can tell of an answer: all of it but the date and the request's own id. */
async function seen(response: Response) {
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'),
  )
  return { status: response.status, headers, body: await response.text() }
}

describe('GET /track/{merchantId}', () => {
  let setup: Awaited<ReturnType<typeof lookupHarness>>

  beforeAll(async () => {
    setup = await lookupHarness('order-lookup-form')
  })

  afterAll(async () => {
    await setup.harness.close()
  })

  const get = (target: string, headers: Record<string, string> = {}) =>
    setup.harness.app.request(target, { headers })

  it('answers a form with the tracking page’s headers, needing no API key', async () => {
    const response = await get('/track/shop-a')
    expect(response.status).toBe(200)
    const page = await get('/t/AAAAAAAAAAAAAAAAAAAAAA')
    for (const name of [
      'content-type',
      'content-security-policy',
      'x-robots-tag',
      'referrer-policy',
      'x-content-type-options',
    ]) {
      expect(response.headers.get(name), name).toBe(page.headers.get(name))
    }
    expect(response.headers.get('content-security-policy')).toContain("form-action 'self'")
    expect(response.headers.get('cache-control')).toBe('no-cache')
  })

  it('labels each field, says how browsers may fill it, posts to itself, and runs no script', async () => {
    const html = await (await get('/track/shop-a')).text()
    expect(html).toMatch(/^<!doctype html>\n<html lang="fr">/)
    expect(html).not.toMatch(/<script|\son[a-z]+=|javascript:/i)
    const inputs = [...html.matchAll(/<input ([^>]*)\/?>/g)].map(([, attributes]) => attributes ?? '')
    expect(inputs).toHaveLength(2)
    for (const attributes of inputs) {
      const id = attributes.match(/\bid="([^"]+)"/)?.[1]
      expect(html, `label for ${id}`).toMatch(new RegExp(`<label for="${id}">[^<]+</label>`))
      expect(attributes).toMatch(/\brequired=""/)
      expect(attributes).toMatch(/\bautocomplete="[^"]+"/)
    }
    expect(html).toContain('name="orderId"')
    expect(html).toMatch(/name="postalCode"[^>]*autocomplete="shipping postal-code"/)
    expect(html).toContain('<form method="post" action="?lang=fr">')
    expect(html).toContain('<p class="shop">shop-a</p>')
  })

  it('speaks French or English as the tracking page does, with a switch', async () => {
    const english = await get('/track/shop-a', { 'accept-language': 'en-GB,en;q=0.9' })
    expect(english.headers.get('content-language')).toBe('en')
    expect(english.headers.get('vary')).toBe('Accept-Language')
    const html = await english.text()
    expect(html).toContain('<html lang="en">')
    expect(html).toContain('<label for="order-id">Order number</label>')
    expect(html).toContain('<a href="?lang=fr" hreflang="fr" lang="fr">Français</a>')
    const french = await (await get('/track/shop-a?lang=fr', { 'accept-language': 'en' })).text()
    expect(french).toContain('<label for="order-id">Numéro de commande</label>')
    expect(french).toContain('action="?lang=fr"')
  })

  it("wears the merchant's branding: name, accent colour and logo", async () => {
    const merchantId = 'shop-branded'
    await setup.harness.merchantSettings.putBranding(merchantId, {
      displayName: 'La Boutique <Verte>',
      accentColor: '#0b6e4f',
      showOrderId: false,
    })
    const plain = await (await get(`/track/${merchantId}`)).text()
    expect(plain).toContain('<p class="shop">La Boutique &lt;Verte&gt;</p>')
    expect(plain).toContain('--accent:#0b6e4f')

    const settings = await setup.harness.merchantSettings.putLogo(
      merchantId,
      Buffer.from(SIMPLE_SVG),
      'image/svg+xml',
    )
    const sha256 = settings?.branding?.logo?.sha256 ?? ''
    const withLogo = await (await get(`/track/${merchantId}`)).text()
    expect(withLogo).toContain(
      `<img src="${BASE}/assets/logos/${merchantId}/${sha256}" alt="La Boutique &lt;Verte&gt;"/>`,
    )
  })

  it('revalidates with its ETag', async () => {
    const first = await get('/track/shop-a')
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^"[^"]+"$/)
    const again = await get('/track/shop-a', { 'if-none-match': etag })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
  })

  it('answers the 404 page for a merchant id of no possible shape, asking no store', async () => {
    const from = setup.asked.length
    for (const target of ['/track/-shop', `/track/${'a'.repeat(65)}`, '/track/a%3Ab']) {
      const response = await get(target)
      expect(response.status, target).toBe(404)
      expect(response.headers.get('x-robots-tag'), target).toBe('noindex')
      const posted = await setup.harness.app.request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'orderId=A-1&postalCode=75011',
      })
      expect(posted.status, target).toBe(404)
      expect(await posted.text(), target).toBe(await response.text())
    }
    expect(setup.asked.slice(from)).toEqual([])
  })
})

describe('POST /track/{merchantId}', () => {
  let setup: Awaited<ReturnType<typeof lookupHarness>>
  let serial = 0
  const nextNumber = () => laPosteNumber(++serial)
  let addressSerial = 0
  /** An address of its own, so that no test's failures block another's. */
  const nextAddress = () => `198.51.100.${++addressSerial}`

  beforeAll(async () => {
    setup = await lookupHarness('order-lookup')
  })

  afterAll(async () => {
    await setup.harness.close()
  })

  it("sends the shopper to the page of the order's parcel at that postal code, however it is written", async () => {
    const paris = await setup.register('shop-a', {
      trackingNumber: nextNumber(),
      orderId: 'A-1001',
      destinationPostalCode: '75011',
    })
    const lyon = await setup.register('shop-a', {
      trackingNumber: nextNumber(),
      orderId: 'A-1001',
      destinationPostalCode: '69 003',
    })
    const london = await setup.register('shop-a', {
      trackingNumber: nextNumber(),
      orderId: 'A-1001',
      destinationCountry: 'GB',
      destinationPostalCode: 'SW1A 1AA',
    })
    const address = nextAddress()
    for (const [postalCode, parcel] of [
      ['75011', paris],
      ['75 011', paris],
      [' 69003 ', lyon],
      ['sw1a1aa', london],
      ['SW1A 1AA', london],
    ] as const) {
      const response = await setup.lookup('shop-a', { orderId: 'A-1001', postalCode }, { address })
      expect(response.status, postalCode).toBe(303)
      expect(response.headers.get('location'), postalCode).toBe(`${parcel.pageUrl}?lang=fr`)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    }
    const english = await setup.lookup(
      'shop-a',
      { orderId: 'A-1001', postalCode: '75011' },
      { address, query: '?lang=en' },
    )
    expect(english.headers.get('location')).toBe(`${paris.pageUrl}?lang=en`)
  })

  it('lists the parcels of an order that go to the same postal code, each linking to its page', async () => {
    const numbers = [nextNumber(), nextNumber()]
    const parcels = []
    for (const trackingNumber of numbers) {
      parcels.push(
        await setup.register('shop-a', { trackingNumber, orderId: 'A-2002', destinationPostalCode: '13001' }),
      )
    }
    const response = await setup.lookup('shop-a', { orderId: 'A-2002', postalCode: '13001' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await response.text()
    expect(html).toMatch(/^<!doctype html>\n<html lang="fr">/)
    expect(html).not.toMatch(/<script/i)
    const links = [...html.matchAll(/<li><a href="([^"]+)">([^<]+)<\/a><\/li>/g)]
    expect(links.map(([, href]) => href).sort()).toEqual(
      parcels.map(({ pageUrl }) => `${pageUrl}?lang=fr`).sort(),
    )
    for (const [, , text] of links) {
      expect(text).toMatch(
        /^La Poste \(Colissimo, Lettre suivie, Chronopost\) 6A\d+ — En attente du transporteur$/,
      )
    }
    expect(links.map(([, , text]) => text?.split(' — ')[0]?.split(' ').at(-1)).sort()).toEqual(
      [...numbers].sort(),
    )
  })

  it("finds each merchant's own parcels when two share an order id", async () => {
    const a = await setup.register('shop-a', {
      trackingNumber: nextNumber(),
      orderId: '3003',
      destinationPostalCode: '33000',
    })
    const b = await setup.register('shop-b', {
      trackingNumber: nextNumber(),
      orderId: '3003',
      destinationPostalCode: '33000',
    })
    const found = async (merchantId: string) =>
      (await setup.lookup(merchantId, { orderId: '3003', postalCode: '33000' })).headers.get('location')
    expect(await found('shop-a')).toBe(`${a.pageUrl}?lang=fr`)
    expect(await found('shop-b')).toBe(`${b.pageUrl}?lang=fr`)
  })

  it('gives one and the same answer for an unknown merchant, an unknown order, another postal code and a parcel without one', async () => {
    const merchantId = 'shop-new'
    // Each from an address of its own: the answers must not differ by the limit either. What each
    // asks the stores stands for its timing.
    const ask = async (asked: string, orderId: string, postalCode: string) => {
      const from = setup.asked.length
      const answer = await seen(
        await setup.lookup(asked, { orderId, postalCode }, { address: nextAddress() }),
      )
      return { ...answer, storeCalls: setup.asked.slice(from).sort() }
    }
    const beforeItExisted = await ask(merchantId, 'N-1', '75011')

    await setup.register(merchantId, {
      trackingNumber: nextNumber(),
      orderId: 'N-1',
      destinationPostalCode: '75011',
    })
    await setup.register(merchantId, {
      trackingNumber: nextNumber(),
      orderId: 'N-2',
      destinationPostalCode: '69001',
    })
    await setup.register(merchantId, { trackingNumber: nextNumber(), orderId: 'N-3' })
    await setup.register('shop-a', {
      trackingNumber: nextNumber(),
      orderId: 'S-1',
      destinationPostalCode: '75011',
    })
    expect((await setup.lookup(merchantId, { orderId: 'N-1', postalCode: '75011' })).status).toBe(303)
    const answers = {
      'unknown order': await ask(merchantId, 'N-9', '75011'),
      'another postal code': await ask(merchantId, 'N-1', '75012'),
      'the postal code of another of its orders': await ask(merchantId, 'N-1', '69001'),
      'a parcel registered without postal code': await ask(merchantId, 'N-3', '75011'),
      'an order id no registration takes': await ask(merchantId, 'N'.repeat(129), '75011'),
      "another merchant's order": await ask(merchantId, 'S-1', '75011'),
    }
    expect(beforeItExisted.status).toBe(404)
    expect(beforeItExisted.body).toContain(NOT_FOUND_FR)
    expect(beforeItExisted.body).toContain('<form method="post"')
    expect(beforeItExisted.body).not.toContain('N-1')
    expect(beforeItExisted.headers['cache-control']).toBe('no-store')
    expect(beforeItExisted.storeCalls).toEqual(['findByOrder', 'merchantSettings.get'])
    for (const [reason, answer] of Object.entries(answers)) expect(answer, reason).toEqual(beforeItExisted)

    // Another unknown merchant: the same page, but for the id in its own URL.
    const ghost = await ask('ghost-shop', 'N-1', '75011')
    expect({ ...ghost, body: ghost.body.replaceAll('ghost-shop', merchantId) }).toEqual(beforeItExisted)
  })

  it('says it found nothing in English too', async () => {
    const response = await setup.lookup(
      'shop-a',
      { orderId: 'none', postalCode: '75011' },
      { address: nextAddress(), headers: { 'accept-language': 'en' } },
    )
    expect(response.status).toBe(404)
    expect(response.headers.get('content-language')).toBe('en')
    expect(await response.text()).toContain(NOT_FOUND_EN)
  })

  it('asks for both fields again, without counting it as a failed lookup', async () => {
    await setup.register('shop-a', {
      trackingNumber: nextNumber(),
      orderId: 'F-1',
      destinationPostalCode: '44000',
    })
    const address = nextAddress()
    for (let attempt = 0; attempt < LIMIT + 3; attempt++) {
      for (const fields of [
        { orderId: 'F-1' } as Record<string, string>,
        { postalCode: '44000' },
        { orderId: ' ', postalCode: '44000' },
      ]) {
        const response = await setup.lookup('shop-a', fields, { address })
        expect(response.status).toBe(400)
        expect(await response.text()).toContain(
          'Indiquez le numéro de commande et le code postal de livraison.',
        )
      }
    }
    const notForm = await setup.harness.app.request('/track/shop-a', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ orderId: 'F-1', postalCode: '44000' }),
    })
    expect(notForm.status).toBe(400)
    const found = await setup.lookup('shop-a', { orderId: 'F-1', postalCode: '44000' }, { address })
    expect(found.status).toBe(303)
  })

  it('refuses a body longer than two short fields need', async () => {
    const response = await setup.lookup(
      'shop-a',
      { orderId: 'A-1001', postalCode: '75011', padding: 'x'.repeat(8 * 1024) },
      { address: nextAddress() },
    )
    expect(response.status).toBe(413)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
  })

  it('refuses an address after a burst of failed lookups, a right one included, and no other address', async () => {
    const order = { orderId: 'T-1', postalCode: '59000' }
    await setup.register('shop-a', {
      trackingNumber: nextNumber(),
      orderId: 'T-1',
      destinationPostalCode: '59000',
    })
    const guesser = nextAddress()
    const statuses: number[] = []
    for (let guess = 0; guess < LIMIT + 1; guess++) {
      const response = await setup.lookup(
        'shop-a',
        { orderId: `T-${guess + 2}`, postalCode: '59000' },
        { address: guesser },
      )
      statuses.push(response.status)
    }
    expect(new Set(statuses)).toEqual(new Set([404]))

    const refused = await setup.lookup('shop-a', order, { address: guesser })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(refused.headers.get('x-robots-tag')).toBe('noindex')
    const html = await refused.text()
    expect(html).toMatch(/^<!doctype html>\n<html lang="fr">/)
    expect(html).not.toContain('T-1')
    expect((await setup.lookup('ghost-shop', order, { address: guesser })).status).toBe(429)

    const other = await setup.lookup('shop-a', order, { address: nextAddress() })
    expect(other.status).toBe(303)
  })

  it('counts failed lookups and wrong page tokens against the same limit', async () => {
    const address = nextAddress()
    for (let guess = 0; guess < LIMIT + 1; guess++) {
      const response = await setup.harness.app.request('/t/AAAAAAAAAAAAAAAAAAAAAA', {
        headers: { 'x-forwarded-for': address },
      })
      expect(response.status).toBe(404)
    }
    expect(
      (await setup.lookup('shop-a', { orderId: 'A-1001', postalCode: '75011' }, { address })).status,
    ).toBe(429)
  })
})
