import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SESSION_COOKIE } from '../../src/api/dashboard/dashboard-cookies.js'
import { sessionDigest } from '../../src/store/dashboard-session-store.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { dashboardBrowser } from '../support/dashboard-browser-session.js'
import {
  dashboardParcels,
  onTimeOf,
  openAlerts,
  playDashboardParcels,
} from '../support/dashboard-journeys.js'
import { createHarness, type Harness } from '../support/harness.js'
import { uniquePrefix } from '../support/redis.js'

/**
 * The dashboard as `colis serve` builds it, on Redis: its sessions in Redis under the digest of their
 * id, the alert counts and analytics cells of the Redis store, and keys revoked in Redis.
 */
describe('the dashboard on Redis', () => {
  const prefix = uniquePrefix('dashboard')
  const keys = createRedisKeys(prefix)
  let harness: Harness
  let key: string
  let keyId: string

  beforeAll(async () => {
    harness = await createHarness(
      'dashboard-redis',
      { COLIS_REDIS_PREFIX: prefix },
      {},
      { app: { now: () => new Date('2026-12-06T11:00:00+01:00') } },
    )
    const created = await harness.apiKeys.create('shop-dash-redis')
    key = created.key
    keyId = created.keyId
    const request = (path: string, init: RequestInit) => harness.request(key, path, init)
    await playDashboardParcels(
      request,
      harness.store,
      dashboardParcels().filter((parcel) => parcel.carrier === 'sandbox'),
    )
    await openAlerts(request, harness.store, 'SBXDELIVERED401', ['late', 'stalled'])
  })
  afterAll(() => harness.close())

  it('keeps a session in Redis while it lasts, and shows the figures of the Redis stores', async () => {
    const browser = dashboardBrowser(harness.app)
    expect((await browser.signIn(key)).status).toBe(303)
    const id = browser.jar.get(SESSION_COOKIE) ?? ''
    const stored = keys.dashboardSession(sessionDigest(id))
    expect(await harness.redis.pttl(stored)).toBeGreaterThan(29 * 60_000)
    expect(await harness.redis.get(stored)).not.toContain(key.slice(19))

    const $ = load(await (await browser.get('/dashboard?lang=en')).text())
    const row = (caption: string, header: string) =>
      $('table')
        .filter((_, table) => $(table).find('caption').text() === caption)
        .find('tbody tr')
        .filter((_, tr) => $(tr).find('th').text() === header)
        .find('td')
        .map((_, td) => $(td).text())
        .get()
    const w47 = onTimeOf(dashboardParcels().filter((p) => p.carrier === 'sandbox' && p.week === '2026-W47'))
    expect(row('Delivered by the promised date, per week', '2026-W47')).toEqual([
      `${Math.round((w47.rate ?? 0) * 100)}% (${w47.sample} parcels)`,
    ])
    expect(row('Open alerts', 'Late')).toEqual(['1'])
    expect(row('Open alerts', 'Stalled')).toEqual(['1'])

    const logout = await browser.post('/dashboard/logout', {
      csrf: $('form[action="/dashboard/logout?lang=en"] input[name="csrf"]').attr('value') ?? '',
    })
    expect(logout.status).toBe(303)
    expect(await harness.redis.exists(stored)).toBe(0)
  })

  it('ends a session when its key is revoked in Redis', async () => {
    const browser = dashboardBrowser(harness.app)
    expect((await browser.signIn(key)).status).toBe(303)
    await harness.apiKeys.revoke(keyId)
    const html = await (await browser.get('/dashboard?lang=en')).text()
    expect(html).toContain('The API key of this session was revoked')
    expect(await harness.redis.keys(`${prefix}:dash:session:*`)).toEqual([])
  })
})
