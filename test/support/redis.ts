import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { inject } from 'vitest'

export function testRedisUrl(): string {
  const url = inject('redisUrl')
  if (!url) throw new Error('no test Redis in this project: list the file in REDIS_TESTS (vitest.config.ts)')
  return url
}

/** A prefix no other test file uses, so tests never see each other's keys. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(4).toString('hex')}`
}

export function connectTestRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: null, lazyConnect: false })
}

/** Connections to the test Redis made on demand (BullMQ needs several), all closed by `quitAll`. */
export function testConnections() {
  const connections: Redis[] = []
  return {
    connect(): Redis {
      const client = new Redis(testRedisUrl(), { maxRetriesPerRequest: null })
      connections.push(client)
      return client
    },
    quitAll: () => Promise.all(connections.map((client) => client.quit())),
  }
}
