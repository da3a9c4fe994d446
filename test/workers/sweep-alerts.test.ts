import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { addCalendarDays, endOfParisDay, parisDateOf } from '../../src/domain/business-calendar.js'
import { createSilentLogger } from '../../src/logger.js'
import { createMemoryTrackingStore } from '../../src/store/memory/memory-tracking-store.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { sweepAlerts } from '../../workers/sweep-alerts.js'
import { testRedisUrl, uniquePrefix } from '../support/redis.js'

const POLICY = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables' as const,
}

describe('alert sweep', () => {
  const redis = new Redis(testRedisUrl())
  afterAll(() => redis.quit())

  it('reads only the trackings whose alerts are due, opens `late` once, and publishes it', async () => {
    const prefix = uniquePrefix('sweep')
    const keys = createRedisKeys(prefix)
    const store = createRedisTrackingStore(redis, prefix)
    const now = Date.now()
    const today = parisDateOf(now)
    const register = (number: string, promisedDeliveryDate: string) =>
      store.register(
        { merchantId: 'shop', carrier: 'sandbox', trackingNumber: number, promisedDeliveryDate },
        new Date(now),
        {
          nextAlertCheckAtMs: endOfParisDay(promisedDeliveryDate),
        },
      )
    const { record: late } = await register('SBXSTALLED001', addCalendarDays(today, -2))
    for (let index = 0; index < 50; index++)
      await register(`SBXSTALLED${200 + index}`, addCalendarDays(today, 5))

    // Notifications are written only for merchants who listen.
    await createWebhookStore(redis, prefix).createEndpoint({
      id: 'whk_sweep',
      merchantId: 'shop',
      url: 'https://hooks.example/colis',
      events: ['alert.opened'],
      secrets: [],
      createdAt: new Date(now).toISOString(),
    })
    const deps = { store, alertPolicy: () => POLICY, logger: createSilentLogger(), now: () => now }
    expect(await sweepAlerts(deps, [0])).toBe(1)
    const found = await store.get('shop', late.id)
    expect(found?.record.alerts.map((alert) => [alert.type, alert.resolvedAt])).toEqual([['late', undefined]])
    const entries = (await redis.xrange(keys.outbox(0), '-', '+')).map(([, fields]) =>
      JSON.parse(fields[1] ?? '{}'),
    )
    expect(
      entries.map((entry: { type: string; trackingId: string }) => [entry.type, entry.trackingId]),
    ).toEqual([['alert.opened', late.id]])

    // Nothing else is due until the other promises end: a second sweep reads nothing and opens nothing.
    expect(await sweepAlerts(deps, [0])).toBe(0)
    expect(await redis.xlen(keys.outbox(0))).toBe(1)
    // The late parcel stays indexed for its next time-driven check (it may still stall), in the future.
    expect(await redis.zcard(keys.alertsDue(0))).toBe(51)
    expect(Number(await redis.zscore(keys.alertsDue(0), late.id))).toBeGreaterThan(now)
    const page = await store.listAlerts('shop', { state: 'open', type: 'late', limit: 10 })
    expect(page.data.map((alert) => alert.trackingId)).toEqual([late.id])
  })
})

describe('alert sweep racing a poll', () => {
  const redis = new Redis(testRedisUrl())
  afterAll(() => redis.quit())

  it('checks a tracking a poll saved meanwhile again, instead of leaving it to its lease', async () => {
    const prefix = uniquePrefix('sweep-race')
    const keys = createRedisKeys(prefix)
    const store = createRedisTrackingStore(redis, prefix)
    const now = Date.now()
    const { record } = await store.register(
      {
        merchantId: 'shop',
        carrier: 'sandbox',
        trackingNumber: 'SBXSTALLED001',
        promisedDeliveryDate: addCalendarDays(parisDateOf(now), -2),
      },
      new Date(now),
      { nextAlertCheckAtMs: now - 1000 },
    )
    // A poll that learned nothing saves between the sweep's read and its write, keeping the alert checks.
    let raced = false
    const racing = {
      ...store,
      async save(changes: Parameters<typeof store.save>[0]) {
        if (!raced) {
          raced = true
          const [view] = await store.loadForPoll([record.id])
          if (!view) throw new Error('setup')
          // Neither a next poll nor alerts: the poll schedule and the alert checks stay as they are.
          const poll = { before: view, record: view.record }
          expect(await store.save([poll])).toEqual(['saved'])
        }
        return store.save(changes)
      },
    }
    const deps = { store: racing, alertPolicy: () => POLICY, logger: createSilentLogger(), now: () => now }
    expect(await sweepAlerts(deps, [0])).toBe(1)
    const found = await store.get('shop', record.id)
    expect(found?.record.alerts.map((alert) => alert.type)).toEqual(['late'])
    expect(await redis.zscore(keys.alertsInflight(0), record.id)).toBeNull()
    expect(Number(await redis.zscore(keys.alertsDue(0), record.id))).toBeGreaterThan(now)
  })
})

describe('notifications without listeners', () => {
  const redis = new Redis(testRedisUrl())
  afterAll(() => redis.quit())

  it('are not written to the outbox when neither the merchant nor the tracking has an endpoint', async () => {
    const prefix = uniquePrefix('no-listener')
    const keys = createRedisKeys(prefix)
    const store = createRedisTrackingStore(redis, prefix)
    const now = Date.now()
    const promised = addCalendarDays(parisDateOf(now), -2)
    await store.register(
      {
        merchantId: 'quiet',
        carrier: 'sandbox',
        trackingNumber: 'SBXSTALLED001',
        promisedDeliveryDate: promised,
      },
      new Date(now),
      { nextAlertCheckAtMs: endOfParisDay(promised) },
    )
    await sweepAlerts({ store, alertPolicy: () => POLICY, logger: createSilentLogger(), now: () => now }, [0])
    expect(await redis.xlen(keys.outbox(0))).toBe(0)
    const page = await store.listAlerts('quiet', { state: 'open', limit: 10 })
    expect(page.data.map((alert) => alert.type)).toEqual(['late'])
  })
})

describe('alert sweep on the memory store', () => {
  it('opens late once, publishes it, and checks again a tracking a poll saved meanwhile', async () => {
    const store = createMemoryTrackingStore()
    const now = Date.now()
    const { record } = await store.register(
      {
        merchantId: 'shop',
        carrier: 'sandbox',
        trackingNumber: 'SBXSTALLED001',
        promisedDeliveryDate: addCalendarDays(parisDateOf(now), -2),
      },
      new Date(now),
      { nextAlertCheckAtMs: now - 1000 },
    )
    let raced = false
    const racing: TrackingStore = {
      ...store,
      async save(changes) {
        if (!raced) {
          raced = true
          const [view] = await store.loadForPoll([record.id])
          if (!view) throw new Error('setup')
          expect(await store.save([{ before: view, record: view.record }])).toEqual(['saved'])
        }
        return store.save(changes)
      },
    }
    const deps = { store: racing, alertPolicy: () => POLICY, logger: createSilentLogger(), now: () => now }
    expect(await sweepAlerts(deps, [0])).toBe(1)
    expect(raced).toBe(true)
    const found = await store.get('shop', record.id)
    expect(found?.record.alerts.map((alert) => alert.type)).toEqual(['late'])
    expect(store.published().map((message) => [message.type, message.trackingId])).toEqual([
      ['alert.opened', record.id],
    ])
    expect(await sweepAlerts(deps, [0])).toBe(0)
    // Checked again at its next time-driven check (it may still stall), not before.
    expect(await store.claimAlertChecks(0, now, 10, 60_000)).toEqual([])
  })
})
