import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ALERT_TYPES, type DelayAlert } from '../../../src/domain/delay-alerts.js'
import { TRACKING_STATUSES } from '../../../src/domain/tracking-status.js'
import { createRedisKeys, indexMember } from '../../../src/store/redis/redis-keys.js'
import { indexMoves } from '../../../src/store/redis/tracking-script-args.js'
import { propertyRuns } from '../../support/property-runs.js'

const keys = createRedisKeys('t')
type Indexed = NonNullable<Parameters<typeof indexMoves>[1]>

/** The list indexes a tracking belongs to, as key → members, computed from scratch. */
function indexesOf(record: Indexed | undefined): Map<string, Set<string>> {
  const indexes = new Map<string, Set<string>>()
  if (!record) return indexes
  const member = indexMember(record.createdAt, record.id)
  const m = record.merchantId
  const open = (record.alerts ?? []).filter((alert) => !alert.resolvedAt).map((alert) => alert.type)
  for (const key of [
    keys.merchantAll(0, m),
    keys.merchantCarrier(0, m, record.carrier),
    keys.merchantStatus(0, m, record.status),
    keys.merchantCarrierStatus(0, m, record.carrier, record.status),
    ...open.map((type) => keys.merchantAlertTrackings(0, m, type)),
  ])
    indexes.set(key, new Set([member]))
  return indexes
}

/** Applies the moves as the scripts do (ZREM from each index left, ZADD to each entered) to a copy. */
function apply(indexes: Map<string, Set<string>>, moves: ReturnType<typeof indexMoves>) {
  for (const key of moves.leave) {
    const members = indexes.get(key)
    members?.delete(moves.member)
    if (members?.size === 0) indexes.delete(key)
  }
  for (const key of moves.enter) indexes.set(key, (indexes.get(key) ?? new Set()).add(moves.member))
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

describe('indexMoves', () => {
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
          expect(apply(indexesOf(before), indexMoves(keys, before, after))).toEqual(indexesOf(after))
        },
      ),
      { numRuns: propertyRuns(500) },
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
    expect(indexMoves(keys, before, { ...before })).toEqual({ member: '', leave: [], enter: [] })
    expect(indexMoves(keys, before, { ...before, status: 'delivered' }).enter).not.toEqual([])
  })
})
