import { createHash, randomBytes } from 'node:crypto'

/** What a signed-in merchant's session holds: never the API key, only its id. */
export interface DashboardSession {
  merchantId: string
  /** The API key it was opened with: the session ends when that key is revoked. */
  keyId: string
  /** The token its forms carry (sign-out), compared with what they send. */
  csrfToken: string
  /** When it was opened (ISO 8601): a session lasts no longer than DASHBOARD_SESSION_MAX. */
  createdAt: string
}

/** Sessions of the merchant dashboard, each under a random id known only to its browser's cookie. */
export interface DashboardSessionStore {
  /** Keeps `session` for `idleMs` under a new random id, which it answers (the only time it is told). */
  start(session: DashboardSession, idleMs: number): Promise<string>
  /** The session under `id`, kept `idleMs` longer from now; undefined when unknown, expired or ended. */
  resume(id: string, idleMs: number): Promise<DashboardSession | undefined>
  /** Ends the session under `id`, if there is one. */
  end(id: string): Promise<void>
}

/** The only shape of a session id: `randomToken`'s bytes in base64url. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** A new session id or form token: random bytes enough that none can be guessed. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What a store keeps a session under: the digest of its id, so that what is stored opens nothing. */
export function sessionDigest(id: string): string {
  return createHash('sha256').update(id).digest('hex')
}

/** A stored session as read back, or undefined for anything that is not one. */
export function parseSession(text: string | null | undefined): DashboardSession | undefined {
  if (!text) return undefined
  const value: unknown = JSON.parse(text)
  if (typeof value !== 'object' || value === null) return undefined
  const { merchantId, keyId, csrfToken, createdAt } = value as Record<string, unknown>
  if (typeof merchantId !== 'string' || typeof keyId !== 'string') return undefined
  if (typeof csrfToken !== 'string' || typeof createdAt !== 'string') return undefined
  return { merchantId, keyId, csrfToken, createdAt }
}
