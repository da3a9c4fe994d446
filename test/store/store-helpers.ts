import { expect } from 'vitest'
import type { DelayAlert } from '../../src/domain/delay-alerts.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import { shardOfRegistration, shardOfText } from '../../src/store/shards.js'
import type {
  NewTracking,
  PollView,
  StoredAlert,
  TrackingSave,
  TrackingStore,
} from '../../src/store/tracking-store.js'

/** Helpers of the store tests: the contract suite and the Redis store's own cases. */

export const T0 = Date.parse('2026-03-27T10:00:00.000Z')
export const LEASE_MS = 60_000

export function parcel(overrides: Partial<NewTracking> = {}): NewTracking {
  return { merchantId: 'shop-a', carrier: 'laposte', trackingNumber: '8K00009775862', ...overrides }
}

export async function registerMany(
  store: TrackingStore,
  count: number,
  options: { now?: (index: number) => Date; carrier?: string; merchantId?: string } = {},
): Promise<TrackingRecord[]> {
  const records: TrackingRecord[] = []
  for (let index = 0; index < count; index++) {
    const { record } = await store.register(
      parcel({
        trackingNumber: `NUM${String(index).padStart(6, '0')}`,
        carrier: options.carrier ?? 'laposte',
        merchantId: options.merchantId ?? 'shop-a',
      }),
      options.now?.(index) ?? new Date(T0),
    )
    records.push(record)
  }
  return records
}

export async function loadOne(store: TrackingStore, id: string): Promise<PollView> {
  const [view] = await store.loadForPoll([id])
  if (!view) throw new Error(`tracking ${id} not loadable`)
  return view
}

export async function saveOne(store: TrackingStore, change: TrackingSave) {
  expect(await store.save([change])).toEqual(['saved'])
}

export function scan(
  trackingNumber: string,
  code: string,
  occurredAt: string,
  status: TrackingEvent['status'],
) {
  return withEventId('laposte', trackingNumber, { occurredAt, status, code, description: `scan ${code}` })
}

export async function listIds(
  store: TrackingStore,
  merchantId: string,
  query: Partial<Parameters<TrackingStore['list']>[1]> = {},
): Promise<string[]> {
  const page = await store.list(merchantId, { limit: 100, ...query })
  return page.data.map((record) => record.id)
}

/** When the tracking's next poll is due, as the API reads it (undefined while claimed or stopped). */
export async function dueAt(store: TrackingStore, id: string, merchantId = 'shop-a') {
  return (await store.get(merchantId, id))?.nextDueAtMs
}

export function alert(id: string, type: DelayAlert['type'], minute: number, resolvedAt?: string): DelayAlert {
  return {
    id,
    type,
    openedAt: new Date(T0 + minute * 60_000).toISOString(),
    ...(resolvedAt ? { resolvedAt } : {}),
    details: { minute },
  }
}

/** Saves the tracking with `alerts` as its alerts, `changed` of them reported as opened or resolved. */
export async function saveAlerts(store: TrackingStore, id: string, alerts: DelayAlert[], changed = alerts) {
  const view = await loadOne(store, id)
  await saveOne(store, {
    before: view,
    record: { ...view.record, alerts },
    alerts: {
      opened: changed.filter((each) => each.resolvedAt === undefined),
      resolved: changed.filter((each) => each.resolvedAt !== undefined),
    },
  })
}

export async function listAllAlerts(
  store: TrackingStore,
  query: { state: 'open' | 'resolved'; type?: 'late' },
) {
  const seen: StoredAlert[] = []
  let cursor: string | undefined
  do {
    const page = await store.listAlerts('shop-a', { ...query, limit: 2, cursor })
    seen.push(...page.data)
    cursor = page.nextCursor
  } while (cursor)
  return seen
}

/** A shard's claim (`claimDue`, `claimAlertChecks`) over every shard of the store, in order, up to `limit` in all. */
async function claimEverywhere(
  store: TrackingStore,
  limit: number,
  claim: (shard: number, room: number) => Promise<string[]>,
): Promise<string[]> {
  const claimed: string[] = []
  for (let shard = 0; shard < store.shards && claimed.length < limit; shard++)
    claimed.push(...(await claim(shard, limit - claimed.length)))
  return claimed
}

export function claimDueEverywhere(
  store: TrackingStore,
  carrier: string,
  nowMs: number,
  limit: number,
  leaseMs: number,
): Promise<string[]> {
  return claimEverywhere(store, limit, (shard, room) => store.claimDue(shard, carrier, nowMs, room, leaseMs))
}

export function claimAlertChecksEverywhere(
  store: TrackingStore,
  nowMs: number,
  limit: number,
  leaseMs: number,
): Promise<string[]> {
  return claimEverywhere(store, limit, (shard, room) => store.claimAlertChecks(shard, nowMs, room, leaseMs))
}

/**
 * Claims come oldest first within each shard (there is no order across shards): `claimed` holds the
 * same ids as `expected`, and the ids of each shard come in `expected`'s order.
 */
export function expectOrderWithinShards(store: TrackingStore, claimed: string[], expected: string[]) {
  expect([...claimed].sort()).toEqual([...expected].sort())
  const ofShard = (ids: string[], shard: number) =>
    ids.filter((id) => shardOfText(id, store.shards) === shard)
  for (let shard = 0; shard < store.shards; shard++)
    expect(ofShard(claimed, shard), `shard ${shard}`).toEqual(ofShard(expected, shard))
}

/** A tracking number like `base` whose registration falls in the same shard as `like`'s. */
export function numberInShardOf(store: TrackingStore, like: NewTracking, base: string): string {
  const shard = shardOfRegistration(like, store.shards)
  for (let index = 0; ; index++) {
    const trackingNumber = `${base}${index}`
    if (shardOfRegistration({ ...like, trackingNumber }, store.shards) === shard) return trackingNumber
  }
}

const HOUR_MS = 3_600_000

/** Saves the tracking `id` delivered `hours` after its first scan at T0: its life ends, and counts. */
export async function deliverTracking(store: TrackingStore, id: string, hours: number): Promise<void> {
  const view = await loadOne(store, id)
  const number = view.record.trackingNumber
  await saveOne(store, {
    before: view,
    record: { ...view.record, status: 'delivered', stopped: 'terminal' },
    events: [
      scan(number, 'PC1', new Date(T0).toISOString(), 'in_transit'),
      scan(number, 'DI1', new Date(T0 + hours * HOUR_MS).toISOString(), 'delivered'),
    ],
    nextPoll: 'none',
  })
}

/** Registers a parcel for Paris 11e an hour before T0, then delivers it `hours` after its first scan. */
export async function registerDelivered(
  store: TrackingStore,
  trackingNumber: string,
  hours: number,
): Promise<TrackingRecord> {
  const { record } = await store.register(
    parcel({ trackingNumber, destinationCountry: 'FR', destinationPostalCode: '75011' }),
    new Date(T0 - HOUR_MS),
  )
  await deliverTracking(store, record.id, hours)
  return record
}
