import { describe, expect, it } from 'vitest'
import { createLogger, protectSecrets, scrubSecrets } from '../src/logger.js'

const API_KEY = `colis_AbCdEfGhJk23_${'s'.repeat(20)}Q-_${'t'.repeat(20)}`
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

function capture(options: { secrets?: string[] } = {}) {
  const lines: string[] = []
  const logger = createLogger(
    'trace',
    { app: 'colis' },
    { destination: { write: (line) => lines.push(line) }, ...options },
  )
  return { logger, lines, text: () => lines.join('') }
}

describe('scrubSecrets', () => {
  it.each([
    [
      'an API key, keeping its public key id',
      `key ${API_KEY} used`,
      'key colis_AbCdEfGhJk23_[REDACTED] used',
    ],
    ['a webhook secret', `secret=${WEBHOOK_SECRET}`, 'secret=whsec_[REDACTED]'],
    ['a bearer header', 'authorization: Bearer abc.def-123', 'authorization: Bearer [REDACTED]'],
    ['a basic header', 'Basic YWRtaW46c2VjcmV0', 'Basic [REDACTED]'],
    [
      'a tracking page token, in a path and in a URL',
      '"path":"/t/q3XLm0Wvv8Y2Ue_Ol-9b1A" https://track.example.com/t/q3XLm0Wvv8Y2Ue_Ol-9b1A?lang=en',
      '"path":"/t/[REDACTED]" https://track.example.com/t/[REDACTED]?lang=en',
    ],
    [
      'a dashboard session id and sign-in form token, in Cookie and Set-Cookie headers',
      `cookie: colis_dashboard=${'S'.repeat(43)}; colis_dashboard_form=${'f'.repeat(43)} set-cookie: colis_dashboard=${'a-_'.repeat(14)}x; Path=/dashboard`,
      'cookie: colis_dashboard=[REDACTED]; colis_dashboard_form=[REDACTED] set-cookie: colis_dashboard=[REDACTED]; Path=/dashboard',
    ],
    [
      'a Redis URL password',
      'redis://default:p4ss-w0rd@redis:6379/0',
      'redis://default:[REDACTED]@redis:6379/0',
    ],
  ])('blanks out %s', (_name, text, expected) => {
    expect(scrubSecrets(text)).toBe(expected)
  })

  it('blanks out literal secrets wherever they are', () => {
    expect(scrubSecrets('url=https://x.test/?key=okapi-123456&k2=okapi-123456', ['okapi-123456'])).toBe(
      'url=https://x.test/?key=[REDACTED]&k2=[REDACTED]',
    )
  })

  it('leaves ordinary text alone', () => {
    const text = '{"msg":"request","route":"/v1/trackings/:id","status":200,"url":"http://127.0.0.1:3000/x"}'
    expect(scrubSecrets(text)).toBe(text)
  })
})

describe('createLogger', () => {
  it('writes JSON lines with the bindings and an ISO time', () => {
    const { logger, lines } = capture()
    logger.child({ requestId: 'req-1' }).info({ status: 200 }, 'request')
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>
    expect(line).toMatchObject({ app: 'colis', requestId: 'req-1', status: 200, msg: 'request', level: 30 })
    expect(Date.parse(String(line.time))).not.toBeNaN()
  })

  it('never writes a secret, whatever field, message or stack carries it', () => {
    const okapi = 'okapi-"quoted"\\-key-0123'
    const { logger, text } = capture({ secrets: [okapi] })
    const child = logger.child({ carrier: 'laposte' })
    child.info({ headers: { authorization: `Bearer ${API_KEY}`, 'x-okapi-key': okapi } }, 'outgoing request')
    child.error({ err: new Error(`carrier refused key ${okapi} for ${API_KEY}`) }, 'carrier error')
    child.warn(`endpoint created with ${WEBHOOK_SECRET}`)
    child.debug({ endpoint: { secret: WEBHOOK_SECRET, secrets: [{ secret: WEBHOOK_SECRET }] } }, 'endpoint')
    child.info({ apiKey: API_KEY, token: 'admin-token-0123456789' }, 'fields')
    child.info(
      {
        req: {
          headers: { cookie: 'theme=dark; x=session-cookie-0123', 'set-cookie': 'sid=set-cookie-0123' },
        },
      },
      'cookies',
    )
    const output = text()
    for (const secret of [
      okapi,
      JSON.stringify(okapi).slice(1, -1),
      API_KEY.slice(19),
      WEBHOOK_SECRET.slice(6),
      'admin-token-0123456789',
      'session-cookie-0123',
      'set-cookie-0123',
    ]) {
      expect(output).not.toContain(secret)
    }
    expect(output).toContain('colis_AbCdEfGhJk23_[REDACTED]')
    expect(output.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(8)
  })

  it('takes secrets known later (protectSecrets), for every child logger', () => {
    const { logger, text } = capture()
    const child = logger.child({ role: 'worker' })
    protectSecrets(logger, ['late-carrier-token-42', undefined, 'short'])
    child.info('token late-carrier-token-42 in use; short words stay')
    expect(text()).not.toContain('late-carrier-token-42')
    expect(text()).toContain('short words stay')
  })
})
