import { describe, expect, it } from 'vitest'
import { newTrackingRecord } from '../../../src/store/new-tracking.js'
import { createRedisKeys } from '../../../src/store/redis/redis-keys.js'
import { shardTags } from '../../../src/store/redis/shard-tags.js'
import { bullPrefix } from '../../../workers/jobs.js'

/** CRC16-XMODEM, as Redis Cluster hashes keys (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/). */
function crc16(text: string): number {
  let crc = 0
  for (const byte of Buffer.from(text)) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/** The cluster slot of a key: only its first non-empty `{hash tag}` counts, when it has one. */
function keySlot(key: string): number {
  const open = key.indexOf('{')
  const close = open === -1 ? -1 : key.indexOf('}', open + 1)
  const tagged = close > open + 1 ? key.slice(open + 1, close) : key
  return crc16(tagged) % 16384
}

/** Every key builder of createRedisKeys, called with placeholder arguments (shard 0 where one is taken). */
function everyKey(prefix: string, shards = 1): Array<[string, string]> {
  const keys = createRedisKeys(prefix, shards)
  return Object.entries(keys).flatMap(([name, build]): Array<[string, string]> => {
    if (typeof build !== 'function' || name === 'shardOf') return []
    const takesShard = build.toString().startsWith('(shard')
    const args = ['merchant-1', 'open', 'stalled', 'extra'].slice(0, build.length - (takesShard ? 1 : 0))
    return [[name, (build as (...parts: unknown[]) => string)(...(takesShard ? [0, ...args] : args))]]
  })
}

describe('Redis keys', () => {
  it('hashes keys as Redis Cluster does (values from the cluster spec and CLUSTER KEYSLOT docs)', () => {
    expect(crc16('123456789')).toBe(0x31c3)
    expect(keySlot('somekey')).toBe(11058)
    expect(keySlot('foo{hash_tag}')).toBe(2515)
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'))
    expect(keySlot('foo{}{bar}')).toBe(crc16('foo{}{bar}') % 16384)
  })

  it('starts every key colis builds, and every BullMQ key, with COLIS_REDIS_PREFIX', () => {
    for (const [name, key] of everyKey('acme')) expect(key, name).toMatch(/^acme:/)
    expect(bullPrefix({ COLIS_REDIS_PREFIX: 'acme' })).toMatch(/^acme:/)
  })

  it('puts every key in one cluster slot under a hash-tagged prefix such as {colis}, and spreads them without one', () => {
    const tagged = everyKey('{colis}').map(([, key]) => keySlot(key))
    const bull = ['poll-laposte', 'webhook-deliveries', 'maintenance'].map((queue) =>
      keySlot(`${bullPrefix({ COLIS_REDIS_PREFIX: '{colis}' })}:${queue}:wait`),
    )
    expect(new Set([...tagged, ...bull])).toEqual(new Set([keySlot('{colis}')]))
    expect(new Set(everyKey('colis').map(([, key]) => keySlot(key))).size).toBeGreaterThan(1)
  })

  it('with several shards, puts a tracking, its indexes, schedules and outbox in its shard’s slot, a merchant’s settings in its own, and the rest in one slot', () => {
    const shards = 64
    const keys = createRedisKeys('colis', shards)
    const record = newTrackingRecord(
      { merchantId: 'shop', carrier: 'laposte', trackingNumber: '6A12345678901', orderId: 'A-1' },
      '2026-12-06T10:00:00.000Z',
      shards,
    )
    const shard = keys.shardOf(record.id)
    const ofTracking = [
      keys.tracking(record.id),
      keys.trackingByNumber('shop', 'laposte', '6A12345678901'),
      keys.pageToken(record.pageToken ?? ''),
      keys.trackingSubscriptions(record.id),
      keys.trackingEmails(record.id),
      keys.merchantOrder(shard, 'shop', 'A-1'),
      keys.merchantAll(shard, 'shop'),
      keys.merchantCarrierStatus(shard, 'shop', 'laposte', 'pending'),
      keys.due(shard, 'laposte'),
      keys.inflight(shard, 'laposte'),
      keys.alertsDue(shard),
      keys.outbox(shard),
      keys.merchantAlerts(shard, 'shop', 'open', 'stalled'),
      keys.openAlerts(shard, 'stalled'),
      keys.analyticsCell(shard, {
        merchantId: 'shop',
        carrier: 'laposte',
        service: 's',
        destination: 'FR-75',
        week: '2026-W49',
      }),
      keys.merchantAnalyticsVersion(shard, 'shop'),
    ]
    expect(new Set(ofTracking.map(keySlot))).toEqual(
      new Set([keySlot(`{${shardTags('colis', shards)[shard]}}`)]),
    )
    const shared = [
      keys.apiKey('k'),
      keys.webhook('whk'),
      keys.delivery('dlv'),
      keys.unknownCodes('laposte'),
      keys.dashboardSession('s'),
    ]
    expect(new Set(shared.map(keySlot))).toEqual(new Set([keySlot('{colis}')]))
    expect(new Set([keys.merchantSettings('shop'), keys.merchantLogo('shop', 'f00')].map(keySlot))).toEqual(
      new Set([keySlot('{colis:m:shop}')]),
    )
    const tags = new Set(Array.from({ length: shards }, (_, each) => keySlot(keys.outbox(each))))
    expect(tags.size).toBe(shards)
    for (const [name, key] of everyKey('colis', shards))
      expect(key, name).toMatch(/^(\{colis(:\d+(:[0-9a-z]+)?|:m:merchant-1)?\}:|colis:keyspace$)/)
    expect(() => keys.due(shards, 'laposte')).toThrow(RangeError)
  })
})
