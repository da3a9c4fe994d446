import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { type RunningService, startService } from '../../src/main/service.js'
import { secretOf } from '../support/api-key.js'
import { DPD_WEBTRACE_JOURNEY, webtraceAnswer, webtraceFault } from '../support/dpd-webtrace.js'
import { eventually } from '../support/harness.js'
import { testRedisUrl, uniquePrefix } from '../support/redis.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const BASE = 'https://api.laposte.test'
const OKAPI_KEY = 'okapi-live-7f3c9a1e5b2d4c6f8a0e'
const ADMIN_TOKEN = 'admin-token-for-the-log-test-0123456789'
const DELIVERED = '8K00009775862'
const FAILING = '6Q01929938641'
const DPD_BASE = 'https://webtrace.dpd.test'
const DPD_PATH = '/trace-service/Webtrace_Service.asmx'
const DPD_USER = 'dpd-user-4711'
const DPD_PASSWORD = 'dpd-pass-9c2e71b0'
const DPD_TRACKED = '10654000122441'
const DPD_ECHOING = '10658000986984'
const SCANS = [
  { code: 'PC1', label: 'Votre colis a été déposé.', date: '2026-11-18T14:43:00+01:00' },
  { code: 'ET1', label: 'Votre colis est en transit.', date: '2026-11-19T07:34:12+01:00' },
]

type LogLine = Record<string, unknown> & { msg?: string; requestId?: string }

/**
 * The whole service, as `colis serve` runs it, logging at `trace` into memory: a real API key, a
 * webhook endpoint and its secret, a La Poste key used on every poll, the admin token. Not one of
 * them may appear in any line, whatever the line is about.
 */
describe('logs: structured JSON with request ids, and never a secret', () => {
  const lines: string[] = []
  let service: RunningService
  let base: string
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>

  beforeAll(async () => {
    nock.disableNetConnect()
    nock.enableNetConnect('127.0.0.1')
    nock(BASE)
      .persist()
      .matchHeader('x-okapi-key', OKAPI_KEY)
      .get(`/suivi/v2/idships/${DELIVERED}`)
      .query(true)
      .reply(200, {
        returnCode: 200,
        shipment: { idShip: DELIVERED, holder: 4, event: [...SCANS].reverse() },
      })
    // A misbehaving gateway that echoes the request headers, the key among them, in its error page.
    nock(BASE)
      .persist()
      .get(`/suivi/v2/idships/${FAILING}`)
      .query(true)
      .reply(502, `<html>Bad gateway. Request headers: X-Okapi-Key: ${OKAPI_KEY}</html>`)
    // DPD France with contract credentials: one parcel answered, one behind a fault that echoes the request.
    nock(DPD_BASE)
      .persist()
      .post(DPD_PATH, (body: string) => body.includes(`<c:ShipmentNumber>${DPD_TRACKED}<`))
      .reply(200, webtraceAnswer(DPD_TRACKED, DPD_WEBTRACE_JOURNEY.slice(0, 2)))
    nock(DPD_BASE)
      .persist()
      .post(DPD_PATH, (body: string) => body.includes(`<c:ShipmentNumber>${DPD_ECHOING}<`))
      .reply(500, (_uri, body) => {
        const header = /<soap:Header>.*<\/soap:Header>/.exec(String(body))?.[0]
        return webtraceFault('soap:Server', `Cannot read the request header ${header}`)
      })
    receiver = await startWebhookReceiver()
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      REDIS_URL: testRedisUrl(),
      COLIS_REDIS_PREFIX: uniquePrefix('log-secrets'),
      HOST: '127.0.0.1',
      PORT: '0',
      LAPOSTE_API_KEY: OKAPI_KEY,
      LAPOSTE_BASE_URL: `${BASE}/suivi/v2`,
      COLIS_ADMIN_TOKEN: ADMIN_TOKEN,
      DPD_FR_USER: DPD_USER,
      DPD_FR_PASSWORD: DPD_PASSWORD,
      DPD_FR_BASE_URL: `${DPD_BASE}${DPD_PATH}`,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      POLL_CALENDAR: 'off',
      POLL_DISPATCH_INTERVAL: '50ms',
      POLL_PENDING: '200ms-300ms',
      POLL_RETRY: '200ms-300ms',
      POLL_IN_TRANSIT: '200ms-300ms',
    })
    const logger = createLogger(
      config.LOG_LEVEL,
      { app: 'colis' },
      { destination: { write: (line) => lines.push(line) } },
    )
    service = await startService(config, 'all', logger)
    base = service.url ?? ''
  })

  afterAll(async () => {
    await service?.stop()
    await receiver.close()
    nock.cleanAll()
    nock.enableNetConnect()
  })

  const parsed = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine)

  it('logs the whole journey of a parcel without a single secret', async () => {
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-logs' }),
    })
    expect(created.status).toBe(201)
    const { key } = (await created.json()) as { key: string }
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }

    const endpoint = await fetch(`${base}/v1/webhooks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ url: receiver.url }),
    })
    expect(endpoint.status).toBe(201)
    const { secret } = (await endpoint.json()) as { secret: string }
    expect(secret).toMatch(/^whsec_/)

    for (const trackingNumber of [DELIVERED, FAILING]) {
      const registered = await fetch(`${base}/v1/trackings`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ trackingNumber, carrier: 'laposte' }),
      })
      expect(registered.status).toBe(201)
    }
    // A wrong key, a key in a query string, a key in a body: all of them end up in no line.
    const wrongKey = `${key.slice(0, -4)}AAAA`
    expect(
      (await fetch(`${base}/v1/trackings`, { headers: { authorization: `Bearer ${wrongKey}` } })).status,
    ).toBe(401)
    expect((await fetch(`${base}/v1/trackings?api_key=${key}`, { headers: auth })).status).toBeLessThan(500)
    await fetch(`${base}/v1/trackings`, { method: 'POST', headers: auth, body: `{"note": "${key}", ` })

    await eventually(
      async () => receiver.received.length,
      (count) => count > 0,
    )
    // Both parcels polled: the delivered one and the one behind the leaky gateway.
    await eventually(
      async () =>
        new Set(parsed().flatMap((line) => (line.msg === 'poll saved' ? [line.trackingId] : []))).size,
      (count) => count === 2,
    )

    const output = lines.join('')
    expect(parsed().filter((line) => line.msg === 'request').length).toBeGreaterThanOrEqual(7)
    const secrets = {
      'API key': key,
      'API key secret': secretOf(key),
      'wrong API key secret': secretOf(wrongKey),
      'webhook secret': secret,
      'webhook secret body': secret.slice('whsec_'.length),
      'La Poste key': OKAPI_KEY,
      'admin token': ADMIN_TOKEN,
    }
    for (const [name, value] of Object.entries(secrets)) expect(output.includes(value), name).toBe(false)
  })

  it('polls DPD France with its contract credentials, and neither logs nor shows them', async () => {
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-dpd-logs' }),
    })
    const { key } = (await created.json()) as { key: string }
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
    const ids: string[] = []
    for (const trackingNumber of [DPD_TRACKED, DPD_ECHOING]) {
      const registered = await fetch(`${base}/v1/trackings`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ trackingNumber, carrier: 'dpd' }),
      })
      expect(registered.status).toBe(201)
      ids.push(((await registered.json()) as { id: string }).id)
    }
    const trackings = await eventually(
      () =>
        Promise.all(
          ids.map(async (id) => {
            const response = await fetch(`${base}/v1/trackings/${id}`, { headers: auth })
            return (await response.json()) as { status: string; lastError?: { message: string } }
          }),
        ),
      ([tracked, echoing]) => tracked?.status === 'in_transit' && echoing?.lastError !== undefined,
    )
    expect(trackings[1]?.lastError?.message).toContain('[REDACTED]')
    const output = lines.join('')
    for (const value of [DPD_USER, DPD_PASSWORD]) {
      expect(output.includes(value), value).toBe(false)
      expect(JSON.stringify(trackings).includes(value), value).toBe(false)
    }
  })

  it('writes one JSON line per request with its request id, route, status and duration', async () => {
    const asked = await fetch(`${base}/v1/carriers`, { headers: { 'x-request-id': 'trace-abc-123' } })
    expect(asked.headers.get('x-request-id')).toBe('trace-abc-123')
    const insane = await fetch(`${base}/v1/carriers`, { headers: { 'x-request-id': 'no spaces {allowed}' } })
    const generated = insane.headers.get('x-request-id') ?? ''
    expect(generated).not.toBe('no spaces {allowed}')
    expect(generated).toMatch(/^[\w-]+$/)

    const requests = () => parsed().filter((line) => line.msg === 'request')
    const [mine] = await eventually(
      async () => requests().filter((line) => line.requestId === 'trace-abc-123'),
      (found) => found.length === 1,
    )
    expect(mine).toMatchObject({
      method: 'GET',
      route: '/v1/carriers',
      path: '/v1/carriers',
      status: 401,
      client: '127.0.0.1',
    })
    expect(typeof mine?.durationMs).toBe('number')
    expect(requests().some((line) => line.requestId === generated)).toBe(true)
    const registration = requests().find(
      (line) => line.method === 'POST' && line.status === 201 && line.path === '/v1/trackings',
    )
    expect(registration).toMatchObject({ route: '/v1/trackings' })
    expect(registration?.requestId).toEqual(expect.any(String))
  })
})
