import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_LOGO_BYTES } from '../../src/api/branding/logo-upload.js'
import { createMemoryStores } from '../../src/main/stores.js'
import type { MerchantSettingsStore } from '../../src/store/merchant-settings-store.js'
import { validateJsonSchema } from '../support/json-schema.js'
import { pngOf, SIMPLE_SVG, WEBP_1PX } from '../support/logo-images.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { fetchSpec, type Spec } from './openapi-spec.js'
import { expectProblem } from './tracking-api.js'

interface Branding {
  displayName: string
  accentColor?: string
  supportUrl?: string
  supportEmail?: string
  showOrderId: boolean
  logoUrl?: string
  updatedAt: string
}

const BRANDING = {
  displayName: 'Maison Lumière',
  accentColor: '#1a56db',
  supportUrl: 'https://maison-lumiere.example/aide',
  supportEmail: 'aide@maison-lumiere.example',
  showOrderId: true,
}

const HOSTILE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(1)</script>
  <rect width="10" height="10" fill="#1a56db" onclick="alert(2)"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
  <a href="javascript:alert(3)"><text>x</text></a>
  <image href="https://tracker.example/p.png" width="1" height="1"/>
  <image xlink:href="http://tracker.example/q.png" width="1" height="1"/>
  <style>@import url(https://tracker.example/x.css); rect { fill: red }</style>
</svg>`

/** Calls a store method records, so a test can tell a request never reached the store. */
function recordingSettings(store: MerchantSettingsStore, calls: string[]): MerchantSettingsStore {
  return Object.fromEntries(
    Object.entries(store).map(([name, method]) => [
      name,
      (...args: unknown[]) => {
        calls.push(name)
        return (method as (...args: unknown[]) => unknown)(...args)
      },
    ]),
  ) as unknown as MerchantSettingsStore
}

describe('merchant branding and settings API', () => {
  let harness: MemoryHarness
  let keyA: string
  let spec: Spec
  const storeCalls: string[] = []

  const putBranding = (key: string, body: unknown) =>
    harness.request(key, '/v1/merchant/branding', { method: 'PUT', body: JSON.stringify(body) })
  const putLogo = (key: string, body: Uint8Array | string, contentType: string) =>
    harness.request(key, '/v1/merchant/branding/logo', {
      method: 'PUT',
      body: typeof body === 'string' ? body : new Uint8Array(body),
      headers: { 'content-type': contentType },
    })
  const patchSettings = (key: string, body: unknown) =>
    harness.request(key, '/v1/merchant/settings', { method: 'PATCH', body: JSON.stringify(body) })

  async function branded(key: string, body: unknown = BRANDING): Promise<Branding> {
    const response = await putBranding(key, body)
    const text = await response.text()
    expect(response.status, text).toBe(200)
    return JSON.parse(text) as Branding
  }

  async function uploaded(key: string, body: Uint8Array | string, contentType: string): Promise<Branding> {
    const response = await putLogo(key, body, contentType)
    const text = await response.text()
    expect(response.status, text).toBe(200)
    return JSON.parse(text) as Branding
  }

  function expectSchema(name: string, value: unknown) {
    expect(
      validateJsonSchema({ $ref: `#/components/schemas/${name}` }, value, { root: spec, closed: true }),
    ).toEqual([])
  }

  beforeAll(async () => {
    const stores = createMemoryStores()
    harness = await createMemoryHarness(
      'merchant-branding',
      {},
      {},
      { stores: { ...stores, merchantSettings: recordingSettings(stores.merchantSettings, storeCalls) } },
    )
    keyA = (await harness.apiKeys.create('shop-a')).key
    spec = await fetchSpec(harness.app)
  })

  afterAll(async () => {
    await harness?.close()
  })

  describe('branding', () => {
    it('answers 404 before any branding is set, and the branding once it is', async () => {
      const key = (await harness.apiKeys.create('shop-fresh')).key
      const problem = await expectProblem(
        await harness.request(key, '/v1/merchant/branding'),
        404,
        'not_found',
      )
      expect(problem.detail).toMatch(/PUT \/v1\/merchant\/branding/)
      const saved = await branded(key)
      expect(saved).toEqual({ ...BRANDING, updatedAt: expect.any(String) })
      expectSchema('Branding', saved)
      const read = await harness.request(key, '/v1/merchant/branding')
      expect(await read.json()).toEqual(saved)
    })

    it('writes the colour in lower case, trims the name and hides the order id unless asked', async () => {
      const key = (await harness.apiKeys.create('shop-defaults')).key
      const saved = await branded(key, { displayName: '  Lumière  ', accentColor: '#1A56DB' })
      expect(saved).toEqual({
        displayName: 'Lumière',
        accentColor: '#1a56db',
        showOrderId: false,
        updatedAt: expect.any(String),
      })
    })

    it('replaces the whole branding: a field left out is gone', async () => {
      const key = (await harness.apiKeys.create('shop-replace')).key
      await branded(key)
      const saved = await branded(key, { displayName: 'Lumière' })
      expect(saved).toEqual({ displayName: 'Lumière', showOrderId: false, updatedAt: expect.any(String) })
    })

    it.each([
      ['no name', { showOrderId: true }, '/displayName'],
      ['an empty name', { displayName: '   ' }, '/displayName'],
      ['a name too long', { displayName: 'x'.repeat(81) }, '/displayName'],
      ['a line break in the name', { displayName: 'Lumière\r\nBcc: x@example.com' }, '/displayName'],
      ['a short colour', { displayName: 'L', accentColor: '#fff' }, '/accentColor'],
      ['a colour name', { displayName: 'L', accentColor: 'navy' }, '/accentColor'],
      ['an http support URL', { displayName: 'L', supportUrl: 'http://maison.example/aide' }, '/supportUrl'],
      ['a javascript: support URL', { displayName: 'L', supportUrl: 'javascript:alert(1)' }, '/supportUrl'],
      [
        'a support URL on an IP address',
        { displayName: 'L', supportUrl: 'https://10.0.0.1/' },
        '/supportUrl',
      ],
      [
        'a support e-mail that is none',
        { displayName: 'L', supportEmail: 'aide at maison' },
        '/supportEmail',
      ],
      ['a showOrderId that is no boolean', { displayName: 'L', showOrderId: 'yes' }, '/showOrderId'],
      ['an unknown field', { displayName: 'L', logoUrl: 'https://evil.example/logo.png' }, '/logoUrl'],
    ])('refuses %s with 400 validation_failed', async (_name, body, pointer) => {
      const problem = await expectProblem(await putBranding(keyA, body), 400, 'validation_failed')
      expect(problem.errors?.map((error) => error.pointer)).toContain(pointer)
    })

    it('refuses a body that is not JSON', async () => {
      await expectProblem(
        await harness.request(keyA, '/v1/merchant/branding', {
          method: 'PUT',
          body: 'displayName=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        415,
        'unsupported_media_type',
      )
    })
  })

  describe('accent colour contrast', () => {
    it('refuses yellow on white with 422 insufficient_contrast, the ratio measured and the minimum', async () => {
      const key = (await harness.apiKeys.create('shop-yellow')).key
      const problem = await expectProblem(
        await putBranding(key, { displayName: 'Soleil', accentColor: '#FFFF00' }),
        422,
        'insufficient_contrast',
      )
      expect(problem).toMatchObject({ contrastRatio: 1.07, minimumContrastRatio: 4.5 })
      expect(problem.detail).toMatch(/#ffff00 .*1\.07:1.*4\.5:1/)
      expectSchema('Problem', problem)
      await expectProblem(await harness.request(key, '/v1/merchant/branding'), 404, 'not_found')
    })

    it.each([
      ['#1a56db', 200],
      ['#767676', 200],
      ['#000000', 200],
      ['#777777', 422],
      ['#ff0000', 422],
      ['#ffffff', 422],
    ])('answers %s with %i', async (accentColor, status) => {
      const response = await putBranding(keyA, { displayName: 'Lumière', accentColor })
      expect(response.status).toBe(status)
    })

    it('rounds the ratio down, so a colour just short of the minimum never reads as passing', async () => {
      const problem = await expectProblem(
        await putBranding(keyA, { displayName: 'Lumière', accentColor: '#777777' }),
        422,
        'insufficient_contrast',
      )
      expect(problem.contrastRatio).toBe(4.47)
    })
  })

  describe('logo upload', () => {
    let key: string

    beforeAll(async () => {
      key = (await harness.apiKeys.create('shop-logo')).key
    })

    it('needs the branding set first', async () => {
      const problem = await expectProblem(await putLogo(key, pngOf(16, 16), 'image/png'), 404, 'not_found')
      expect(problem.detail).toMatch(/branding/)
      await branded(key)
    })

    it('takes a PNG and serves it at its logoUrl, without an API key', async () => {
      const png = pngOf(32, 16)
      const saved = await uploaded(key, png, 'image/png')
      expect(saved.logoUrl).toMatch(/^\/assets\/logos\/shop-logo\/[0-9a-f]{64}$/)
      expectSchema('Branding', saved)
      const served = await harness.app.request(saved.logoUrl ?? '')
      expect(served.status).toBe(200)
      expect(served.headers.get('content-type')).toBe('image/png')
      expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true)
      const read = (await (await harness.request(key, '/v1/merchant/branding')).json()) as Branding
      expect(read.logoUrl).toBe(saved.logoUrl)
    })

    it('takes a WebP, whatever the case and parameters of its Content-Type', async () => {
      const saved = await uploaded(key, WEBP_1PX, 'Image/WebP; q=1')
      const served = await harness.app.request(saved.logoUrl ?? '')
      expect(served.headers.get('content-type')).toBe('image/webp')
    })

    it('takes a logo of exactly the size limit, and refuses one byte more with 413', async () => {
      const header = pngOf(64, 64)
      const padding = MAX_LOGO_BYTES - header.length - 12 - 'Comment\0'.length
      const largest = pngOf(64, 64, padding)
      expect(largest.length).toBe(MAX_LOGO_BYTES)
      await uploaded(key, largest, 'image/png')
      const problem = await expectProblem(
        await putLogo(key, pngOf(64, 64, padding + 1), 'image/png'),
        413,
        'payload_too_large',
      )
      expect(problem.detail).toMatch(String(MAX_LOGO_BYTES))
    })

    it.each([
      ['JSON', 'application/json'],
      ['a GIF', 'image/gif'],
      ['a JPEG', 'image/jpeg'],
      ['an SVG spelt as a prefix', 'image/svg+xml-evil'],
    ])('refuses %s with 415 unsupported_image_type', async (_name, contentType) => {
      await expectProblem(await putLogo(key, pngOf(1, 1), contentType), 415, 'unsupported_image_type')
    })

    it('refuses a body without a type with 415 unsupported_image_type', async () => {
      const response = await harness.app.request('/v1/merchant/branding/logo', {
        method: 'PUT',
        body: new Uint8Array(pngOf(1, 1)),
        headers: { authorization: `Bearer ${key}` },
      })
      await expectProblem(response, 415, 'unsupported_image_type')
    })

    it.each([
      ['a WebP sent as PNG', WEBP_1PX, 'image/png', /PNG signature/],
      ['a PNG sent as WebP', pngOf(1, 1), 'image/webp', /RIFF/],
      ['an SVG sent as PNG', Buffer.from(SIMPLE_SVG), 'image/png', /PNG signature/],
      ['an HTML page sent as PNG', Buffer.from('<html><script>alert(1)</script></html>'), 'image/png', /PNG/],
      ['a PNG too wide', pngOf(5000, 10), 'image/png', /at most 4096 px/],
      ['an empty body', Buffer.alloc(0), 'image/png', /PNG/],
      ['an SVG that is not XML', Buffer.from('<svg><rect></svg>'), 'image/svg+xml', /well-formed/],
      [
        'an SVG that is only a script',
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        'image/svg+xml',
        /nothing/,
      ],
    ])('refuses %s with 422 invalid_image', async (_name, body, contentType, reason) => {
      const before = (await (await harness.request(key, '/v1/merchant/branding')).json()) as Branding
      const problem = await expectProblem(await putLogo(key, body, contentType), 422, 'invalid_image')
      expect(problem.detail).toMatch(reason)
      const after = (await (await harness.request(key, '/v1/merchant/branding')).json()) as Branding
      expect(after.logoUrl).toBe(before.logoUrl)
    })

    it('stores a hostile SVG sanitized: no script, handler, foreignObject, script link or outside load', async () => {
      const saved = await uploaded(key, HOSTILE_SVG, 'image/svg+xml; charset=utf-8')
      const served = await harness.app.request(saved.logoUrl ?? '')
      expect(served.headers.get('content-type')).toBe('image/svg+xml')
      const svg = await served.text()
      expect(svg).toMatch(/^<svg /)
      expect(svg).toContain('<rect')
      expect(svg).not.toMatch(/<script|\son\w+=|foreignObject|javascript:|tracker\.example|@import/i)
      expect(saved.logoUrl).toMatch(/[0-9a-f]{64}$/)
      // Named by the bytes served, not by the bytes sent.
      expect(saved.logoUrl).not.toContain(createHash('sha256').update(HOSTILE_SVG).digest('hex'))
    })

    it('serves the logo cached for good, unsniffed, and an SVG sandboxed', async () => {
      const saved = await uploaded(key, SIMPLE_SVG, 'image/svg+xml')
      const served = await harness.app.request(saved.logoUrl ?? '')
      expect(served.status).toBe(200)
      expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(served.headers.get('x-content-type-options')).toBe('nosniff')
      expect(served.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      )
    })

    it('answers 404 at the URL of a replaced logo, and at every URL once the logo is removed', async () => {
      const first = await uploaded(key, pngOf(8, 8), 'image/png')
      const second = await uploaded(key, pngOf(9, 9), 'image/png')
      expect(second.logoUrl).not.toBe(first.logoUrl)
      await expectProblem(await harness.app.request(first.logoUrl ?? ''), 404, 'not_found')
      expect((await harness.app.request(second.logoUrl ?? '')).status).toBe(200)

      const removed = await harness.request(key, '/v1/merchant/branding/logo', { method: 'DELETE' })
      expect(removed.status).toBe(204)
      await expectProblem(await harness.app.request(second.logoUrl ?? ''), 404, 'not_found')
      const read = (await (await harness.request(key, '/v1/merchant/branding')).json()) as Branding
      expect(read.logoUrl).toBeUndefined()
      expect((await harness.request(key, '/v1/merchant/branding/logo', { method: 'DELETE' })).status).toBe(
        204,
      )
    })

    it('keeps the logo when the branding is set again', async () => {
      const saved = await uploaded(key, pngOf(10, 10), 'image/png')
      const rebranded = await branded(key, { displayName: 'Lumière' })
      expect(rebranded.logoUrl).toBe(saved.logoUrl)
    })
  })

  describe('settings', () => {
    it('gives the law’s withdrawal period until the merchant grants more', async () => {
      const key = (await harness.apiKeys.create('shop-settings')).key
      const read = await harness.request(key, '/v1/merchant/settings')
      expect(await read.json()).toEqual({ withdrawalDays: 14 })

      const patched = await patchSettings(key, { withdrawalDays: 30 })
      expect(patched.status).toBe(200)
      const body = await patched.json()
      expect(body).toEqual({ withdrawalDays: 30 })
      expectSchema('MerchantSettings', body)
      expect(await (await harness.request(key, '/v1/merchant/settings')).json()).toEqual({
        withdrawalDays: 30,
      })
      expect((await harness.merchantSettings.get('shop-settings'))?.withdrawalDays).toBe(30)

      expect(await (await patchSettings(key, {})).json()).toEqual({ withdrawalDays: 30 })
      expect(await (await patchSettings(key, { withdrawalDays: null })).json()).toEqual({
        withdrawalDays: 14,
      })
      expect((await harness.merchantSettings.get('shop-settings'))?.withdrawalDays).toBeUndefined()
    })

    it('takes the bounds themselves', async () => {
      expect(await (await patchSettings(keyA, { withdrawalDays: 14 })).json()).toEqual({ withdrawalDays: 14 })
      expect(await (await patchSettings(keyA, { withdrawalDays: 365 })).json()).toEqual({
        withdrawalDays: 365,
      })
    })

    it.each([
      ['fewer days than the law gives', { withdrawalDays: 13 }],
      ['more than a year', { withdrawalDays: 366 }],
      ['a fraction of a day', { withdrawalDays: 14.5 }],
      ['days as text', { withdrawalDays: '30' }],
      ['an unknown field', { returnDays: 30 }],
    ])('refuses %s with 400 validation_failed', async (_name, body) => {
      await expectProblem(await patchSettings(keyA, body), 400, 'validation_failed')
    })

    it('keeps the branding and the settings apart', async () => {
      const key = (await harness.apiKeys.create('shop-apart')).key
      await patchSettings(key, { withdrawalDays: 21 })
      await expectProblem(await harness.request(key, '/v1/merchant/branding'), 404, 'not_found')
      await branded(key)
      expect(await (await harness.request(key, '/v1/merchant/settings')).json()).toEqual({
        withdrawalDays: 21,
      })
    })
  })

  describe('merchants are isolated', () => {
    let logoUrlOfA: string

    beforeAll(async () => {
      const key = (await harness.apiKeys.create('shop-iso-a')).key
      await branded(key, { ...BRANDING, displayName: 'Boutique A' })
      logoUrlOfA = (await uploaded(key, pngOf(12, 12), 'image/png')).logoUrl ?? ''
      await patchSettings(key, { withdrawalDays: 40 })
    })

    it("shows no merchant another's branding or settings", async () => {
      const key = (await harness.apiKeys.create('shop-iso-b')).key
      await expectProblem(await harness.request(key, '/v1/merchant/branding'), 404, 'not_found')
      expect(await (await harness.request(key, '/v1/merchant/settings')).json()).toEqual({
        withdrawalDays: 14,
      })
    })

    it("lets no merchant change or remove another's logo", async () => {
      const key = (await harness.apiKeys.create('shop-iso-c')).key
      await expectProblem(await putLogo(key, pngOf(13, 13), 'image/png'), 404, 'not_found')
      await expectProblem(
        await harness.request(key, '/v1/merchant/branding/logo', { method: 'DELETE' }),
        404,
        'not_found',
      )
      await branded(key, { displayName: 'Boutique C' })
      await uploaded(key, pngOf(14, 14), 'image/png')
      await harness.request(key, '/v1/merchant/branding/logo', { method: 'DELETE' })
      expect((await harness.app.request(logoUrlOfA)).status).toBe(200)
      const settingsOfA = await harness.merchantSettings.get('shop-iso-a')
      expect(settingsOfA).toMatchObject({ branding: { displayName: 'Boutique A' }, withdrawalDays: 40 })
    })

    it("serves a logo only at its own merchant's path and exact hash", async () => {
      const sha256 = logoUrlOfA.split('/').at(-1) ?? ''
      expect((await harness.app.request(`/assets/logos/shop-iso-a/${sha256}`)).status).toBe(200)
      for (const path of [
        `/assets/logos/shop-iso-b/${sha256}`,
        `/assets/logos/shop-iso-a/${sha256.replace(/.$/, (last) => (last === '0' ? '1' : '0'))}`,
        `/assets/logos/shop-iso-a/${sha256.toUpperCase()}`,
        `/assets/logos/shop-iso-a/${sha256.slice(0, 63)}`,
        `/assets/logos/shop-iso-a/${sha256}x`,
      ]) {
        const problem = await expectProblem(await harness.app.request(path), 404, 'not_found')
        expect(JSON.stringify(problem)).not.toContain('Boutique')
      }
    })

    it('answers a malformed logo path without asking the store', async () => {
      const sha256 = logoUrlOfA.split('/').at(-1) ?? ''
      for (const path of [
        `/assets/logos/shop:iso-a/${sha256}`,
        `/assets/logos/..%2Fshop-iso-a/${sha256}`,
        `/assets/logos/shop-iso-a/${sha256}%3Asettings`,
        `/assets/logos/shop-iso-a/*`,
      ]) {
        storeCalls.length = 0
        await expectProblem(await harness.app.request(path), 404, 'not_found')
        expect(storeCalls, path).toEqual([])
      }
    })

    it('needs an API key for everything but the logo itself', async () => {
      for (const [method, path] of [
        ['GET', '/v1/merchant/branding'],
        ['PUT', '/v1/merchant/branding'],
        ['PUT', '/v1/merchant/branding/logo'],
        ['DELETE', '/v1/merchant/branding/logo'],
        ['GET', '/v1/merchant/settings'],
        ['PATCH', '/v1/merchant/settings'],
      ] as const) {
        storeCalls.length = 0
        await expectProblem(await harness.app.request(path, { method }), 401, 'unauthorized')
        expect(storeCalls).toEqual([])
      }
    })
  })
})
