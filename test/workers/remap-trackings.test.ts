import { describe, expect, it } from 'vitest'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import type { EventRemap } from '../../src/domain/tracking-lifecycle.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import {
  createMemoryTrackingStore,
  type MemoryTrackingStore,
} from '../../src/store/memory/memory-tracking-store.js'
import { remapCarrierTrackings } from '../../workers/remap-trackings.js'

const T0 = Date.parse('2026-03-27T10:00:00.000Z')
const ALERTS = {
  stalledBusinessDays: 10_000,
  pickupHoldDays: 10_000,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables' as const,
}
const XFER: EventRemap = (event) => (event.code === 'SBX_XFER' ? 'out_for_delivery' : undefined)

function journey(number: string, carrier = 'sandbox', withXfer = true): TrackingEvent[] {
  const scan = (code: string, occurredAt: string, status: EventStatus) =>
    withEventId(carrier, number, { occurredAt, status, code, description: `scan ${code}` })
  return [
    scan('SBX_LABEL', '2026-03-27T11:00:00+01:00', 'info_received'),
    scan('SBX_PICKUP', '2026-03-27T17:00:00+01:00', 'in_transit'),
    ...(withXfer ? [scan('SBX_XFER', '2026-03-28T01:00:00+01:00', 'unknown')] : []),
  ]
}

/** Registers a tracking and saves a polled timeline on it (status in transit), still polled or stopped. */
async function polled(
  store: MemoryTrackingStore,
  number: string,
  options: { carrier?: string; withXfer?: boolean; record?: Partial<TrackingRecord>; stop?: boolean } = {},
) {
  const carrier = options.carrier ?? 'sandbox'
  const { record } = await store.register(
    { merchantId: 'shop-a', carrier, trackingNumber: number },
    new Date(T0),
  )
  const [view] = await store.loadForPoll([record.id])
  if (!view) throw new Error('not registered')
  const saved = await store.save([
    {
      before: view,
      record: { ...view.record, status: 'in_transit', ...options.record },
      events: journey(number, carrier, options.withXfer ?? true),
      nextPoll: options.stop ? 'none' : { atMs: T0 + 3_600_000 },
    },
  ])
  expect(saved).toEqual(['saved'])
  return record.id
}

const deps = (store: MemoryTrackingStore) => ({
  store,
  alertPolicy: () => ALERTS,
  now: () => new Date(T0 + 7_200_000),
})

describe('mapping the stored events of a carrier again', () => {
  it('re-evaluates the polled trackings of the carrier that hold the code, and notifies a status change once', async () => {
    const store = createMemoryTrackingStore()
    const first = await polled(store, 'SBXUNKNOWNCODE001')
    const second = await polled(store, 'SBXUNKNOWNCODE002')
    const without = await polled(store, 'SBXDELIVERED001', { withXfer: false })
    const over = await polled(store, 'SBXUNKNOWNCODE003', {
      record: { status: 'delivered', stopped: 'terminal' },
      stop: true,
    })
    const otherCarrier = await polled(store, 'SBXUNKNOWNCODE004', { carrier: 'laposte' })
    // One of them is being polled (claimed), the others wait for their poll.
    expect(await store.claimDue(0, 'sandbox', T0 + 3_600_000, 1, 60_000)).toHaveLength(1)

    expect(await remapCarrierTrackings('sandbox', XFER, deps(store))).toEqual({
      checked: 3,
      changed: 2,
      unsaved: 0,
    })
    const [a, b, c, d, e] = await store.loadForPoll([first, second, without, over, otherCarrier])
    for (const view of [a, b]) {
      expect(view?.record.status).toBe('out_for_delivery')
      expect(view?.events.find((event) => event.code === 'SBX_XFER')?.status).toBe('out_for_delivery')
    }
    expect(c?.record.status).toBe('in_transit')
    expect(d?.events.find((event) => event.code === 'SBX_XFER')?.status).toBe('unknown')
    expect(e?.record.status).toBe('in_transit')
    const changes = store
      .published()
      .filter((notification) => notification.type === 'tracking.status_changed')
    expect(changes.map((notification) => notification.trackingId).sort()).toEqual([first, second].sort())

    // Again with the same rules: nothing left to change, nothing notified.
    expect(await remapCarrierTrackings('sandbox', XFER, deps(store))).toEqual({
      checked: 3,
      changed: 0,
      unsaved: 0,
    })
    expect(
      store.published().filter((notification) => notification.type === 'tracking.status_changed'),
    ).toHaveLength(2)
  })

  it('goes through every polled tracking of the carrier, page after page', async () => {
    const store = createMemoryTrackingStore()
    const ids: string[] = []
    for (let index = 0; index < 230; index++) ids.push(await polled(store, `SBXUNKNOWNCODE${100 + index}`))
    expect(await remapCarrierTrackings('sandbox', XFER, deps(store))).toEqual({
      checked: 230,
      changed: 230,
      unsaved: 0,
    })
    const views = await store.loadForPoll(ids)
    expect(views.filter((view) => view?.record.status !== 'out_for_delivery')).toEqual([])
  })
})
