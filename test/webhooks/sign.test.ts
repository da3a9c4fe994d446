import fc from 'fast-check'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { VERSION } from '../../src/version.js'
import { createWebhookSecret, signWebhook, webhookHeaders } from '../../src/webhooks/sign.js'
import { propertyRuns } from '../support/property-runs.js'

const now = () => Math.floor(Date.now() / 1000)

describe('signWebhook', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    const signature = signWebhook({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestampSeconds: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    })
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })

  it('sends one signature per secret, newest first, space-separated', () => {
    const [newer, older] = [createWebhookSecret(), createWebhookSecret()]
    const message = { id: 'msg_1', timestampSeconds: now(), body: '{}' }
    const both = signWebhook({ ...message, secrets: [newer, older] })
    expect(both).toBe(
      `${signWebhook({ ...message, secrets: [newer] })} ${signWebhook({ ...message, secrets: [older] })}`,
    )
  })

  it.each([
    ['an id with a dot', { id: 'msg.1' }],
    ['an empty id', { id: '' }],
    ['an id with a space', { id: 'msg 1' }],
    ['a fractional timestamp', { timestampSeconds: 1614265330.5 }],
    ['a negative timestamp', { timestampSeconds: -1 }],
    ['no secret', { secrets: [] }],
    ['a secret without whsec_', { secrets: ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] }],
    ['a secret shorter than 24 bytes', { secrets: ['whsec_c2hvcnQ='] }],
    ['a secret that is not base64', { secrets: ['whsec_not base64 at all, not at all!'] }],
  ])('refuses %s', (_name, override) => {
    const message = {
      id: 'msg_1',
      timestampSeconds: 1614265330,
      body: '{}',
      secrets: [createWebhookSecret()],
    }
    expect(() => signWebhook({ ...message, ...override })).toThrow()
  })
})

describe('createWebhookSecret', () => {
  it('is whsec_ and base64 of 32 random bytes', () => {
    const secret = createWebhookSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32)
    expect(createWebhookSecret()).not.toBe(secret)
  })
})

describe('webhookHeaders, checked by the standardwebhooks library', () => {
  const body = JSON.stringify({
    type: 'tracking.delivered',
    data: { trackingId: 'trk_1', status: 'delivered' },
  })

  it('carries the Standard Webhooks headers, JSON content type and our user agent', () => {
    const headers = webhookHeaders({
      id: 'msg_1',
      timestampSeconds: 1700000000,
      body,
      secrets: [createWebhookSecret()],
    })
    expect(headers).toEqual({
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      'content-type': 'application/json',
      'user-agent': `colis-webhooks/${VERSION}`,
    })
  })

  it('verifies with each of the two secrets during a rotation', () => {
    const [newer, older] = [createWebhookSecret(), createWebhookSecret()]
    const headers = webhookHeaders({
      id: 'msg_rotation',
      timestampSeconds: now(),
      body,
      secrets: [newer, older],
    })
    expect(new Webhook(newer).verify(body, headers)).toEqual(JSON.parse(body))
    expect(new Webhook(older).verify(body, headers)).toEqual(JSON.parse(body))
  })

  it('fails with a tampered body, another secret, or a tampered id', () => {
    const secret = createWebhookSecret()
    const headers = webhookHeaders({ id: 'msg_tamper', timestampSeconds: now(), body, secrets: [secret] })
    expect(() => new Webhook(secret).verify(body.replace('delivered', 'returned'), headers)).toThrow()
    expect(() => new Webhook(createWebhookSecret()).verify(body, headers)).toThrow()
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow()
  })

  it('verifies for any body and id (property)', () => {
    const secret = createWebhookSecret()
    const verifier = new Webhook(secret)
    const id = fc.stringMatching(/^msg_[A-Za-z0-9_-]{1,40}$/)
    const payload = fc.jsonValue().map((value) => JSON.stringify({ data: value }))
    fc.assert(
      fc.property(id, payload, (messageId, json) => {
        const headers = webhookHeaders({
          id: messageId,
          timestampSeconds: now(),
          body: json,
          secrets: [secret],
        })
        expect(verifier.verify(json, headers)).toEqual(JSON.parse(json))
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})
