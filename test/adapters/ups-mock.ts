import { readFileSync } from 'node:fs'
import nock from 'nock'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import type { CarrierAdapter } from '../../adapters/contract.js'
import { createUpsAdapter, type UpsAdapterDeps } from '../../adapters/ups/index.js'
import { createSilentLogger } from '../../src/logger.js'

export const UPS_ORIGIN = 'https://onlinetools.ups.com'
export const TOKEN_PATH = '/security/v1/oauth/token'
export const CLIENT_ID = 'ups-client-id-for-tests'
export const CLIENT_SECRET = 'ups-client-secret-for-tests'
export const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`

const FIXTURES = new URL('../fixtures/ups/', import.meta.url)
export const upsFixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8')

export const upsHttp = createCarrierHttp({ carrier: 'ups', timeoutMs: 2000 })

export function createTestUpsAdapter(overrides: Partial<UpsAdapterDeps> = {}): CarrierAdapter {
  return createUpsAdapter({
    http: upsHttp,
    logger: createSilentLogger(),
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    baseUrl: `${UPS_ORIGIN}/api`,
    tokenUrl: `${UPS_ORIGIN}${TOKEN_PATH}`,
    locale: 'fr_FR',
    transactionSrc: 'colis',
    rateLimit: { max: 5, durationMs: 1000 },
    ...overrides,
  })
}

/** A token answer as UPS sends it: every value a string. */
export function tokenBody(token: string, expiresInSeconds = 14_399) {
  return {
    token_type: 'Bearer',
    access_token: token,
    expires_in: String(expiresInSeconds),
    status: 'approved',
  }
}

/** The token endpoint, answering `tokens` in turn (the last one again after that); counts its calls. */
export function mockTokens(...tokens: string[]) {
  const calls = { count: 0 }
  nock(UPS_ORIGIN)
    .persist()
    .post(TOKEN_PATH, 'grant_type=client_credentials')
    .matchHeader('authorization', BASIC)
    .matchHeader('content-type', 'application/x-www-form-urlencoded')
    .reply(() => {
      const token = tokens[Math.min(calls.count, tokens.length - 1)] ?? 'token'
      calls.count++
      return [200, tokenBody(token)]
    })
  return calls
}

/** The Track API for `number`, with the headers colis must send, answering `status` and `body`. */
export function mockTrack(
  number: string,
  status: number,
  body?: string | object,
  options: { token?: string; headers?: Record<string, string>; delayMs?: number; times?: number } = {},
) {
  return nock(UPS_ORIGIN)
    .get(`/api/track/v1/details/${number}`)
    .query({ locale: 'fr_FR', returnSignature: 'false', returnMilestones: 'false', returnPOD: 'false' })
    .matchHeader('authorization', `Bearer ${options.token ?? 'token-1'}`)
    .matchHeader('transid', /^[0-9a-f]{32}$/)
    .matchHeader('transactionsrc', 'colis')
    .times(options.times ?? 1)
    .delay(options.delayMs ?? 0)
    .reply(status, body, { 'content-type': 'application/json', ...options.headers })
}
