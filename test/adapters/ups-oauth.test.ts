import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UPS_TOKEN_EXPIRY_MARGIN_MS } from '../../adapters/ups/oauth-token.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import {
  BASIC,
  CLIENT_ID,
  CLIENT_SECRET,
  createTestUpsAdapter as createAdapter,
  upsFixture as fixture,
  mockTokens,
  mockTrack,
  TOKEN_PATH,
  tokenBody,
  UPS_ORIGIN,
  upsHttp,
} from './ups-mock.js'

const NUMBER = '1Z5R89390357567127'
const HISTORY = fixture('access-point-collected.json')
const REVOKED = fixture('track-401-invalid-access-license.json')

beforeAll(() => {
  nock.disableNetConnect()
})
afterEach(() => {
  nock.cleanAll()
})
afterAll(async () => {
  nock.enableNetConnect()
  await upsHttp.close()
})

describe('ups: OAuth client credentials', () => {
  it('asks a token with the client id and secret as Basic credentials and grant_type=client_credentials', async () => {
    let sent: { body: unknown; headers: Record<string, unknown> } | undefined
    nock(UPS_ORIGIN)
      .post(TOKEN_PATH)
      .reply(function reply(_uri, body) {
        sent = { body, headers: this.req.headers }
        return [200, fixture('oauth-token-200.json').replace('REDACTED-ACCESS-TOKEN', 'token-1')]
      })
    mockTrack(NUMBER, 200, HISTORY)
    await createAdapter().track({ trackingNumber: NUMBER })
    expect(sent?.body).toBe('grant_type=client_credentials')
    expect(sent?.headers).toMatchObject({
      authorization: BASIC,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    })
    expect(Buffer.from(BASIC.slice('Basic '.length), 'base64').toString()).toBe(
      `${CLIENT_ID}:${CLIENT_SECRET}`,
    )
  })

  it('keeps its token for every call until shortly before it expires, then asks a new one', async () => {
    let nowMs = Date.parse('2026-03-02T08:00:00Z')
    const tokens = mockTokens('token-1', 'token-2')
    const adapter = createAdapter({ now: () => nowMs })
    mockTrack(NUMBER, 200, HISTORY, { token: 'token-1', times: 3 })
    for (let call = 0; call < 3; call++) {
      await adapter.track({ trackingNumber: NUMBER })
      nowMs += 60 * 60_000
    }
    expect(tokens.count).toBe(1)
    // 14 399 s after it was issued, less the margin: 3 h 54 min 59 s. At 3 h: still good.
    nowMs = Date.parse('2026-03-02T08:00:00Z') + 14_399_000 - UPS_TOKEN_EXPIRY_MARGIN_MS - 1
    mockTrack(NUMBER, 200, HISTORY, { token: 'token-1' })
    await adapter.track({ trackingNumber: NUMBER })
    expect(tokens.count).toBe(1)
    nowMs += 1
    mockTrack(NUMBER, 200, HISTORY, { token: 'token-2' })
    await adapter.track({ trackingNumber: NUMBER })
    expect(tokens.count).toBe(2)
  })

  it('shares one token request between polls that start together', async () => {
    const tokens = mockTokens('token-1')
    mockTrack(NUMBER, 200, HISTORY, { times: 8 })
    const adapter = createAdapter()
    const snapshots = await Promise.all(
      Array.from({ length: 8 }, () => adapter.track({ trackingNumber: NUMBER })),
    )
    expect(snapshots).toHaveLength(8)
    expect(tokens.count).toBe(1)
  })

  it('renews the token once on a 401 and makes the call once more with the new one', async () => {
    const tokens = mockTokens('token-1', 'token-2')
    const calls: string[] = []
    nock(UPS_ORIGIN)
      .persist()
      .get(`/api/track/v1/details/${NUMBER}`)
      .query(true)
      .reply(function reply() {
        const authorization = String(this.req.headers.authorization)
        calls.push(authorization)
        return authorization === 'Bearer token-1' ? [401, REVOKED] : [200, HISTORY]
      })
    const adapter = createAdapter()
    const snapshot = await adapter.track({ trackingNumber: NUMBER })
    expect(snapshot.events.length).toBeGreaterThan(1)
    expect(calls).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(tokens.count).toBe(2)
    // The new token is kept for the next poll.
    await adapter.track({ trackingNumber: NUMBER })
    expect(calls.at(-1)).toBe('Bearer token-2')
    expect(tokens.count).toBe(2)
  })

  it('gives up as unauthorized when the new token is refused too, after one renewal only', async () => {
    const tokens = mockTokens('token-1', 'token-2', 'token-3')
    let calls = 0
    nock(UPS_ORIGIN)
      .persist()
      .get(`/api/track/v1/details/${NUMBER}`)
      .query(true)
      .reply(() => {
        calls++
        return [401, REVOKED]
      })
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    expect(error).toMatchObject({ kind: 'unauthorized', message: 'UPS refused the access token (HTTP 401)' })
    expect(calls).toBe(2)
    expect(tokens.count).toBe(2)
  })

  it('renews a token refused by several polls at once only once', async () => {
    const tokens = mockTokens('token-1', 'token-2')
    nock(UPS_ORIGIN)
      .persist()
      .get(`/api/track/v1/details/${NUMBER}`)
      .query(true)
      .reply(function reply() {
        return this.req.headers.authorization === 'Bearer token-1' ? [401, REVOKED] : [200, HISTORY]
      })
    const adapter = createAdapter()
    await Promise.all(Array.from({ length: 6 }, () => adapter.track({ trackingNumber: NUMBER })))
    expect(tokens.count).toBe(2)
  })

  it.each([
    ['401 (a rejected client id)', 401, fixture('oauth-401-invalid-client.json'), 'unauthorized'],
    ['403', 403, '', 'unauthorized'],
    ['500', 500, '', 'unavailable'],
    ['200 that is not JSON', 200, '<html>login</html>', 'unexpected_response'],
    ['200 without access_token', 200, '{"token_type":"Bearer","expires_in":"14399"}', 'unexpected_response'],
    [
      '200 with a non-numeric expires_in',
      200,
      '{"access_token":"t","expires_in":"soon"}',
      'unexpected_response',
    ],
    ['400', 400, '{"response":{"errors":[{"code":"10400"}]}}', 'unexpected_response'],
  ] as const)(
    'maps a token endpoint answering %s, without calling the Track API',
    async (_label, status, body, kind) => {
      nock(UPS_ORIGIN).post(TOKEN_PATH).reply(status, body)
      const error = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
      expect(error.kind).toBe(kind)
      expect(error.message).not.toContain('REDACTED-CLIENT-ID')
      expect(nock.pendingMocks()).toEqual([])
    },
  )

  it('waits as the token endpoint says when it limits the rate', async () => {
    nock(UPS_ORIGIN).post(TOKEN_PATH).reply(429, '', { 'retry-after': '3' })
    const error = await caughtCarrierError(createAdapter().track({ trackingNumber: NUMBER }))
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 })
  })

  it('asks a new token after a failed token request instead of keeping the failure', async () => {
    nock(UPS_ORIGIN).post(TOKEN_PATH).reply(503, '')
    const adapter = createAdapter()
    expect((await caughtCarrierError(adapter.track({ trackingNumber: NUMBER }))).kind).toBe('unavailable')
    nock(UPS_ORIGIN).post(TOKEN_PATH).reply(200, tokenBody('token-1', 60))
    mockTrack(NUMBER, 200, HISTORY)
    await adapter.track({ trackingNumber: NUMBER })
  })

  it('reads expires_in as seconds, given as a string or a number', async () => {
    let nowMs = 0
    nock(UPS_ORIGIN).post(TOKEN_PATH).reply(200, { access_token: 'token-1', expires_in: 600 })
    const adapter = createAdapter({ now: () => nowMs })
    mockTrack(NUMBER, 200, HISTORY)
    await adapter.track({ trackingNumber: NUMBER })
    // A 10-minute token is renewed at half its life: the margin never eats a whole short token.
    nowMs = 299_999
    mockTrack(NUMBER, 200, HISTORY)
    await adapter.track({ trackingNumber: NUMBER })
    nowMs = 300_000
    nock(UPS_ORIGIN).post(TOKEN_PATH).reply(200, tokenBody('token-2', 600))
    mockTrack(NUMBER, 200, HISTORY, { token: 'token-2' })
    await adapter.track({ trackingNumber: NUMBER })
    expect(nock.pendingMocks()).toEqual([])
  })

  it('lists the client secret and the token in use as secrets, and tells each new token', async () => {
    const told: string[] = []
    mockTokens('token-1', 'token-2')
    const adapter = createAdapter({ onSecret: (secret) => told.push(secret) })
    expect(adapter.listSecrets()).toEqual([CLIENT_SECRET])
    mockTrack(NUMBER, 200, HISTORY, { token: 'token-1' })
    await adapter.track({ trackingNumber: NUMBER })
    expect(adapter.listSecrets()).toEqual([CLIENT_SECRET, 'token-1'])
    mockTrack(NUMBER, 401, REVOKED, { token: 'token-1' })
    mockTrack(NUMBER, 200, HISTORY, { token: 'token-2' })
    await adapter.track({ trackingNumber: NUMBER })
    expect(adapter.listSecrets()).toEqual([CLIENT_SECRET, 'token-2'])
    expect(told).toEqual(['token-1', 'token-2'])
  })
})
