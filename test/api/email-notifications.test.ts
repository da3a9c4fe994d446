import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmailNotificationView } from '../../src/api/email-subscription.js'
import { unsubscribeToken } from '../../src/email/unsubscribe-token.js'
import { createMemoryStores, type MemoryStores } from '../../src/main/stores.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { expectProblem, laPosteNumber, type TrackingBody } from './tracking-api.js'

const SMTP = { SMTP_URL: 'smtp://127.0.0.1:2525', SMTP_FROM: 'Boutique <suivi@example.com>' }
const ADDRESS = 'marie.dupont@example.com'

describe('e-mail notifications of a tracking', () => {
  let harness: MemoryHarness
  let stores: MemoryStores
  let key: string
  let serial = 100

  const register = async (body: Record<string, unknown> = {}) => {
    const response = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: laPosteNumber(serial++), carrier: 'laposte', ...body }),
    })
    return response
  }
  const trackingId = async () => ((await (await register()).json()) as TrackingBody).id
  const subscribe = (id: string, body: Record<string, unknown>, apiKey = key) =>
    harness.request(apiKey, `/v1/trackings/${id}/notifications`, {
      method: 'POST',
      body: JSON.stringify(body),
    })
  const list = async (id: string) => {
    const response = await harness.request(key, `/v1/trackings/${id}/notifications`)
    expect(response.status).toBe(200)
    return ((await response.json()) as { data: EmailNotificationView[] }).data
  }

  beforeAll(async () => {
    stores = createMemoryStores()
    harness = await createMemoryHarness('email-notifications', SMTP, {}, { stores })
    key = (await harness.apiKeys.create('shop-a')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  it('creates one, shows its address to the merchant with an empty log, and deletes it', async () => {
    const id = await trackingId()
    const created = await subscribe(id, { channel: 'email', to: ADDRESS, lang: 'en', events: ['delivered'] })
    expect(created.status).toBe(201)
    const view = (await created.json()) as EmailNotificationView
    expect(view).toMatchObject({
      id: expect.stringMatching(/^ntf_[A-Za-z0-9]{20}$/),
      channel: 'email',
      to: ADDRESS,
      lang: 'en',
      events: ['delivered'],
      state: 'active',
      deliveries: [],
    })
    expect(JSON.stringify(view)).not.toContain('unsubscribeSecret')
    expect(await list(id)).toEqual([view])

    const deleted = await harness.request(key, `/v1/trackings/${id}/notifications/${view.id}`, {
      method: 'DELETE',
    })
    expect(deleted.status).toBe(204)
    expect(await list(id)).toEqual([])
    await expectProblem(
      await harness.request(key, `/v1/trackings/${id}/notifications/${view.id}`, { method: 'DELETE' }),
      404,
      'not_found',
    )
  })

  it('defaults to every milestone, in French for a parcel to France', async () => {
    const view = (await (
      await subscribe(await trackingId(), { channel: 'email', to: ADDRESS })
    ).json()) as EmailNotificationView
    expect(view.lang).toBe('fr')
    expect(view.events).toEqual([
      'shipped',
      'out_for_delivery',
      'available_for_pickup',
      'pickup_reminder',
      'failed_attempt',
      'delivered',
      'delayed',
      'returned_to_sender',
    ])
  })

  it('refuses an address that is not one, an unknown milestone, another channel, and a fourth one', async () => {
    const id = await trackingId()
    for (const body of [
      { channel: 'email', to: 'not-an-address' },
      { channel: 'email', to: 'Marie <marie@example.com>' },
      { channel: 'email', to: 'marie@example.com\r\nBcc: x@example.com' },
      { channel: 'email', to: ADDRESS, events: ['teleported'] },
      { channel: 'email', to: ADDRESS, events: ['delivered', 'delivered'] },
      { channel: 'sms', to: ADDRESS },
      { channel: 'email', to: ADDRESS, lang: 'de' },
    ]) {
      await expectProblem(await subscribe(id, body), 400, 'validation_failed')
    }
    for (const index of [1, 2, 3]) {
      expect((await subscribe(id, { channel: 'email', to: `shopper${index}@example.com` })).status).toBe(201)
    }
    await expectProblem(
      await subscribe(id, { channel: 'email', to: 'shopper4@example.com' }),
      422,
      'too_many_notifications',
    )
  })

  it("answers 404 for another merchant's tracking, and for a tracking that is gone", async () => {
    const id = await trackingId()
    const other = (await harness.apiKeys.create('shop-b')).key
    await expectProblem(await subscribe(id, { channel: 'email', to: ADDRESS }, other), 404, 'not_found')
    await harness.request(key, `/v1/trackings/${id}`, { method: 'DELETE' })
    await expectProblem(await subscribe(id, { channel: 'email', to: ADDRESS }), 404, 'not_found')
  })

  it('takes notifyEmail at registration, once per address, never on the tracking itself', async () => {
    const number = laPosteNumber(serial++)
    const body = { trackingNumber: number, carrier: 'laposte', notifyEmail: ADDRESS }
    const first = await harness.request(key, '/v1/trackings', { method: 'POST', body: JSON.stringify(body) })
    expect(first.status).toBe(201)
    const tracking = (await first.json()) as TrackingBody
    expect(JSON.stringify(tracking)).not.toContain(ADDRESS)
    const again = await harness.request(key, '/v1/trackings', { method: 'POST', body: JSON.stringify(body) })
    expect(again.status).toBe(200)
    expect(JSON.stringify(await again.json())).not.toContain(ADDRESS)
    const listed = await list(tracking.id)
    expect(listed.map((view) => view.to)).toEqual([ADDRESS])
    const stored = await harness.store.get('shop-a', tracking.id)
    expect(JSON.stringify(stored)).not.toContain(ADDRESS)

    const batch = await harness.request(key, '/v1/trackings/batch', {
      method: 'POST',
      body: JSON.stringify({
        trackings: [{ trackingNumber: laPosteNumber(serial++), carrier: 'laposte', notifyEmail: ADDRESS }],
      }),
    })
    const [result] = ((await batch.json()) as { results: Array<{ status: number; body: TrackingBody }> })
      .results
    expect(result?.status).toBe(201)
    expect((await list(result?.body.id ?? '')).map((view) => view.to)).toEqual([ADDRESS])
  })

  describe('one-click unsubscribe', () => {
    let id: string
    let view: EmailNotificationView
    let token: string

    beforeAll(async () => {
      id = await trackingId()
      view = (await (
        await subscribe(id, { channel: 'email', to: ADDRESS, lang: 'en' })
      ).json()) as EmailNotificationView
      const stored = await stores.emails.get(id, view.id)
      token = unsubscribeToken(id, view.id, stored?.unsubscribeSecret ?? '')
    })

    it('shows a page with one button and no script, then stops the e-mails on POST, the same answer each time', async () => {
      const page = await harness.app.request(`/unsubscribe/${token}`)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(page.headers.get('referrer-policy')).toBe('no-referrer')
      const html = await page.text()
      expect(html).toMatch(/<form method="post"><button type="submit">Unsubscribe<\/button><\/form>/)
      expect(html).not.toMatch(/<script/i)
      expect((await list(id))[0]?.state).toBe('active')

      const post = () =>
        harness.app.request(`/unsubscribe/${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        })
      const first = await post()
      expect(first.status).toBe(200)
      const answer = await first.text()
      expect(answer).toContain('no more e-mails')
      const [after] = await list(id)
      expect(after?.state).toBe('unsubscribed')
      const replay = await post()
      expect(replay.status).toBe(200)
      expect(await replay.text()).toBe(answer)
      expect((await list(id))[0]?.unsubscribedAt).toBe(after?.unsubscribedAt)
    })

    it('answers the same 404 to a guess, an altered secret and a token naming another tracking', async () => {
      const otherId = await trackingId()
      const other = (await (
        await subscribe(otherId, { channel: 'email', to: ADDRESS })
      ).json()) as EmailNotificationView
      const otherSecret = (await stores.emails.get(otherId, other.id))?.unsubscribeSecret ?? ''
      const secret = token.split('.')[2] ?? ''
      const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`
      const attempts = [
        'nothing',
        unsubscribeToken(id, view.id, flipped),
        unsubscribeToken(otherId, view.id, secret),
        unsubscribeToken(id, other.id, otherSecret),
        unsubscribeToken(id, view.id, 'A'.repeat(32)),
      ]
      const bodies = new Set<string>()
      for (const attempt of attempts) {
        const response = await harness.app.request(`/unsubscribe/${attempt}`, {
          method: 'POST',
          headers: { accept: 'text/html' },
        })
        expect(response.status).toBe(404)
        expect(response.headers.get('content-type')).toMatch(/^text\/html/)
        bodies.add(await response.text())
        // A mail client's one-click POST asks for no page: the problem, the same for every failure.
        const problem = await expectProblem(
          await harness.app.request(`/unsubscribe/${attempt}`, { method: 'POST' }),
          404,
          'not_found',
        )
        bodies.add(problem.detail ?? '')
      }
      expect(bodies.size).toBe(2)
      expect((await list(otherId))[0]?.state).toBe('active')
    })
  })
})

describe('e-mail notifications without an SMTP server', () => {
  let harness: MemoryHarness
  let key: string

  beforeAll(async () => {
    harness = await createMemoryHarness('email-not-configured')
    key = (await harness.apiKeys.create('shop-a')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  it('refuses them with email_not_configured, at registration before anything is registered', async () => {
    const number = laPosteNumber(7)
    const registered = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: number, carrier: 'laposte', notifyEmail: ADDRESS }),
    })
    await expectProblem(registered, 422, 'email_not_configured')
    const page = await harness.store.list('shop-a', { limit: 10 })
    expect(page.data).toEqual([])

    const plain = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: number, carrier: 'laposte' }),
    })
    const { id } = (await plain.json()) as TrackingBody
    await expectProblem(
      await harness.request(key, `/v1/trackings/${id}/notifications`, {
        method: 'POST',
        body: JSON.stringify({ channel: 'email', to: ADDRESS }),
      }),
      422,
      'email_not_configured',
    )
  })
})
