import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DelayAlert } from '../../src/domain/delay-alerts.js'
import { createRedisKeys, indexMember, type RedisKeys } from '../../src/store/redis-keys.js'
import { createRedisTrackingStore } from '../../src/store/redis-tracking-store.js'
import type { StoredAlert, TrackingStore } from '../../src/store/tracking-store.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

const T0 = Date.parse('2026-03-27T10:00:00.000Z')

let redis: Redis

beforeAll(() => {
  redis = connectTestRedis()
})

afterAll(async () => {
  await redis.quit()
})

function freshStore(name: string): { store: TrackingStore; keys: RedisKeys } {
  const prefix = uniquePrefix(`alerts-${name}`)
  return { store: createRedisTrackingStore(redis, prefix), keys: createRedisKeys(prefix) }
}

function alert(id: string, type: DelayAlert['type'], minute: number, resolvedAt?: string): DelayAlert {
  return {
    id,
    type,
    openedAt: new Date(T0 + minute * 60_000).toISOString(),
    ...(resolvedAt ? { resolvedAt } : {}),
    details: { minute },
  }
}

async function register(store: TrackingStore, number: string) {
  const { record } = await store.register(
    { merchantId: 'shop-a', carrier: 'laposte', trackingNumber: number },
    new Date(T0),
  )
  return record.id
}

/** Saves the tracking with `alerts` as its alerts, `changed` of them reported as opened or resolved. */
async function saveAlerts(store: TrackingStore, id: string, alerts: DelayAlert[], changed = alerts) {
  const [view] = await store.loadForPoll([id])
  if (!view) throw new Error(`${id} is gone`)
  const outcomes = await store.savePolls([
    { before: view, record: { ...view.record, alerts }, changedAlerts: changed, keepPollSchedule: true },
  ])
  expect(outcomes).toEqual(['saved'])
}

async function listAll(store: TrackingStore, query: { state: 'open' | 'resolved'; type?: 'late' }) {
  const seen: StoredAlert[] = []
  let cursor: string | undefined
  do {
    const page = await store.listAlerts('shop-a', { ...query, limit: 2, cursor })
    seen.push(...page.data)
    cursor = page.nextCursor
  } while (cursor)
  return seen
}

describe('alert lists', () => {
  it('lists each alert from its tracking, newest first, page by page, and moves it when resolved', async () => {
    const { store, keys } = freshStore('lists')
    const first = await register(store, '8K00009775862')
    const second = await register(store, '8K00009775863')
    const lateFirst = alert('alr_a', 'late', 1)
    const stalledFirst = alert('alr_b', 'stalled', 2)
    const lateSecond = alert('alr_c', 'late', 3)
    await saveAlerts(store, first, [lateFirst, stalledFirst])
    await saveAlerts(store, second, [lateSecond])

    const open = [
      { ...lateSecond, trackingId: second },
      { ...stalledFirst, trackingId: first },
      { ...lateFirst, trackingId: first },
    ]
    expect(await listAll(store, { state: 'open' })).toEqual(open)
    // One page holding two alerts of the same tracking.
    expect(await store.listAlerts('shop-a', { state: 'open', limit: 10 })).toEqual({ data: open })
    expect(await store.listAlerts('shop-b', { state: 'open', limit: 10 })).toEqual({ data: [] })
    expect((await listAll(store, { state: 'open', type: 'late' })).map((item) => item.id)).toEqual([
      'alr_c',
      'alr_a',
    ])
    // No copy of its own: the tracking is where an alert lives.
    expect(await redis.exists(keys.legacyAlert('alr_a'))).toBe(0)

    const resolved = { ...lateFirst, resolvedAt: new Date(T0 + 3_600_000).toISOString() }
    await saveAlerts(store, first, [resolved, stalledFirst], [resolved])
    expect((await listAll(store, { state: 'open' })).map((item) => item.id)).toEqual(['alr_c', 'alr_b'])
    expect(await listAll(store, { state: 'resolved', type: 'late' })).toEqual([
      { ...resolved, trackingId: first },
    ])

    expect(await store.delete('shop-a', first)).toBe(true)
    expect((await listAll(store, { state: 'open' })).map((item) => item.id)).toEqual(['alr_c'])
    expect(await listAll(store, { state: 'resolved' })).toEqual([])
  })

  it('still lists an alert written with a key of its own, and cleans it up once it changes', async () => {
    const { store, keys } = freshStore('legacy')
    const id = await register(store, '8K00009775862')
    const late = alert('alr_old', 'late', 1)
    await saveAlerts(store, id, [late], [])
    // As alerts were stored before: the alert under its own key, its bare id in the merchant's lists.
    const legacyMember = indexMember(late.openedAt, late.id)
    await redis.set(
      keys.legacyAlert(late.id),
      JSON.stringify({ ...late, trackingId: id, merchantId: 'shop-a' }),
    )
    for (const type of [undefined, late.type])
      await redis.zadd(keys.merchantAlerts('shop-a', 'open', type), 0, legacyMember)
    const newer = alert('alr_new', 'late', 2)
    const second = await register(store, '8K00009775863')
    await saveAlerts(store, second, [newer])

    expect(await listAll(store, { state: 'open', type: 'late' })).toEqual([
      { ...newer, trackingId: second },
      { ...late, trackingId: id },
    ])

    const resolved = { ...late, resolvedAt: new Date(T0 + 3_600_000).toISOString() }
    await saveAlerts(store, id, [resolved])
    expect((await listAll(store, { state: 'open' })).map((item) => item.id)).toEqual(['alr_new'])
    expect(await listAll(store, { state: 'resolved' })).toEqual([{ ...resolved, trackingId: id }])
    expect(await redis.exists(keys.legacyAlert(late.id))).toBe(0)
    for (const state of ['open', 'resolved'] as const)
      expect(await redis.zscore(keys.merchantAlerts('shop-a', state), legacyMember)).toBeNull()
  })
})
