import { RateLimitError, Worker } from 'bullmq'
import { describe, expect, it } from 'vitest'
import {
  type BatchResult,
  type CarrierAdapter,
  CarrierError,
  type TrackQuery,
} from '../../adapters/contract.js'
import { loadConfig } from '../../src/config.js'
import type { CarrierErrorKind } from '../../src/domain/carrier-error-kind.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { withEventId } from '../../src/domain/tracking-event.js'
import { createSilentLogger } from '../../src/logger.js'
import { pollPolicyFrom } from '../../src/main/policies.js'
import {
  createMemoryTrackingStore,
  type MemoryTrackingStore,
} from '../../src/store/memory/memory-tracking-store.js'
import { type PollDeps, processPollJob } from '../../workers/poll-tracking.js'

const T0 = Date.parse('2026-03-27T10:00:00.000Z')
const NOW = T0 + 60_000
const POLICY = pollPolicyFrom(loadConfig({ NODE_ENV: 'test' }))
const ALERTS = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables' as const,
}
const LEASE_MS = 600_000

/** What the carrier answers for each number: a snapshot, a CarrierError, or any other failure (a bug). */
type Answer = CarrierSnapshot | CarrierError | Error

function fakeAdapter(answer: (query: TrackQuery) => Answer, batchSize = 1): CarrierAdapter {
  const track = async (query: TrackQuery) => {
    const result = answer(query)
    if (result instanceof Error) throw result
    return result
  }
  return {
    id: 'sandbox',
    name: 'Sandbox',
    batchSize,
    rateLimit: { max: 10, durationMs: 1000 },
    needsCredentials: true,
    configured: true,
    checkNumber: (trackingNumber) => ({ ok: true, trackingNumber }),
    accepts: () => true,
    claimNumber: () => undefined,
    pickupHoldDays: 10,
    deliveryDays: { default: 'ouvrables' },
    listSecrets: () => [],
    track,
    ...(batchSize > 1
      ? {
          async trackBatch(queries: readonly TrackQuery[]): Promise<BatchResult> {
            const results: BatchResult = new Map()
            for (const query of queries) {
              const result = answer(query)
              if (result instanceof CarrierError) throw result
              if (result instanceof Error) throw result
              results.set(query.trackingNumber, result)
            }
            return results
          },
        }
      : {}),
    parse: () => [],
  }
}

/** The queue hooks a poll job gets from its worker, recorded. */
function fakeQueue() {
  const calls = {
    rateLimit: [] as number[],
    pauseCarrier: [] as CarrierErrorKind[],
    recordFailure: [] as CarrierErrorKind[],
  }
  return {
    calls,
    hooks: {
      rateLimit: async (waitMs: number) => {
        calls.rateLimit.push(waitMs)
      },
      pauseCarrier: async (error: CarrierError) => {
        calls.pauseCarrier.push(error.kind)
      },
      recordFailure: (kind: CarrierErrorKind) => {
        calls.recordFailure.push(kind)
      },
    },
  }
}

/** `count` sandbox parcels registered at T0 and claimed by the dispatcher, as a poll job finds them. */
async function claimedParcels(count: number): Promise<{ store: MemoryTrackingStore; ids: string[] }> {
  const store = createMemoryTrackingStore({ now: () => NOW })
  const ids: string[] = []
  for (let index = 0; index < count; index++) {
    const { record } = await store.register(
      { merchantId: 'shop', carrier: 'sandbox', trackingNumber: `SBX${index}` },
      new Date(T0 + index),
    )
    ids.push(record.id)
  }
  expect(await store.claimDue(0, 'sandbox', NOW, 100, LEASE_MS)).toEqual(ids)
  return { store, ids }
}

function depsOf(
  store: MemoryTrackingStore,
  adapter: CarrierAdapter,
  hooks: ReturnType<typeof fakeQueue>['hooks'],
) {
  const deps: PollDeps = {
    adapter,
    store,
    policy: POLICY,
    alertPolicy: () => ALERTS,
    timeScale: 1,
    logger: createSilentLogger(),
    now: () => new Date(NOW),
    ...hooks,
  }
  return deps
}

async function runJob(count: number, answer: (query: TrackQuery) => Answer, batchSize = 1) {
  const { store, ids } = await claimedParcels(count)
  const queue = fakeQueue()
  const job = processPollJob({ ids }, depsOf(store, fakeAdapter(answer, batchSize), queue.hooks))
  const error = await job.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  const views = await store.loadForPoll(ids)
  return { store, ids, calls: queue.calls, error, views }
}

describe('a poll job whose carrier asks to slow down (rate_limited)', () => {
  it('makes the queue wait as long as the carrier said, throws RateLimitError and saves nothing', async () => {
    const { calls, error, views, store, ids } = await runJob(
      2,
      () => new CarrierError('rate_limited', 'HTTP 429', { retryAfterMs: 30_000 }),
    )
    expect(calls.rateLimit).toEqual([30_000])
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as Error).message).toBe(Worker.RateLimitError().message)
    expect(calls.pauseCarrier).toEqual([])
    expect(calls.recordFailure).toEqual(['rate_limited'])
    for (const view of views) expect(view).toMatchObject({ version: 1, record: { failureCount: 0 } })
    // Still held by this job: BullMQ runs it again; its lease is the safety net if that never happens.
    expect(await store.claimDue(0, 'sandbox', NOW, 100, LEASE_MS)).toEqual([])
    const reclaimed = await store.claimDue(0, 'sandbox', NOW + LEASE_MS, 100, LEASE_MS)
    expect([...reclaimed].sort()).toEqual([...ids].sort())
    expect(store.published()).toEqual([])
  })

  it('waits a second when the carrier did not say how long', async () => {
    const { calls, error } = await runJob(1, () => new CarrierError('rate_limited', 'HTTP 429'))
    expect(calls.rateLimit).toEqual([1_000])
    expect(error).toBeInstanceOf(RateLimitError)
  })
})

describe('a poll job whose credentials the carrier refuses (unauthorized)', () => {
  it('pauses the carrier once, completes, and keeps every parcel due for a retry', async () => {
    const { calls, error, views, store, ids } = await runJob(
      3,
      () => new CarrierError('unauthorized', 'HTTP 401'),
      3,
    )
    expect(error).toBeUndefined()
    expect(calls.pauseCarrier).toEqual(['unauthorized'])
    expect(calls.rateLimit).toEqual([])
    for (const view of views) {
      expect(view?.record).toMatchObject({
        failureCount: 1,
        lastError: { kind: 'unauthorized', message: 'HTTP 401' },
        lastCheckedAt: new Date(NOW).toISOString(),
      })
      expect(view?.record.stopped).toBeUndefined()
    }
    for (const id of ids) {
      const due = (await store.get('shop', id))?.nextDueAtMs
      expect(due).toBeGreaterThanOrEqual(NOW + POLICY.retry.minMs)
      expect(due).toBeLessThanOrEqual(NOW + POLICY.retry.maxMs)
    }
    const claimed = await store.claimDue(0, 'sandbox', NOW + POLICY.retry.maxMs, 100, LEASE_MS)
    expect([...claimed].sort()).toEqual([...ids].sort())
  })
})

describe('a poll job whose carrier fails for one number or for a while', () => {
  it('stops polling a number the carrier calls invalid, and completes', async () => {
    const { calls, error, views, store, ids } = await runJob(
      1,
      () => new CarrierError('invalid_number', 'unknown number'),
    )
    expect(error).toBeUndefined()
    expect(calls).toEqual({ rateLimit: [], pauseCarrier: [], recordFailure: ['invalid_number'] })
    expect(views[0]?.record).toMatchObject({
      stopped: 'invalid_number',
      lastError: { kind: 'invalid_number', message: 'unknown number' },
    })
    expect(await store.get('shop', ids[0] ?? '')).toMatchObject({ nextDueAtMs: undefined })
    expect(await store.claimDue(0, 'sandbox', NOW + 100 * LEASE_MS, 100, LEASE_MS)).toEqual([])
  })

  it.each(['unavailable', 'unexpected_response'] as const)(
    'keeps the timeline on %s, records the error, polls again with the retry backoff, and completes',
    async (kind) => {
      const { calls, error, views, store, ids } = await runJob(2, () => new CarrierError(kind, 'oops'))
      expect(error).toBeUndefined()
      expect(calls).toEqual({ rateLimit: [], pauseCarrier: [], recordFailure: [kind, kind] })
      for (const view of views) {
        expect(view?.record).toMatchObject({ status: 'pending', failureCount: 1, lastError: { kind } })
        expect(view?.events).toEqual([])
      }
      for (const id of ids) {
        expect((await store.get('shop', id))?.nextDueAtMs).toBeLessThanOrEqual(NOW + POLICY.retry.maxMs)
      }
    },
  )

  it("counts a number missing from the carrier's answer as unexpected_response", async () => {
    const { store, ids } = await claimedParcels(2)
    const queue = fakeQueue()
    const adapter: CarrierAdapter = {
      ...fakeAdapter(() => new Error('unused'), 2),
      // The carrier answers for the first number only.
      trackBatch: async (queries) =>
        new Map([[queries[0]?.trackingNumber ?? '', snapshotOf(queries[0]?.trackingNumber ?? '')]]),
    }
    await processPollJob({ ids }, depsOf(store, adapter, queue.hooks))
    const [answered, missing] = await store.loadForPoll(ids)
    expect(answered?.record.status).toBe('in_transit')
    expect(missing?.record).toMatchObject({ failureCount: 1, lastError: { kind: 'unexpected_response' } })
  })

  it('counts not_found as not scanned yet, with no error', async () => {
    const { error, views } = await runJob(1, () => new CarrierError('not_found', 'nothing yet'))
    expect(error).toBeUndefined()
    expect(views[0]?.record).toMatchObject({ notFoundCount: 1, failureCount: 0, status: 'pending' })
    expect(views[0]?.record.lastError).toBeUndefined()
  })

  it('rethrows any other failure (a bug) for BullMQ to retry, saving nothing', async () => {
    const bug = new TypeError('cannot read properties of undefined')
    const { error, views, calls } = await runJob(1, () => bug)
    expect(error).toBe(bug)
    expect(views[0]?.version).toBe(1)
    expect(calls).toEqual({ rateLimit: [], pauseCarrier: [], recordFailure: [] })
  })
})

function snapshotOf(trackingNumber: string): CarrierSnapshot {
  const event = withEventId('sandbox', trackingNumber, {
    occurredAt: new Date(T0 + 30_000).toISOString(),
    status: 'in_transit',
    code: 'ET1',
    description: 'in transit',
  })
  return { carrier: 'sandbox', trackingNumber, events: [event] }
}

describe('a poll job whose carrier answers', () => {
  it('saves the new timeline and status, schedules the next poll, and publishes the notifications', async () => {
    const { error, views, store, ids, calls } = await runJob(1, (query) => snapshotOf(query.trackingNumber))
    expect(error).toBeUndefined()
    expect(calls).toEqual({ rateLimit: [], pauseCarrier: [], recordFailure: [] })
    expect(views[0]).toMatchObject({ version: 2, record: { status: 'in_transit', sequence: 2 } })
    expect(views[0]?.events).toHaveLength(1)
    expect((await store.get('shop', ids[0] ?? ''))?.nextDueAtMs).toBeGreaterThan(NOW)
    expect(store.published().map((message) => message.type)).toEqual([
      'tracking.updated',
      'tracking.status_changed',
    ])
  })
})

describe('what a poll job asks the carrier', () => {
  it('passes the number, the registration time and the destination postal code of each parcel', async () => {
    const store = createMemoryTrackingStore({ now: () => NOW })
    const registered = [
      { merchantId: 'shop', carrier: 'sandbox', trackingNumber: 'SBX1', destinationPostalCode: '75011' },
      { merchantId: 'shop', carrier: 'sandbox', trackingNumber: 'SBX2' },
    ]
    const ids: string[] = []
    for (const registration of registered)
      ids.push((await store.register(registration, new Date(T0))).record.id)
    expect(await store.claimDue(0, 'sandbox', NOW, 100, LEASE_MS)).toHaveLength(2)
    const asked: TrackQuery[] = []
    const adapter = fakeAdapter((query) => {
      asked.push(query)
      return snapshotOf(query.trackingNumber)
    })
    await processPollJob({ ids }, depsOf(store, adapter, fakeQueue().hooks))
    const registeredAt = new Date(T0).toISOString()
    expect(asked).toEqual([
      { trackingNumber: 'SBX1', registeredAt, destinationPostalCode: '75011' },
      { trackingNumber: 'SBX2', registeredAt },
    ])
  })
})

describe("a poll job's notifications: the parcel's page, and for a delivered one the merchant's withdrawal period", () => {
  const delivered = (trackingNumber: string): CarrierSnapshot => ({
    carrier: 'sandbox',
    trackingNumber,
    events: [
      withEventId('sandbox', trackingNumber, {
        occurredAt: '2026-03-27T10:00:30.000Z',
        status: 'delivered',
        code: 'DI1',
        description: 'delivered',
      }),
    ],
  })

  it('shows the deadlines with it in the notifications, asking only for the merchants of delivered parcels', async () => {
    const { store, ids } = await claimedParcels(2)
    const asked: string[] = []
    const deps = {
      ...depsOf(
        store,
        fakeAdapter((query) => (query.trackingNumber === 'SBX0' ? delivered('SBX0') : snapshotOf('SBX1'))),
        fakeQueue().hooks,
      ),
      withdrawalDays: async (merchantId: string) => {
        asked.push(merchantId)
        return 30
      },
      publicBaseUrl: 'https://track.example.com',
    }
    await processPollJob({ ids }, deps)
    expect(asked).toEqual(['shop'])
    const changed = store
      .published()
      .filter((notification) => notification.type === 'tracking.status_changed')
      .map((notification) => JSON.parse(notification.data).tracking)
    const byNumber = new Map(changed.map((tracking) => [tracking.trackingNumber, tracking]))
    // Delivered on Friday 27 March 2026: 30 days later is Sunday 26 April, so Monday 27 April.
    expect(byNumber.get('SBX0')?.consumerDeadlines?.withdrawalUntil).toBe('2026-04-27')
    expect(byNumber.get('SBX1')?.consumerDeadlines).toBeUndefined()
    // Every notification carries the parcel's page, for the merchant to hand to its shopper.
    for (const tracking of changed) {
      expect(tracking.trackingPageUrl).toMatch(/^https:\/\/track\.example\.com\/t\/[A-Za-z0-9_-]{22}$/)
    }
  })
})
