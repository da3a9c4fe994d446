import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { TrackingRecord } from '../../../src/domain/tracking.js'
import { createRedisKeys, type RedisKeys } from '../../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../../src/store/redis/redis-tracking-store.js'
import type { PollView, TrackingStore } from '../../../src/store/tracking-store.js'
import { connectTestRedis, uniquePrefix } from '../../support/redis.js'
import { LEASE_MS, listIds, loadOne, parcel, registerMany, scan, T0 } from '../store-helpers.js'
import { runTrackingStoreContract } from '../tracking-store-contract.js'

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

/** A store under a prefix of its own, so every test starts from an empty Redis. */
function freshStore(name: string): { store: TrackingStore; keys: RedisKeys; prefix: string } {
  const prefix = uniquePrefix(`store-${name}`)
  return { store: createRedisTrackingStore(redis, prefix), keys: createRedisKeys(prefix), prefix }
}

/** Where a tracking's pending poll is, read straight from the `due` / `inflight` ZSETs. */
async function pollSlots(keys: RedisKeys, carrier: string, id: string) {
  const [due, inflight] = await Promise.all([
    redis.zscore(keys.due(0, carrier), id),
    redis.zscore(keys.inflight(0, carrier), id),
  ])
  return {
    due: due === null ? undefined : Number(due),
    inflight: inflight === null ? undefined : Number(inflight),
  }
}

async function expectExactlyOnePendingPoll(keys: RedisKeys, carrier: string, id: string) {
  const slots = await pollSlots(keys, carrier, id)
  const memberships = [slots.due, slots.inflight].filter((score) => score !== undefined)
  expect(memberships, `tracking ${id}: due=${slots.due} inflight=${slots.inflight}`).toHaveLength(1)
  return slots
}

runTrackingStoreContract('redis store', () => freshStore('contract').store)
runTrackingStoreContract('redis store over 8 shards', () =>
  createRedisTrackingStore(redis, uniquePrefix('store-sharded'), { shards: 8 }),
)

describe('register', () => {
  it('creates a tracking once per merchant, carrier and number, and answers the existing one after', async () => {
    const { store, keys } = freshStore('register')
    const first = await store.register(parcel({ orderId: 'A-1' }), new Date(T0))
    expect(first.created).toBe(true)
    expect(first.events).toEqual([])
    expect(first.record).toMatchObject({
      merchantId: 'shop-a',
      carrier: 'laposte',
      trackingNumber: '8K00009775862',
      orderId: 'A-1',
      status: 'pending',
      createdAt: new Date(T0).toISOString(),
      nextCheckAt: new Date(T0).toISOString(),
      notFoundCount: 0,
      failureCount: 0,
    })
    expect(first.record.id).toMatch(/^trk_[A-Za-z0-9]{20}$/)

    const again = await store.register(parcel({ orderId: 'other' }), new Date(T0 + 60_000))
    expect(again.created).toBe(false)
    expect(again.record).toEqual(first.record)
    expect(await listIds(store, 'shop-a')).toEqual([first.record.id])
    expect(await expectExactlyOnePendingPoll(keys, 'laposte', first.record.id)).toEqual({
      due: T0,
      inflight: undefined,
    })
  })

  it('keeps exactly one pending poll when the same parcel is registered many times at once', async () => {
    const { store, keys } = freshStore('register-race')
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.register(parcel(), new Date(T0))),
    )
    expect(results.filter((result) => result.created)).toHaveLength(1)
    const ids = new Set(results.map((result) => result.record.id))
    expect(ids.size).toBe(1)
    expect(await redis.zcard(keys.due(0, 'laposte'))).toBe(1)
    expect(await listIds(store, 'shop-a')).toHaveLength(1)
  })
})

describe('read', () => {
  it('reads the next poll time of a tracking this process never saw, then of one it has seen', async () => {
    const { store, keys, prefix } = freshStore('get-unseen')
    const { record } = await store.register(parcel(), new Date(T0))
    // Another process: it knows nothing of the tracking, not even its carrier.
    const elsewhere = createRedisTrackingStore(redis, prefix)
    expect(await elsewhere.read('shop-a', record.id)).toEqual({ record, eventsJson: '[]', nextDueAtMs: T0 })
    await redis.zadd(keys.due(0, 'laposte'), T0 + 5000, record.id)
    expect((await elsewhere.read('shop-a', record.id))?.nextDueAtMs).toBe(T0 + 5000)
    expect(await elsewhere.read('shop-b', record.id)).toBeUndefined()
  })
})

describe('merchant isolation', () => {
  it("never lets one merchant read, delete or refresh another merchant's tracking", async () => {
    const { store, keys } = freshStore('isolation')
    const { record } = await store.register(parcel({ merchantId: 'shop-a' }), new Date(T0))
    const before = await pollSlots(keys, 'laposte', record.id)

    expect(await store.get('shop-b', record.id)).toBeUndefined()
    expect(await store.delete('shop-b', record.id)).toBe(false)
    expect(await store.requestRefresh('shop-b', record.id, T0 + 5000)).toBeUndefined()
    expect(await store.list('shop-b', { limit: 100 })).toEqual({ data: [] })

    expect(await store.get('shop-a', record.id)).toEqual({ record, events: [], nextDueAtMs: T0 })
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual(before)
    expect(await listIds(store, 'shop-a')).toEqual([record.id])
  })
})

describe('delete', () => {
  it('removes the tracking, its list entries and its pending poll', async () => {
    const { store, keys } = freshStore('delete')
    const [kept, gone] = await registerMany(store, 2)
    if (!kept || !gone) throw new Error('setup')
    expect(await store.delete('shop-a', gone.id)).toBe(true)

    expect(await store.get('shop-a', gone.id)).toBeUndefined()
    expect(await listIds(store, 'shop-a')).toEqual([kept.id])
    expect(await listIds(store, 'shop-a', { status: 'pending' })).toEqual([kept.id])
    expect(await listIds(store, 'shop-a', { carrier: 'laposte' })).toEqual([kept.id])
    expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'pending' })).toEqual([kept.id])
    expect(await pollSlots(keys, 'laposte', gone.id)).toEqual({ due: undefined, inflight: undefined })
    expect(await redis.exists(keys.tracking(gone.id))).toBe(0)
    expect(await store.delete('shop-a', gone.id)).toBe(false)
    expect(await store.requestRefresh('shop-a', gone.id, T0)).toBeUndefined()

    const again = await store.register(parcel({ trackingNumber: gone.trackingNumber }), new Date(T0 + 1))
    expect(again.created).toBe(true)
    expect(again.record.id).not.toBe(gone.id)
  })

  it('removes a tracking that is being polled from inflight', async () => {
    const { store, keys } = freshStore('delete-inflight')
    const { record } = await store.register(parcel(), new Date(T0))
    expect(await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)).toEqual([record.id])
    expect((await pollSlots(keys, 'laposte', record.id)).inflight).toBe(T0 + LEASE_MS)
    expect(await store.delete('shop-a', record.id)).toBe(true)
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: undefined, inflight: undefined })
    expect(await store.claimDue(0, 'laposte', T0 + LEASE_MS + 1, 10, LEASE_MS)).toEqual([])
  })
})

describe('page tokens', () => {
  it('keeps one key per current token, written and removed with the tracking', async () => {
    const { store, keys } = freshStore('page-keys')
    const { record } = await store.register(parcel(), new Date(T0))
    expect(await redis.get(keys.pageToken(record.pageToken))).toBe(`${record.id}:shop-a`)
    const token = await store.rotatePageToken('shop-a', record.id)
    expect(await redis.exists(keys.pageToken(record.pageToken))).toBe(0)
    expect(await redis.get(keys.pageToken(token ?? ''))).toBe(`${record.id}:shop-a`)
    expect(await store.delete('shop-a', record.id)).toBe(true)
    expect(await redis.exists(keys.pageToken(token ?? ''))).toBe(0)
  })

  it('opens nothing through a key that names a tracking holding another token', async () => {
    const { store, keys } = freshStore('page-stale')
    const { record } = await store.register(parcel(), new Date(T0))
    const stale = 'AAAAAAAAAAAAAAAAAAAAAA'
    await redis.set(keys.pageToken(stale), `${record.id}:shop-a`)
    expect(await store.findByPageToken(stale)).toBeUndefined()
    expect((await store.findByPageToken(record.pageToken))?.record.id).toBe(record.id)
  })

  it('opens nothing with a token another process rotated or a tracking it deleted, once opened here', async () => {
    const { store, prefix } = freshStore('page-other-process')
    const other = createRedisTrackingStore(redis, prefix)
    const rotated = (await store.register(parcel(), new Date(T0))).record
    const deleted = (await store.register(parcel({ trackingNumber: 'NUM000042' }), new Date(T0))).record
    for (const { pageToken } of [rotated, deleted])
      expect(await store.findByPageToken(pageToken)).toBeDefined()
    const token = await other.rotatePageToken('shop-a', rotated.id)
    expect(await other.delete('shop-a', deleted.id)).toBe(true)
    expect(await store.findByPageToken(rotated.pageToken)).toBeUndefined()
    expect(await store.findByPageToken(deleted.pageToken)).toBeUndefined()
    expect((await store.findByPageToken(token ?? ''))?.record.id).toBe(rotated.id)
  })

  it('rotates after a poll saved meanwhile, and never gives two tokens at once', async () => {
    const { store } = freshStore('page-rotate-race')
    const { record } = await store.register(parcel(), new Date(T0))
    const tokens = await Promise.all(
      Array.from({ length: 3 }, async (_, index) => {
        if (index === 1) {
          const view = await loadOne(store, record.id)
          await store.save([{ before: view, record: { ...view.record, status: 'in_transit' } }])
          return undefined
        }
        return store.rotatePageToken('shop-a', record.id)
      }),
    )
    const opened = await Promise.all(
      [record.pageToken, ...tokens.filter((token) => token !== undefined)].map((token) =>
        store.findByPageToken(token),
      ),
    )
    expect(opened.filter((found) => found !== undefined)).toHaveLength(1)
  })
})

describe('order index', () => {
  it('keeps one key per order with parcels, written and removed with them, and none for parcels without one', async () => {
    const { store, keys, prefix } = freshStore('order-keys')
    const [a, b] = await store.registerMany(
      [
        { input: parcel({ trackingNumber: 'O1', orderId: 'A:1' }) },
        { input: parcel({ trackingNumber: 'O2', orderId: 'A:1' }) },
      ],
      new Date(T0),
    )
    const loose = await store.register(parcel({ trackingNumber: 'O3' }), new Date(T0))
    if (!a || !b) throw new Error('setup')
    expect(await redis.zcard(keys.merchantOrder(0, 'shop-a', 'A:1'))).toBe(2)
    expect(await redis.keys(`${prefix}:m:shop-a:order:*`)).toEqual([keys.merchantOrder(0, 'shop-a', 'A:1')])

    for (const { record } of [a, b, loose]) expect(await store.delete('shop-a', record.id)).toBe(true)
    expect(await redis.keys(`${prefix}:m:shop-a:order:*`)).toEqual([])
  })

  it('answers only what its own merchant registered under that order, whatever the key holds', async () => {
    const { store, keys } = freshStore('order-stale')
    const { record } = await store.register(parcel({ merchantId: 'shop-b', orderId: 'X' }), new Date(T0))
    await redis.zadd(keys.merchantOrder(0, 'shop-a', 'X'), 0, `000000000000000:${record.id}`)
    expect(await store.findByOrder('shop-a', 'X')).toEqual([])
    expect(await store.findByOrder('shop-b', 'X')).toEqual([record])
  })
})

describe('exactly one pending poll per active tracking', () => {
  it('holds through register, refreshes, claim, save and delete', async () => {
    const { store, keys } = freshStore('invariant')
    const { record } = await store.register(parcel(), new Date(T0))
    const id = record.id
    await expectExactlyOnePendingPoll(keys, 'laposte', id)

    for (const offset of [0, 10, 20]) {
      await store.requestRefresh('shop-a', id, T0 + offset)
      await expectExactlyOnePendingPoll(keys, 'laposte', id)
    }
    expect(await store.claimDue(0, 'laposte', T0 + 100, 10, LEASE_MS)).toEqual([id])
    await expectExactlyOnePendingPoll(keys, 'laposte', id)
    await store.requestRefresh('shop-a', id, T0 + 200)
    await expectExactlyOnePendingPoll(keys, 'laposte', id)

    const view = await loadOne(store, id)
    await store.save([{ before: view, record: view.record, nextPoll: { atMs: T0 + 3_600_000 } }])
    expect(await expectExactlyOnePendingPoll(keys, 'laposte', id)).toEqual({
      due: T0 + 3_600_000,
      inflight: undefined,
    })
    for (const offset of [1000, 2000, 3000]) {
      await store.requestRefresh('shop-a', id, T0 + offset)
      await expectExactlyOnePendingPoll(keys, 'laposte', id)
    }
    expect(await redis.zcard(keys.due(0, 'laposte'))).toBe(1)
    expect(await redis.zcard(keys.inflight(0, 'laposte'))).toBe(0)

    await store.delete('shop-a', id)
    expect(await pollSlots(keys, 'laposte', id)).toEqual({ due: undefined, inflight: undefined })
  })
})

describe('requestRefresh', () => {
  it('answers queued and brings the poll forward when it was due later', async () => {
    const { store, keys } = freshStore('refresh-queued')
    const { record } = await store.register(parcel(), new Date(T0))
    const view = await loadOne(store, record.id)
    await store.save([{ before: view, record: view.record, nextPoll: { atMs: T0 + 3_600_000 } }])

    expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('queued')
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: T0 + 1000, inflight: undefined })
    expect((await store.get('shop-a', record.id))?.nextDueAtMs).toBe(T0 + 1000)
  })

  it('answers due, and changes nothing, when the poll is already due', async () => {
    const { store, keys } = freshStore('refresh-due')
    const { record } = await store.register(parcel(), new Date(T0))
    expect(await store.requestRefresh('shop-a', record.id, T0)).toBe('due')
    expect(await store.requestRefresh('shop-a', record.id, T0 + 5000)).toBe('due')
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: T0, inflight: undefined })
  })

  it('answers due on a second refresh instead of adding another poll', async () => {
    const { store, keys } = freshStore('refresh-twice')
    const { record } = await store.register(parcel(), new Date(T0))
    const view = await loadOne(store, record.id)
    await store.save([{ before: view, record: view.record, nextPoll: { atMs: T0 + 3_600_000 } }])
    expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('queued')
    expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('due')
    expect(await store.requestRefresh('shop-a', record.id, T0 + 2000)).toBe('due')
    expect(await redis.zrange(keys.due(0, 'laposte'), 0, -1)).toEqual([record.id])
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: T0 + 1000, inflight: undefined })
  })

  it('answers running while a poll job holds the tracking, without queueing a second poll yet', async () => {
    const { store, keys } = freshStore('refresh-running')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    expect(await store.requestRefresh('shop-a', record.id, T0 + 10)).toBe('running')
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: undefined, inflight: T0 + LEASE_MS })
    expect((await store.get('shop-a', record.id))?.nextDueAtMs).toBeUndefined()
  })

  it('makes the poll after the running one due at once, even when it would have been later or stopped', async () => {
    const { store, keys } = freshStore('refresh-after-running')
    const later = await store.register(parcel(), new Date(T0))
    const stopped = await store.register(parcel({ trackingNumber: 'STOPPED' }), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    expect(await store.requestRefresh('shop-a', later.record.id, T0 + 10)).toBe('running')
    expect(await store.requestRefresh('shop-a', stopped.record.id, T0 + 10)).toBe('running')

    const before = Date.now()
    const laterView = await loadOne(store, later.record.id)
    const stoppedView = await loadOne(store, stopped.record.id)
    await store.save([
      { before: laterView, record: laterView.record, nextPoll: { atMs: before + 3_600_000 } },
      { before: stoppedView, record: { ...stoppedView.record, stopped: 'terminal' }, nextPoll: 'none' },
    ])
    for (const id of [later.record.id, stopped.record.id]) {
      const slots = await expectExactlyOnePendingPoll(keys, 'laposte', id)
      expect(slots.due).toBeGreaterThanOrEqual(before - 1000)
      expect(slots.due).toBeLessThanOrEqual(Date.now() + 1000)
    }

    // The follow-up poll is the only one: the poll after it goes back to the normal schedule.
    await store.claimDue(0, 'laposte', Date.now() + 1000, 10, LEASE_MS)
    const again = await loadOne(store, later.record.id)
    await store.save([{ before: again, record: again.record, nextPoll: { atMs: T0 + 7_200_000 } }])
    expect(await pollSlots(keys, 'laposte', later.record.id)).toEqual({
      due: T0 + 7_200_000,
      inflight: undefined,
    })
  })

  it('forgets a refresh asked during a poll when the tracking is deleted', async () => {
    const { store, keys } = freshStore('refresh-then-delete')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    expect(await store.requestRefresh('shop-a', record.id, T0 + 10)).toBe('running')
    expect(await store.delete('shop-a', record.id)).toBe(true)
    expect(await redis.smembers(keys.refreshAfterPoll(0, 'laposte'))).toEqual([])
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: undefined, inflight: undefined })
  })

  it('queues a poll again for a tracking whose polling had stopped', async () => {
    const { store, keys } = freshStore('refresh-stopped')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    const view = await loadOne(store, record.id)
    await store.save([
      { before: view, record: { ...view.record, stopped: 'invalid_number' }, nextPoll: 'none' },
    ])
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: undefined, inflight: undefined })
    expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('queued')
    expect(await expectExactlyOnePendingPoll(keys, 'laposte', record.id)).toEqual({
      due: T0 + 1000,
      inflight: undefined,
    })
  })
})

describe('claimDue', () => {
  it('claims only due trackings, oldest first, and leases them in inflight', async () => {
    const { store, keys } = freshStore('claim')
    const due = await registerMany(store, 3, { now: (index) => new Date(T0 + index) })
    const later = await store.register(parcel({ trackingNumber: 'LATER' }), new Date(T0 + 60_000))
    const otherCarrier = await store.register(parcel({ carrier: 'sandbox' }), new Date(T0))

    const claimed = await store.claimDue(0, 'laposte', T0 + 1000, 10, LEASE_MS)
    expect(claimed).toEqual(due.map((record) => record.id))
    for (const id of claimed) {
      expect(await pollSlots(keys, 'laposte', id)).toEqual({ due: undefined, inflight: T0 + 1000 + LEASE_MS })
    }
    expect(await pollSlots(keys, 'laposte', later.record.id)).toEqual({
      due: T0 + 60_000,
      inflight: undefined,
    })
    expect(await pollSlots(keys, 'sandbox', otherCarrier.record.id)).toEqual({ due: T0, inflight: undefined })
    expect(await store.claimDue(0, 'laposte', T0 + 1000, 10, LEASE_MS)).toEqual([])
  })

  it('hands an expired lease out again, but not a live one', async () => {
    const { store, keys } = freshStore('claim-lease')
    const { record } = await store.register(parcel(), new Date(T0))
    expect(await store.claimDue(0, 'laposte', T0, 10, 1000)).toEqual([record.id])

    expect(await store.claimDue(0, 'laposte', T0 + 999, 10, 1000)).toEqual([])
    expect((await pollSlots(keys, 'laposte', record.id)).inflight).toBe(T0 + 1000)

    expect(await store.claimDue(0, 'laposte', T0 + 1500, 10, 1000)).toEqual([record.id])
    expect(await expectExactlyOnePendingPoll(keys, 'laposte', record.id)).toEqual({
      due: undefined,
      inflight: T0 + 2500,
    })
    expect(await store.claimDue(0, 'laposte', T0 + 2000, 10, 1000)).toEqual([])
  })
})

describe('save', () => {
  it('publishes a change exactly when someone listens, whatever the store last saw', async () => {
    const { store, keys } = freshStore('save-notify')
    const [a, b] = await registerMany(store, 2)
    if (!a || !b) throw new Error('setup')
    const notified = (record: TrackingRecord, sequence: number) => ({
      type: 'tracking.updated' as const,
      merchantId: record.merchantId,
      trackingId: record.id,
      sequence,
      timestamp: new Date(T0).toISOString(),
      data: JSON.stringify({ tracking: { id: record.id }, sequence }),
    })
    const save = async (...changes: Array<[TrackingRecord, number]>) => {
      const views = await Promise.all(changes.map(([record]) => loadOne(store, record.id)))
      return store.save(
        views.map((view, index) => {
          const [record, sequence] = changes[index] as [TrackingRecord, number]
          return {
            before: view,
            record: { ...view.record, sequence },
            notifications: [notified(record, sequence)],
          }
        }),
      )
    }
    const published = async () =>
      (await redis.xrange(keys.outbox(0), '-', '+')).map(([, fields]) => {
        const message = JSON.parse(fields[1] ?? '{}')
        expect(JSON.parse(message.data)).toEqual({
          tracking: { id: message.trackingId },
          sequence: message.sequence,
        })
        return `${message.trackingId === a.id ? 'a' : 'b'}${message.sequence}`
      })

    expect(await save([a, 1])).toEqual(['saved'])
    expect(await published()).toEqual([])
    await redis.sadd(keys.merchantWebhooks('shop-a'), 'whk_merchant')
    expect(await save([a, 2])).toEqual(['saved'])
    expect(await published()).toEqual(['a2'])
    await redis.srem(keys.merchantWebhooks('shop-a'), 'whk_merchant')
    expect(await save([a, 3])).toEqual(['saved'])
    expect(await published()).toEqual(['a2'])
    // A shopper subscription to one tracking listens to that tracking only.
    await redis.sadd(keys.trackingSubscriptions(b.id), 'whk_shopper')
    expect(await save([a, 4], [b, 1])).toEqual(['saved', 'saved'])
    expect(await save([b, 2], [a, 5])).toEqual(['saved', 'saved'])
    expect(await published()).toEqual(['a2', 'b1', 'b2'])
    expect((await loadOne(store, a.id)).version).toBe(6)
    expect((await loadOne(store, b.id)).version).toBe(3)
  })

  it('saves the record, the timeline and the next poll, and bumps the version', async () => {
    const { store, keys } = freshStore('save')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    const view = await loadOne(store, record.id)
    expect(view.version).toBe(1)
    const events = [scan(record.trackingNumber, 'PC1', '2026-03-27T14:43:00+01:00', 'info_received')]
    const next = {
      ...view.record,
      status: 'info_received' as const,
      lastCheckedAt: new Date(T0).toISOString(),
    }

    expect(
      await store.save([{ before: view, record: next, events, nextPoll: { atMs: T0 + 7200.4 } }]),
    ).toEqual(['saved'])
    const saved = await loadOne(store, record.id)
    expect(saved).toEqual({ record: next, events, version: 2 })
    expect(await store.get('shop-a', record.id)).toEqual({
      record: next,
      events,
      nextDueAtMs: T0 + 7200,
    })
    expect(await expectExactlyOnePendingPoll(keys, 'laposte', record.id)).toEqual({
      due: T0 + 7200,
      inflight: undefined,
    })
  })

  it('refuses a stale version as a conflict and writes nothing', async () => {
    const { store, keys } = freshStore('save-conflict')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    const stale = await loadOne(store, record.id)
    const winner = { ...stale.record, status: 'in_transit' as const }
    const winnerEvents = [scan(record.trackingNumber, 'ET1', '2026-03-28T07:34:12+01:00', 'in_transit')]
    expect(
      await store.save([{ before: stale, record: winner, events: winnerEvents, nextPoll: 'none' }]),
    ).toEqual(['saved'])
    await store.requestRefresh('shop-a', record.id, T0 + 50)
    const slotsBefore = await pollSlots(keys, 'laposte', record.id)

    const loser = { ...stale.record, status: 'delivered' as const, failureCount: 7 }
    const outcome = await store.save([
      { before: stale, record: loser, events: [], nextPoll: { atMs: T0 + 999_999 } },
    ])
    expect(outcome).toEqual(['conflict'])
    expect(await loadOne(store, record.id)).toEqual({ record: winner, events: winnerEvents, version: 2 })
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual(slotsBefore)
    expect(await listIds(store, 'shop-a', { status: 'delivered' })).toEqual([])
    expect(await listIds(store, 'shop-a', { status: 'in_transit' })).toEqual([record.id])
  })

  it('answers gone for a deleted tracking and clears it from due and inflight', async () => {
    const { store, keys } = freshStore('save-gone')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    const view = await loadOne(store, record.id)
    expect(await store.delete('shop-a', record.id)).toBe(true)
    expect(await store.save([{ before: view, record: view.record, nextPoll: { atMs: T0 + 1000 } }])).toEqual([
      'gone',
    ])
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: undefined, inflight: undefined })
    expect(await redis.exists(keys.tracking(record.id))).toBe(0)
  })

  it('clears leftovers in due and inflight when the tracking key itself has vanished', async () => {
    const { store, keys } = freshStore('save-vanished')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    const view = await loadOne(store, record.id)
    await redis.del(keys.tracking(record.id))
    await redis.zadd(keys.due(0, 'laposte'), T0, record.id)
    expect(await store.save([{ before: view, record: view.record, nextPoll: { atMs: T0 + 1000 } }])).toEqual([
      'gone',
    ])
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: undefined, inflight: undefined })
  })

  it('stops polling when the change says there is no next poll', async () => {
    const { store, keys } = freshStore('save-stop')
    const { record } = await store.register(parcel(), new Date(T0))
    await store.claimDue(0, 'laposte', T0, 10, LEASE_MS)
    const view = await loadOne(store, record.id)
    await store.save([{ before: view, record: { ...view.record, stopped: 'terminal' }, nextPoll: 'none' }])
    expect(await pollSlots(keys, 'laposte', record.id)).toEqual({ due: undefined, inflight: undefined })
    expect(await store.claimDue(0, 'laposte', T0 + 10 * LEASE_MS, 10, LEASE_MS)).toEqual([])
  })

  it('sends a batch of saves, and of loads, as one command each (50 saves at most per command)', async () => {
    const { store } = freshStore('save-one-command')
    const records = await registerMany(store, 120)
    const scripted = redis as unknown as Record<'saveTrackings' | 'loadTrackingsBuffer', () => unknown>
    const saves = vi.spyOn(scripted, 'saveTrackings')
    const loads = vi.spyOn(scripted, 'loadTrackingsBuffer')
    try {
      const views = (await store.loadForPoll(records.map((record) => record.id))) as PollView[]
      expect(loads).toHaveBeenCalledTimes(1)
      const outcomes = await store.save(
        views.map((view) => ({ before: view, record: view.record, nextPoll: { atMs: T0 } })),
      )
      expect(outcomes).toEqual(records.map(() => 'saved'))
      expect(saves).toHaveBeenCalledTimes(3)
    } finally {
      saves.mockRestore()
      loads.mockRestore()
    }
  })

  it('leaves alert checks as they are for a change without alerts, even one a sweep has claimed', async () => {
    const { store, keys } = freshStore('save-keep-alerts')
    const [a, b] = await registerMany(store, 2)
    if (!a || !b) throw new Error('setup')
    await redis.zadd(keys.alertsDue(0), T0 + 5000, a.id)
    await redis.zadd(keys.alertsInflight(0), T0 + 60_000, b.id)
    const [viewA, viewB] = (await store.loadForPoll([a.id, b.id])) as PollView[]
    const kept = (view: PollView) => ({
      before: view,
      record: view.record,
      nextPoll: { atMs: T0 + 1000 },
    })
    expect(await store.save([kept(viewA as PollView), kept(viewB as PollView)])).toEqual(['saved', 'saved'])
    expect(await redis.zscore(keys.alertsDue(0), a.id)).toBe(String(T0 + 5000))
    expect(await redis.zscore(keys.alertsInflight(0), b.id)).toBe(String(T0 + 60_000))
    // A change with alerts sets the next check and ends the sweep's claim.
    const [againB] = (await store.loadForPoll([b.id])) as PollView[]
    const rescheduled = {
      before: againB as PollView,
      record: b,
      nextPoll: { atMs: T0 + 1000 },
      alerts: { opened: [], resolved: [], nextCheckAtMs: T0 + 9000 },
    }
    expect(await store.save([rescheduled])).toEqual(['saved'])
    expect(await redis.zscore(keys.alertsInflight(0), b.id)).toBeNull()
    expect(await redis.zscore(keys.alertsDue(0), b.id)).toBe(String(T0 + 9000))
  })
})
