import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { type RunningService, startService } from '../../src/main/service.js'
import { secretOf } from '../support/api-key.js'
import { DPD_WEBTRACE_JOURNEY, webtraceAnswer, webtraceFault } from '../support/dpd-webtrace.js'
import { eventually } from '../support/harness.js'
import { mondialRelayAnswer, mondialRelayFault } from '../support/mondialrelay-answer.js'
import { testRedisUrl, uniquePrefix } from '../support/redis.js'
import { headersOf, type SmtpSink, startSmtpSink } from '../support/smtp-sink.js'
import { startUpsFake, type UpsFake } from '../support/ups-fake.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const BASE = 'https://api.laposte.test'
const OKAPI_KEY = 'okapi-live-7f3c9a1e5b2d4c6f8a0e'
const ADMIN_TOKEN = 'admin-token-for-the-log-test-0123456789'
const DELIVERED = '8K00009775862'
const SHOPPER = 'marie.secret-shopper@example.com'
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
/** colis in every role on the test Redis, polling fast, each log line kept in `lines`. */
async function startLoggedService(prefix: string, env: Record<string, string>, lines: string[]) {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'trace',
    REDIS_URL: testRedisUrl(),
    COLIS_REDIS_PREFIX: uniquePrefix(prefix),
    HOST: '127.0.0.1',
    PORT: '0',
    COLIS_ADMIN_TOKEN: ADMIN_TOKEN,
    POLL_CALENDAR: 'off',
    POLL_DISPATCH_INTERVAL: '50ms',
    POLL_PENDING: '200ms-300ms',
    POLL_RETRY: '200ms-300ms',
    ...env,
  })
  const logger = createLogger(
    config.LOG_LEVEL,
    { app: 'colis' },
    { destination: { write: (line) => lines.push(line) } },
  )
  return { service: await startService(config, 'all', logger), logger }
}

describe('logs: structured JSON with request ids, and never a secret', () => {
  const lines: string[] = []
  let service: RunningService
  let base: string
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let smtp: SmtpSink

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
    smtp = await startSmtpSink()
    const started = await startLoggedService(
      'log-secrets',
      {
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Boutique <suivi@shop.example>',
        LAPOSTE_API_KEY: OKAPI_KEY,
        LAPOSTE_BASE_URL: `${BASE}/suivi/v2`,
        DPD_FR_USER: DPD_USER,
        DPD_FR_PASSWORD: DPD_PASSWORD,
        DPD_FR_BASE_URL: `${DPD_BASE}${DPD_PATH}`,
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
        POLL_IN_TRANSIT: '200ms-300ms',
      },
      lines,
    )
    service = started.service
    base = service.url ?? ''
  })

  afterAll(async () => {
    await service?.stop()
    await receiver.close()
    await smtp.close()
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
        body: JSON.stringify({ trackingNumber, carrier: 'laposte', notifyEmail: SHOPPER }),
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

    // The shopper's e-mail (the first scan: shipped), sent and logged by ids; its unsubscribe link followed.
    await eventually(
      async () => smtp.received.length,
      (count) => count > 0,
    )
    await eventually(
      async () => parsed().filter((line) => line.msg === 'shopper e-mail attempted').length,
      (count) => count > 0,
    )
    const unsubscribe = /^<(.+)>$/.exec(
      headersOf(smtp.received[0]?.raw ?? '').get('list-unsubscribe') ?? '',
    )?.[1]
    const token = unsubscribe?.split('/unsubscribe/')[1] ?? ''
    expect((await fetch(`${base}/unsubscribe/${token}`)).status).toBe(200)
    const notifications = await fetch(`${base}/v1/trackings?limit=10`, { headers: auth })
    expect(JSON.stringify(await notifications.json())).not.toContain(SHOPPER)
    for (const webhook of receiver.received) expect(webhook.body).not.toContain(SHOPPER)

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
      "shopper's address": SHOPPER,
      "shopper's address, local part": SHOPPER.split('@')[0] ?? SHOPPER,
      'unsubscribe secret': token.split('.')[2] ?? token,
    }
    expect(token).toMatch(/\.[A-Za-z0-9_-]{32}$/)
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

/**
 * UPS's OAuth credentials on every poll: the client secret (Basic credentials of the token request)
 * and the access tokens it gives, renewed when UPS revokes them. A misbehaving gateway echoes the
 * token in an error page. None of them may appear in any line, and a token obtained after startup is
 * blanked out of whatever line would carry it.
 */
describe('logs: UPS client credentials and access tokens never appear', () => {
  const UPS_CLIENT_ID = 'ups-log-test-client-id-4f1e'
  const UPS_CLIENT_SECRET = 'ups-log-test-client-secret-9b7c5a3e1d'
  const DELIVERED_UPS = '1Z1442YY7229014688'
  const LEAKY_UPS = '1Z5R89390357567127'
  const lines: string[] = []
  let service: RunningService
  let fake: UpsFake
  let logger: ReturnType<typeof createLogger>

  beforeAll(async () => {
    const delivered = readFileSync(
      new URL('../fixtures/ups/track-200-delivered.fixture.json', import.meta.url),
      'utf8',
    )
    fake = await startUpsFake({
      clientId: UPS_CLIENT_ID,
      clientSecret: UPS_CLIENT_SECRET,
      answer: (trackingNumber, token) =>
        trackingNumber === DELIVERED_UPS
          ? { status: 200, body: delivered }
          : {
              status: 502,
              body: `<html>Bad gateway. Authorization: Bearer ${token} (token ${token})</html>`,
            },
    })
    const started = await startLoggedService(
      'log-secrets-ups',
      {
        UPS_CLIENT_ID,
        UPS_CLIENT_SECRET,
        UPS_BASE_URL: `${fake.url}/api`,
        UPS_TOKEN_URL: `${fake.url}/security/v1/oauth/token`,
      },
      lines,
    )
    service = started.service
    logger = started.logger
  })

  afterAll(async () => {
    await service?.stop()
    await fake?.close()
  })

  it('logs polls, a token renewal and a leaky gateway without the secret or any token', async () => {
    const base = service.url ?? ''
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-ups-logs' }),
    })
    const { key } = (await created.json()) as { key: string }
    for (const trackingNumber of [DELIVERED_UPS, LEAKY_UPS]) {
      const registered = await fetch(`${base}/v1/trackings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trackingNumber, carrier: 'ups' }),
      })
      expect(registered.status).toBe(201)
    }
    const polled = () => lines.filter((line) => line.includes('"poll saved"')).length
    await eventually(
      async () => polled(),
      (count) => count >= 2,
    )
    // UPS revokes the token: the leaky number's next poll renews it.
    fake.revokeTokens()
    const before = polled()
    await eventually(
      async () => [fake.tokens.length, polled()],
      ([tokens = 0, count = 0]) => tokens === 2 && count > before,
    )

    // A line that would carry a token obtained after startup is scrubbed too.
    logger.info({ note: `token ${fake.tokens[1]}` }, 'probe')
    const output = lines.join('')
    expect(output).toContain('"probe"')
    const secrets = {
      'UPS client secret': UPS_CLIENT_SECRET,
      'UPS Basic credentials': Buffer.from(`${UPS_CLIENT_ID}:${UPS_CLIENT_SECRET}`).toString('base64'),
      'first UPS token': fake.tokens[0] ?? '',
      'renewed UPS token': fake.tokens[1] ?? '',
    }
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(10)
      expect(output.includes(value), name).toBe(false)
    }
  })
})

/**
 * Relais Colis sends its activation key in the request body, not a header: polled through the whole
 * service, including a failing API that echoes the key back, the key appears in no line.
 */
describe('logs: the Relais Colis activation key', () => {
  const RC_BASE = 'https://rc.relaiscolis.test'
  const ACTIVATION_KEY = 'rc-activation-9f41c2d7e8b3a6'
  const COLLECTED = '4H013000253201'
  const ECHOING = '4H013000011101'
  const lines: string[] = []
  const asked: string[] = []
  let service: RunningService
  let base: string

  beforeAll(async () => {
    nock.disableNetConnect()
    nock.enableNetConnect('127.0.0.1')
    nock(RC_BASE)
      .persist()
      .post('/api/package/getPackagesStatus', (body: { activationKey?: string }) => {
        return body.activationKey === ACTIVATION_KEY
      })
      .reply((_uri, body) => {
        const [number = ''] = (body as { parcelNumbers: string[] }).parcelNumbers
        asked.push(number)
        // Refused credentials are logged loudly (the carrier pauses): the echoed key must not follow.
        if (number === ECHOING) {
          const detail = `activationKey ${ACTIVATION_KEY} is not valid`
          return [400, { title: 'An Error occurred', status: 400, detail }]
        }
        const event = { parcelNumber: number, Date: '2026-11-18T14:43:00', GMT: 'GMT+1' }
        return [200, [{ ...event, CodeEVT: 'DEP', CodeJUS: 'REL', Libelle: 'Disponible en Relais' }]]
      })
    const started = await startLoggedService(
      'log-secrets-rc',
      {
        RELAISCOLIS_ACTIVATION_KEY: ACTIVATION_KEY,
        RELAISCOLIS_BASE_URL: RC_BASE,
        RELAISCOLIS_BATCH_SIZE: '1',
        POLL_NEAR_DELIVERY: '200ms-300ms',
      },
      lines,
    )
    service = started.service
    base = service.url ?? ''
  })

  afterAll(async () => {
    await service?.stop()
    nock.cleanAll()
    nock.enableNetConnect()
  })

  it('polls a parcel at its relay, then one whose refusal echoes the key, without logging the key', async () => {
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-logs-rc' }),
    })
    const { key } = (await created.json()) as { key: string }
    const saved = () =>
      new Set(
        lines
          .map((line) => JSON.parse(line) as LogLine)
          .flatMap((line) => (line.msg === 'poll saved' ? [line.trackingId] : [])),
      ).size
    // One after the other: the refused key pauses the carrier, which must not keep the first from its poll.
    for (const [index, trackingNumber] of [COLLECTED, ECHOING].entries()) {
      const registered = await fetch(`${base}/v1/trackings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trackingNumber, carrier: 'relaiscolis' }),
      })
      expect(registered.status).toBe(201)
      await eventually(
        async () => saved(),
        (count) => count === index + 1,
      )
    }
    expect(asked).toEqual(expect.arrayContaining([COLLECTED, ECHOING]))
    expect(lines.some((line) => line.includes('"level":60'))).toBe(true)
    expect(lines.join('').includes(ACTIVATION_KEY)).toBe(false)
  })
})

/**
 * Mondial Relay signs each call with its private key and never sends it: the key is in no request, and
 * in no log line, even behind a service that echoes whole requests in its faults.
 */
describe('logs: never the Mondial Relay private key', () => {
  const PRIVATE_KEY = 'mr-private-key-5b9e2c71'
  const ECHOED = '96045752'
  const lines: string[] = []
  const bodies: string[] = []
  let service: RunningService
  let server: Server

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        bodies.push(body)
        const answer = body.includes(`<Expedition>${ECHOED}</Expedition>`)
          ? mondialRelayFault('soap:Client', `Server was unable to read request: ${body}`)
          : mondialRelayAnswer(81, [{ label: 'RÉCEPTION DES DONNÉES', date: '18/11/26', time: '14:43' }])
        response.writeHead(body.includes(ECHOED) ? 500 : 200, { 'content-type': 'text/xml' }).end(answer)
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const started = await startLoggedService(
      'log-secrets-mr',
      {
        MONDIALRELAY_ENSEIGNE: 'BDTEST13',
        MONDIALRELAY_PRIVATE_KEY: PRIVATE_KEY,
        MONDIALRELAY_BASE_URL: `http://127.0.0.1:${port}/Web_Services.asmx`,
        POLL_INFO_RECEIVED: '200ms-300ms',
      },
      lines,
    )
    service = started.service
  })

  afterAll(async () => {
    await service?.stop()
    await new Promise((resolve) => server?.close(resolve))
  })

  it('polls two parcels, one behind an echoing fault, without the key in any request or line', async () => {
    const base = service.url ?? ''
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-logs-mr' }),
    })
    const { key } = (await created.json()) as { key: string }
    for (const trackingNumber of ['31234567', ECHOED]) {
      const registered = await fetch(`${base}/v1/trackings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trackingNumber, carrier: 'mondialrelay' }),
      })
      expect(registered.status).toBe(201)
    }
    const saved = () =>
      new Set(
        lines.flatMap((line) => {
          const parsed = JSON.parse(line) as LogLine
          return parsed.msg === 'poll saved' ? [parsed.trackingId] : []
        }),
      ).size
    await eventually(
      async () => saved(),
      (count) => count === 2,
    )
    expect(bodies.some((body) => body.includes(ECHOED))).toBe(true)
    for (const body of bodies) expect(body).not.toContain(PRIVATE_KEY)
    expect(lines.join('').includes(PRIVATE_KEY)).toBe(false)
  })
})

/**
 * The DHL key, sent as a header on every poll, in no line either: not even when a misbehaving proxy
 * echoes the request headers into the answer, where colis logs what it does not know.
 */
describe('logs: never the DHL API key', () => {
  const DHL_BASE = 'https://api-eu.dhl.test'
  const DHL_KEY = 'dhl-live-key-5e1d7a3c9b8f2e4d6a0c'
  const lines: string[] = []
  let service: RunningService

  beforeAll(async () => {
    nock.disableNetConnect()
    nock.enableNetConnect('127.0.0.1')
    const delivered = {
      shipments: [
        {
          id: '470800204932',
          service: 'parcel-de',
          events: [
            { timestamp: '2026-11-19T09:50:00', statusCode: 'delivered', description: 'Delivered.' },
            { timestamp: '2026-11-18T14:43:00', statusCode: 'transit', description: 'Processed.' },
          ],
        },
      ],
    }
    nock(DHL_BASE)
      .persist()
      .matchHeader('dhl-api-key', DHL_KEY)
      .get('/track/shipments')
      .query({ trackingNumber: '470800204932', language: 'en' })
      .reply(200, delivered)
    const echoed = {
      shipments: [
        {
          id: '3318810025',
          events: [
            { timestamp: '2026-11-18T14:43:00', statusCode: `DHL-API-Key: ${DHL_KEY}`, description: 'Echo' },
          ],
        },
      ],
    }
    nock(DHL_BASE)
      .persist()
      .get('/track/shipments')
      .query({ trackingNumber: '3318810025', language: 'en' })
      .reply(200, echoed)
    const started = await startLoggedService(
      'log-secrets-dhl',
      {
        DHL_API_KEY: DHL_KEY,
        DHL_BASE_URL: `${DHL_BASE}/track/shipments`,
        DHL_RATE_LIMIT: '20/1s',
        POLL_IN_TRANSIT: '200ms-300ms',
      },
      lines,
    )
    service = started.service
  })

  afterAll(async () => {
    await service?.stop()
    nock.cleanAll()
    nock.enableNetConnect()
  })

  it('polls DHL parcels, the delivered one and the one behind a leaky proxy, without the key in any line', async () => {
    const base = service.url ?? ''
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-dhl-logs' }),
    })
    const { key } = (await created.json()) as { key: string }
    for (const trackingNumber of ['470800204932', '3318810025']) {
      const registered = await fetch(`${base}/v1/trackings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trackingNumber, carrier: 'dhl' }),
      })
      expect(registered.status).toBe(201)
    }
    const saved = () =>
      lines.flatMap((line) => {
        const parsed = JSON.parse(line) as LogLine
        return parsed.msg === 'poll saved' ? [parsed.trackingId] : []
      })
    await eventually(
      async () => new Set(saved()).size,
      (count) => count === 2,
    )
    const unmapped = lines.filter((line) => line.includes('unmapped carrier code'))
    expect(unmapped.join('')).toContain('DHL-API-Key: [REDACTED]')
    expect(lines.join('')).not.toContain(DHL_KEY)
  })
})
