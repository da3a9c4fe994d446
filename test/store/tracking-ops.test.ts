import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ALERT_TYPES, type DelayAlert } from '../../src/domain/delay-alerts.js'
import { TRACKING_STATUSES } from '../../src/domain/tracking-status.js'
import { createRedisKeys, indexMember } from '../../src/store/redis-keys.js'
import { indexOps } from '../../src/store/tracking-ops.js'

const keys = createRedisKeys('t')
type Indexed = NonNullable<Parameters<typeof indexOps>[1]>

/** The list indexes a tracking belongs to, as key → members, computed from scratch. */
function indexesOf(record: Indexed | undefined): Map<string, Set<string>> {
  const indexes = new Map<string, Set<string>>()
  if (!record) return indexes
  const member = indexMember(record.createdAt, record.id)
  const m = record.merchantId
  const open = (record.alerts ?? []).filter((alert) => !alert.resolvedAt).map((alert) => alert.type)
  for (const key of [
    keys.merchantAll(m),
    keys.merchantCarrier(m, record.carrier),
    keys.merchantStatus(m, record.status),
    keys.merchantCarrierStatus(m, record.carrier, record.status),
    ...open.map((type) => keys.merchantAlertTrackings(m, type)),
  ])
    indexes.set(key, new Set([member]))
  return indexes
}

/** Runs ZADD / ZREM ops against an in-memory copy of the indexes. */
function apply(indexes: Map<string, Set<string>>, ops: ReturnType<typeof indexOps>) {
  for (const [command, key, ...rest] of ops) {
    const members = indexes.get(String(key)) ?? new Set<string>()
    if (command === 'ZADD') members.add(String(rest[1]))
    else if (command === 'ZREM') members.delete(String(rest[0]))
    else throw new Error(`unexpected op ${String(command)}`)
    if (members.size === 0) indexes.delete(String(key))
    else indexes.set(String(key), members)
  }
  return indexes
}

const alertArb = fc.record({
  id: fc.constantFrom('alr_1', 'alr_2'),
  type: fc.constantFrom(...ALERT_TYPES),
  openedAt: fc.constant('2026-12-01T10:00:00.000Z'),
  resolvedAt: fc.option(fc.constant('2026-12-02T10:00:00.000Z'), { nil: undefined }),
  details: fc.constant({}),
}) satisfies fc.Arbitrary<DelayAlert>

const recordArb = fc.record({
  id: fc.constant('trk_1'),
  merchantId: fc.constant('m1'),
  carrier: fc.constantFrom('laposte', 'chronopost'),
  status: fc.constantFrom(...TRACKING_STATUSES),
  createdAt: fc.constant('2026-11-30T08:00:00.000Z'),
  alerts: fc.array(alertArb, { maxLength: 3 }),
})

describe('indexOps', () => {
  it('moves a tracking from the indexes of what it was to those of what it is (500 runs)', () => {
    fc.assert(
      fc.property(
        fc.option(recordArb, { nil: undefined }),
        fc.option(recordArb, { nil: undefined }),
        fc.boolean(),
        (before, drawnAfter, sameAlerts) => {
          // A write that does not touch the alerts keeps the very array it read (the cheap path).
          const after =
            drawnAfter && before && sameAlerts ? { ...drawnAfter, alerts: before.alerts } : drawnAfter
          expect(apply(indexesOf(before), indexOps(keys, before, after))).toEqual(indexesOf(after))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('builds nothing when a poll changed nothing an index depends on', () => {
    const before: Indexed = {
      id: 'trk_1',
      merchantId: 'm1',
      carrier: 'laposte',
      status: 'in_transit',
      createdAt: '2026-11-30T08:00:00.000Z',
      alerts: [],
    }
    expect(indexOps(keys, before, { ...before })).toEqual([])
    expect(indexOps(keys, before, { ...before, status: 'delivered' })).not.toEqual([])
  })
})
