import {
  type DashboardSession,
  type DashboardSessionStore,
  randomToken,
  SESSION_ID_PATTERN,
  sessionDigest,
} from '../dashboard-session-store.js'

/** The memory twin of the Redis sessions: same digests, same idle expiry, on its own clock. */
export function createMemoryDashboardSessionStore(
  options: { now?: () => number } = {},
): DashboardSessionStore {
  const now = options.now ?? Date.now
  const sessions = new Map<string, { session: DashboardSession; expiresAtMs: number }>()
  return {
    async start(session, idleMs) {
      const id = randomToken()
      sessions.set(sessionDigest(id), { session: structuredClone(session), expiresAtMs: now() + idleMs })
      return id
    },

    async resume(id, idleMs) {
      if (!SESSION_ID_PATTERN.test(id)) return undefined
      const digest = sessionDigest(id)
      const kept = sessions.get(digest)
      if (!kept) return undefined
      if (kept.expiresAtMs <= now()) {
        sessions.delete(digest)
        return undefined
      }
      kept.expiresAtMs = now() + idleMs
      return structuredClone(kept.session)
    },

    async end(id) {
      sessions.delete(sessionDigest(id))
    },
  }
}
