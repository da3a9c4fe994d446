import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.js'
import { parseDurationMs, parseDurationRange } from '../src/duration.js'

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`)
}

describe('loadConfig', () => {
  it('has a default for every setting', () => {
    expect(loadConfig({})).toMatchObject({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: 3000,
      COLIS_ROLE: 'all',
      COLIS_REDIS_PREFIX: 'colis',
      COLIS_DATA_DIR: '.colis',
      COLIS_SHUTDOWN_GRACE: 25_000,
      LAPOSTE_BASE_URL: 'https://api.laposte.fr/suivi/v2',
      LAPOSTE_LANG: 'fr_FR',
      LAPOSTE_RATE_LIMIT: { max: 10, durationMs: 1000 },
      LAPOSTE_BATCH_SIZE: 10,
      LAPOSTE_TIMEOUT: 10_000,
      SANDBOX_TIME_SCALE: 3600,
      SANDBOX_RATE_LIMIT: { max: 50, durationMs: 1000 },
      POLL_CONCURRENCY: 50,
      POLL_DISPATCH_INTERVAL: 1000,
      POLL_LEASE: 600_000,
      POLL_PENDING: { minMs: 1_800_000, maxMs: 43_200_000 },
      POLL_INFO_RECEIVED: { minMs: 10_800_000, maxMs: 18_000_000 },
      POLL_IN_TRANSIT: { minMs: 7_200_000, maxMs: 14_400_000 },
      POLL_NEAR_DELIVERY: { minMs: 900_000, maxMs: 1_800_000 },
      POLL_EXCEPTION: { minMs: 3_600_000, maxMs: 7_200_000 },
      POLL_RETRY: { minMs: 60_000, maxMs: 3_600_000 },
      POLL_EXPIRE_AFTER: 2_592_000_000,
      POLL_STALLED_LOCK: 30_000,
    })
  })

  it('leaves optional secrets and URLs unset', () => {
    const config = loadConfig({})
    expect(config.REDIS_URL).toBeUndefined()
    expect(config.LAPOSTE_API_KEY).toBeUndefined()
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', POLL_IN_TRANSIT: '', LAPOSTE_RATE_LIMIT: '' })).toMatchObject({
      PORT: 3000,
      POLL_IN_TRANSIT: { minMs: 7_200_000, maxMs: 14_400_000 },
      LAPOSTE_RATE_LIMIT: { max: 10, durationMs: 1000 },
    })
  })

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', COLIS_UNKNOWN: 'x' })).toEqual(loadConfig({}))
  })

  it('reads the values it is given', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      HOST: '0.0.0.0',
      PORT: '8080',
      COLIS_ROLE: 'worker',
      REDIS_URL: 'redis://redis:6379/1',
      COLIS_REDIS_PREFIX: '{colis}',
      LAPOSTE_API_KEY: 'key',
      LAPOSTE_LANG: 'en_GB',
      LAPOSTE_BATCH_SIZE: '5',
      SANDBOX_TIME_SCALE: '0.5',
      POLL_CONCURRENCY: '4',
    })
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      LOG_LEVEL: 'debug',
      HOST: '0.0.0.0',
      PORT: 8080,
      COLIS_ROLE: 'worker',
      REDIS_URL: 'redis://redis:6379/1',
      COLIS_REDIS_PREFIX: '{colis}',
      LAPOSTE_API_KEY: 'key',
      LAPOSTE_LANG: 'en_GB',
      LAPOSTE_BATCH_SIZE: 5,
      SANDBOX_TIME_SCALE: 0.5,
      POLL_CONCURRENCY: 4,
    })
  })

  it.each([
    ['500ms', 500],
    ['15s', 15_000],
    ['30m', 1_800_000],
    ['4h', 14_400_000],
    ['30d', 2_592_000_000],
    ['1.5h', 5_400_000],
    [' 2 m ', 120_000],
  ])('reads the duration %j as %d ms', (text, ms) => {
    expect(loadConfig({ LAPOSTE_TIMEOUT: text }).LAPOSTE_TIMEOUT).toBe(ms)
  })

  it.each([
    ['2h-4h', { minMs: 7_200_000, maxMs: 14_400_000 }],
    ['15m-30m', { minMs: 900_000, maxMs: 1_800_000 }],
    ['90s-2m', { minMs: 90_000, maxMs: 120_000 }],
    ['3h', { minMs: 10_800_000, maxMs: 10_800_000 }],
    ['1h-1h', { minMs: 3_600_000, maxMs: 3_600_000 }],
  ])('reads the duration range %j', (text, range) => {
    expect(loadConfig({ POLL_IN_TRANSIT: text }).POLL_IN_TRANSIT).toEqual(range)
  })

  it.each([
    ['10/1s', { max: 10, durationMs: 1000 }],
    ['100/1m', { max: 100, durationMs: 60_000 }],
    ['1/500ms', { max: 1, durationMs: 500 }],
  ])('reads the rate %j', (text, rate) => {
    expect(loadConfig({ LAPOSTE_RATE_LIMIT: text }).LAPOSTE_RATE_LIMIT).toEqual(rate)
  })

  describe('fails fast with a message naming the variable', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['POLL_IN_TRANSIT', '4h-2h'],
      ['POLL_IN_TRANSIT', '2h-4h-6h'],
      ['POLL_IN_TRANSIT', '2h-'],
      ['POLL_IN_TRANSIT', 'often'],
      ['LAPOSTE_RATE_LIMIT', 'fast'],
      ['LAPOSTE_RATE_LIMIT', '0/1s'],
      ['LAPOSTE_RATE_LIMIT', '10/soon'],
      ['LAPOSTE_TIMEOUT', '10'],
      ['LAPOSTE_TIMEOUT', '10 seconds'],
      ['LAPOSTE_BATCH_SIZE', '11'],
      ['LAPOSTE_BATCH_SIZE', '0'],
      ['LAPOSTE_LANG', 'fr'],
      ['NODE_ENV', 'prod'],
      ['LOG_LEVEL', 'verbose'],
      ['COLIS_ROLE', 'both'],
      ['REDIS_URL', 'not a url'],
      ['COLIS_REDIS_PREFIX', 'colis:test'],
      ['SANDBOX_TIME_SCALE', '0'],
      ['POLL_CONCURRENCY', '0'],
    ])('%s=%s', (variable, value) => {
      const error = configError({ [variable]: value })
      expect(error).toBeInstanceOf(ConfigError)
      expect(error.name).toBe('ConfigError')
      expect(error.message).toMatch(/^invalid configuration:\n/)
      expect(error.message).toContain(`  ${variable}: `)
    })

    it('quotes the bad value and shows the expected form', () => {
      expect(configError({ POLL_IN_TRANSIT: '4h-2h' }).message).toBe(
        'invalid configuration:\n  POLL_IN_TRANSIT: "4h-2h" is not a duration range such as 2h-4h',
      )
      expect(configError({ LAPOSTE_RATE_LIMIT: 'fast' }).message).toBe(
        'invalid configuration:\n  LAPOSTE_RATE_LIMIT: "fast" is not a rate such as 10/1s or 100/1m',
      )
      expect(configError({ LAPOSTE_TIMEOUT: 'soon' }).message).toBe(
        'invalid configuration:\n  LAPOSTE_TIMEOUT: "soon" is not a duration such as 500ms, 30s, 15m, 4h or 30d',
      )
    })

    it('lists every bad variable at once, one per line', () => {
      const lines = configError({ PORT: 'abc', POLL_IN_TRANSIT: '4h-2h', LAPOSTE_RATE_LIMIT: 'fast' })
        .message.split('\n')
        .slice(1)
      expect(lines).toHaveLength(3)
      expect(lines.map((line) => line.trim().split(':')[0]).sort()).toEqual([
        'LAPOSTE_RATE_LIMIT',
        'POLL_IN_TRANSIT',
        'PORT',
      ])
    })
  })
})

describe('loadConfig: a Redis Cluster', () => {
  it('reads REDIS_CLUSTER_NODES as seeds, and spreads the trackings over 64 shards by default', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: 'rediss://:s3cret@redis-0:6379,redis-1:6379' })
    expect(config.REDIS_CLUSTER_NODES).toEqual({
      nodes: [
        { host: 'redis-0', port: 6379 },
        { host: 'redis-1', port: 6379 },
      ],
      tls: true,
      password: 's3cret',
    })
    expect(config.REDIS_URL).toBeUndefined()
    expect(config.COLIS_SHARDS).toBe(64)
    expect(config.COLIS_REDIS_PREFIX).toBe('colis')
  })

  it('keeps one shard on one Redis unless told', () => {
    expect(loadConfig({}).COLIS_SHARDS).toBe(1)
    expect(loadConfig({ COLIS_SHARDS: '16' }).COLIS_SHARDS).toBe(16)
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379', COLIS_SHARDS: '128' }).COLIS_SHARDS).toBe(128)
  })

  it('polls each carrier through one queue on one Redis and three on a cluster unless told', () => {
    expect(loadConfig({}).POLL_QUEUE_LANES).toBe(1)
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379' }).POLL_QUEUE_LANES).toBe(3)
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379', COLIS_SHARDS: '2', COLIS_REDIS_PREFIX: 'colis' })
        .POLL_QUEUE_LANES,
    ).toBe(2)
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379', COLIS_SHARDS: '1', COLIS_REDIS_PREFIX: '{colis}' })
        .POLL_QUEUE_LANES,
    ).toBe(1)
    expect(loadConfig({ COLIS_SHARDS: '16', POLL_QUEUE_LANES: '3' }).POLL_QUEUE_LANES).toBe(3)
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-0:6379', POLL_QUEUE_LANES: '6' }).POLL_QUEUE_LANES).toBe(
      6,
    )
    expect(loadConfig({ COLIS_SHARDS: '2', POLL_QUEUE_LANES: '1' }).POLL_QUEUE_LANES).toBe(1)
  })

  it('refuses more poll lanes than shards, each lane taking its share of them', () => {
    expect(configError({ POLL_QUEUE_LANES: '2' }).message).toMatch(
      /^invalid configuration:\n {2}POLL_QUEUE_LANES: must not exceed COLIS_SHARDS \(1\)/,
    )
    expect(configError({ COLIS_SHARDS: '4', POLL_QUEUE_LANES: '5' }).message).toContain('POLL_QUEUE_LANES')
    expect(configError({ COLIS_SHARDS: '4', POLL_QUEUE_LANES: '0' }).message).toContain('POLL_QUEUE_LANES')
  })

  it.each(['0', '1025', '2.5', 'many'])('refuses COLIS_SHARDS=%s', (shards) => {
    expect(configError({ COLIS_SHARDS: shards }).message).toMatch(
      /^invalid configuration:\n {2}COLIS_SHARDS: /,
    )
  })

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together', () => {
    expect(
      configError({
        REDIS_URL: 'redis://redis:6379',
        REDIS_CLUSTER_NODES: 'redis-0:6379',
      }).message,
    ).toBe(
      'invalid configuration:\n  REDIS_CLUSTER_NODES: set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
    )
  })

  it.each(['{colis}', 'co{lis}', 'colis}'])(
    'refuses COLIS_REDIS_PREFIX=%s with several shards: each shard makes its own hash tag',
    (prefix) => {
      const message = configError({ REDIS_CLUSTER_NODES: 'redis-0:6379', COLIS_REDIS_PREFIX: prefix }).message
      expect(message).toMatch(
        /^invalid configuration:\n {2}COLIS_REDIS_PREFIX: must hold no braces with 64 shards/,
      )
      expect(message).toContain('COLIS_SHARDS=1 to keep one slot')
    },
  )

  it.each(['colis', 'my-colis', '{}colis', 'colis{'])(
    'refuses COLIS_REDIS_PREFIX=%s with one shard on a cluster: its keys must share one hash tag',
    (prefix) => {
      const message = configError({
        REDIS_CLUSTER_NODES: 'redis-0:6379',
        COLIS_SHARDS: '1',
        COLIS_REDIS_PREFIX: prefix,
      }).message
      expect(message).toMatch(/COLIS_REDIS_PREFIX: must be a hash tag such as \{/)
      expect(message).toContain('with one shard on REDIS_CLUSTER_NODES')
    },
  )

  it('accepts one shard on a cluster under a hash-tagged prefix', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: 'redis-0:6379',
      COLIS_SHARDS: '1',
      COLIS_REDIS_PREFIX: '{colis}',
    })
    expect(config.COLIS_SHARDS).toBe(1)
  })

  it('says which seed is wrong', () => {
    expect(
      configError({ REDIS_CLUSTER_NODES: 'redis-0:6379,redis-1', COLIS_REDIS_PREFIX: '{c}' }).message,
    ).toBe(
      'invalid configuration:\n  REDIS_CLUSTER_NODES: "redis-1" is not host:port (such as 10.0.0.5:6379) nor a redis:// or rediss:// URL',
    )
  })
})

describe('parseDurationMs', () => {
  it.each([
    ['0ms', 0],
    ['500ms', 500],
    ['1s', 1000],
    ['0.5s', 500],
    ['15m', 900_000],
    ['4h', 14_400_000],
    ['30d', 2_592_000_000],
  ])('%j → %d', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms)
  })

  it.each(['', '10', 's', '4H', '-1s', '.5s', '1e3ms', '4h30m', '1w', 'ten s'])('%j → undefined', (text) => {
    expect(parseDurationMs(text)).toBeUndefined()
  })
})

describe('parseDurationRange', () => {
  it.each([
    ['2h-4h', { minMs: 7_200_000, maxMs: 14_400_000 }],
    ['4h', { minMs: 14_400_000, maxMs: 14_400_000 }],
    [' 2h - 4h ', { minMs: 7_200_000, maxMs: 14_400_000 }],
  ])('%j → %j', (text, range) => {
    expect(parseDurationRange(text)).toEqual(range)
  })

  it.each(['', '4h-2h', '2h-', '-4h', '2h--4h', '2h-4h-6h', '2h-4h-1h', 'often'])(
    '%j → undefined',
    (text) => {
      expect(parseDurationRange(text)).toBeUndefined()
    },
  )
})

describe('webhook egress allow-list', () => {
  it('is refused in production, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' })).toThrow(
      /WEBHOOK_ALLOWED_CIDRS: must be empty in production/,
    )
  })

  it('is accepted in tests', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32' }).WEBHOOK_ALLOWED_CIDRS,
    ).toBe('127.0.0.1/32')
  })
})

describe('Mondial Relay settings', () => {
  it('point at the production service at 2 requests/s, without credentials by default', () => {
    expect(loadConfig({})).toMatchObject({
      MONDIALRELAY_BASE_URL: 'https://api.mondialrelay.com/Web_Services.asmx',
      MONDIALRELAY_RATE_LIMIT: { max: 2, durationMs: 1000 },
      MONDIALRELAY_TIMEOUT: 10_000,
    })
    expect(loadConfig({}).MONDIALRELAY_PRIVATE_KEY).toBeUndefined()
    expect(
      loadConfig({ MONDIALRELAY_ENSEIGNE: 'BDTEST13', MONDIALRELAY_PRIVATE_KEY: 'PrivateK' }),
    ).toMatchObject({
      MONDIALRELAY_ENSEIGNE: 'BDTEST13',
      MONDIALRELAY_PRIVATE_KEY: 'PrivateK',
    })
  })

  it.each([
    ['MONDIALRELAY_ENSEIGNE', 'BDTEST13X'],
    ['MONDIALRELAY_ENSEIGNE', 'BD TEST'],
    ['MONDIALRELAY_PRIVATE_KEY', 'clé privée'],
    ['MONDIALRELAY_PRIVATE_KEY', 'Private K'],
  ])('refuse %s=%j (the signature hashes printable ASCII), without echoing it', (variable, value) => {
    const error = configError({ [variable]: value })
    expect(error.message).toContain(`  ${variable}: `)
    expect(error.message).not.toContain(value)
  })
})

describe('DPD France settings', () => {
  it('reads the public page by default, and the customer block as depot/customer numbers', () => {
    expect(loadConfig({})).toMatchObject({
      DPD_FR_BASE_URL: 'https://webtrace.dpd.fr/trace-service/Webtrace_Service.asmx',
      DPD_FR_TRACE_URL: 'https://trace.dpd.fr',
      DPD_FR_RATE_LIMIT: { max: 2, durationMs: 1000 },
      DPD_FR_TIMEOUT: 10_000,
    })
    expect(loadConfig({}).DPD_FR_USER).toBeUndefined()
    expect(loadConfig({ DPD_FR_CUSTOMER: '123/456789' }).DPD_FR_CUSTOMER).toEqual({
      centerNumber: 123,
      number: 456789,
    })
    expect(() => loadConfig({ DPD_FR_CUSTOMER: '123-456789' })).toThrow(/DPD_FR_CUSTOMER: is not a depot/)
  })

  it('takes the user and the password together or not at all, naming the one missing', () => {
    expect(loadConfig({ DPD_FR_USER: 'u', DPD_FR_PASSWORD: 'p' })).toMatchObject({
      DPD_FR_USER: 'u',
      DPD_FR_PASSWORD: 'p',
    })
    expect(() => loadConfig({ DPD_FR_USER: 'u' })).toThrow(
      /DPD_FR_PASSWORD: DPD_FR_USER and DPD_FR_PASSWORD go together/,
    )
    expect(() => loadConfig({ DPD_FR_PASSWORD: 'p' })).toThrow(/DPD_FR_USER: DPD_FR_USER and DPD_FR_PASSWORD/)
  })
})

describe('HTTP server limits', () => {
  it('default to 10 s for headers, 30 s for a request, 5 s keep-alive and 1000 connections', () => {
    expect(loadConfig({})).toMatchObject({
      HTTP_HEADERS_TIMEOUT: 10_000,
      HTTP_REQUEST_TIMEOUT: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT: 5_000,
      HTTP_MAX_CONNECTIONS: 1000,
    })
  })

  it('refuse a headers timeout longer than the request timeout, and timeouts of 0', () => {
    expect(configError({ HTTP_HEADERS_TIMEOUT: '1m', HTTP_REQUEST_TIMEOUT: '30s' }).message).toContain(
      'HTTP_HEADERS_TIMEOUT: must not be longer than HTTP_REQUEST_TIMEOUT',
    )
    expect(configError({ HTTP_KEEP_ALIVE_TIMEOUT: '0s' }).message).toContain('HTTP_KEEP_ALIVE_TIMEOUT: ')
    expect(configError({ HTTP_MAX_CONNECTIONS: '0' }).message).toContain('HTTP_MAX_CONNECTIONS: ')
  })
})

describe('the public base URL', () => {
  it('defaults to localhost on the port colis listens on', () => {
    expect(loadConfig({}).PUBLIC_BASE_URL).toBe('http://localhost:3000')
    expect(loadConfig({ PORT: '8080' }).PUBLIC_BASE_URL).toBe('http://localhost:8080')
  })

  it.each(['https://track.example.com', 'http://127.0.0.1:3000', 'https://shop.example.com/colis'])(
    'takes %s as is',
    (url) => {
      expect(loadConfig({ PUBLIC_BASE_URL: url }).PUBLIC_BASE_URL).toBe(url)
    },
  )

  it.each([
    'https://track.example.com/',
    'track.example.com',
    'ftp://track.example.com',
    'https:track.example.com',
    'https://track.example.com?x=1',
    'https://track.example.com#top',
    'https://user:secret@track.example.com',
    'https://track example.com',
  ])('refuses %s', (url) => {
    expect(configError({ PUBLIC_BASE_URL: url }).message).toContain(
      '  PUBLIC_BASE_URL: an absolute http(s) URL',
    )
  })
})
