import { describe, expect, it } from 'vitest'
import {
  API_REDIS_OPTIONS,
  COMMAND_REDIS_OPTIONS,
  clusterOptionsOf,
  WORKER_REDIS_OPTIONS,
} from '../../src/main/redis-connections.js'

const SEEDS = { nodes: [{ host: 'redis-0', port: 6379 }], tls: false }

describe('clusterOptionsOf: a connection profile as a cluster client takes it', () => {
  it("keeps the API's fail-fast behaviour: no offline queue, each node's timeout and single retry", () => {
    const options = clusterOptionsOf(SEEDS, API_REDIS_OPTIONS)
    expect(options).toMatchObject({
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      scaleReads: 'master',
    })
    expect(options.redisOptions).toEqual({
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 800,
    })
  })

  it('lets workers and commands wait for the cluster, with the retries BullMQ requires on every node', () => {
    expect(clusterOptionsOf(SEEDS, WORKER_REDIS_OPTIONS)).toMatchObject({
      enableOfflineQueue: true,
      redisOptions: { maxRetriesPerRequest: null },
    })
    expect(clusterOptionsOf(SEEDS, COMMAND_REDIS_OPTIONS).redisOptions).toEqual({ maxRetriesPerRequest: 1 })
  })

  it('keeps reconnecting to the cluster, backing off to 2 s', () => {
    const retry = clusterOptionsOf(SEEDS, WORKER_REDIS_OPTIONS).clusterRetryStrategy
    expect([1, 5, 100].map((times) => retry?.(times))).toEqual([100, 500, 2_000])
  })

  it("gives every node the seeds' credentials and TLS, and keeps host names for the certificate", () => {
    const options = clusterOptionsOf(
      { ...SEEDS, tls: true, username: 'colis', password: 's3cret' },
      WORKER_REDIS_OPTIONS,
    )
    expect(options.redisOptions).toEqual({
      maxRetriesPerRequest: null,
      username: 'colis',
      password: 's3cret',
      tls: {},
    })
    const resolved: unknown[] = []
    options.dnsLookup?.('redis-0.example.com', (error, address) => resolved.push(error, address))
    expect(resolved).toEqual([null, 'redis-0.example.com'])
    expect(clusterOptionsOf(SEEDS, WORKER_REDIS_OPTIONS).dnsLookup).toBeUndefined()
  })
})
