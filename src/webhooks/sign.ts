import { createHmac, randomBytes } from 'node:crypto'
import { VERSION } from '../version.js'

/** Standard Webhooks 1.0.0 (https://www.standardwebhooks.com), symmetric `v1` signatures only. */
export interface WebhookMessage {
  /** Stays the same across retries: receivers deduplicate on it. */
  id: string
  /** Time of this attempt, in whole seconds since the epoch. */
  timestampSeconds: number
  /** The exact string sent as the request body. */
  body: string
  /** `whsec_…` secrets, newest first; two during a rotation. */
  secrets: readonly string[]
}

const SECRET_PREFIX = 'whsec_'
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

export function createWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64')
}

export function signWebhook({ id, timestampSeconds, body, secrets }: WebhookMessage): string {
  // The signed content is `id.timestamp.body`: a `.` in the id would make it ambiguous; header-safe too.
  if (!/^[\x21-\x7e]+$/.test(id) || id.includes('.')) {
    throw new Error('webhook id must be non-empty visible ASCII without "."')
  }
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new Error('webhook timestamp must be a whole, non-negative number of seconds')
  }
  if (secrets.length === 0) throw new Error('at least one webhook secret is needed')
  const content = `${id}.${timestampSeconds}.${body}`
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(content).digest('base64')}`)
    .join(' ')
}

export function webhookHeaders(message: WebhookMessage): Record<string, string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestampSeconds),
    'webhook-signature': signWebhook(message),
    'content-type': 'application/json',
    'user-agent': `colis-webhooks/${VERSION}`,
  }
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : ''
  const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0)
  // Standard Webhooks: "at least 24 bytes (192 bits, 512 maximum)".
  if (key.length < 24 || key.length > 64) {
    throw new Error('webhook secret must be whsec_ followed by base64 of 24 to 64 bytes')
  }
  return key
}
