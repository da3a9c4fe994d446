import type { RedisClient } from '../../redis/redis-client.js'
import {
  type DashboardSessionStore,
  parseSession,
  randomToken,
  SESSION_ID_PATTERN,
  sessionDigest,
} from '../dashboard-session-store.js'
import { createRedisKeys } from './redis-keys.js'

/** One string per session under the digest of its id, expiring after its idle time (GETEX renews it). */
export function createRedisDashboardSessionStore(
  redis: RedisClient,
  prefix: string,
  shards = 1,
): DashboardSessionStore {
  const keys = createRedisKeys(prefix, shards)
  const keyOf = (id: string) => keys.dashboardSession(sessionDigest(id))
  return {
    async start(session, idleMs) {
      const id = randomToken()
      await redis.set(keyOf(id), JSON.stringify(session), 'PX', Math.max(1, Math.round(idleMs)))
      return id
    },

    async resume(id, idleMs) {
      if (!SESSION_ID_PATTERN.test(id)) return undefined
      return parseSession(await redis.getex(keyOf(id), 'PX', Math.max(1, Math.round(idleMs))))
    },

    async end(id) {
      if (SESSION_ID_PATTERN.test(id)) await redis.del(keyOf(id))
    },
  }
}
