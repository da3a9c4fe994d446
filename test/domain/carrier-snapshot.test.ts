import { hash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CarrierSnapshot, snapshotDigest } from '../../src/domain/carrier-snapshot.js'
import { anyEvent, anyText } from '../support/arbitraries.js'
import { propertyRuns } from '../support/property-runs.js'

const anySnapshot: fc.Arbitrary<CarrierSnapshot> = fc.record(
  {
    carrier: fc.constant('laposte'),
    trackingNumber: fc.constant('6A12345678901'),
    events: fc.uniqueArray(anyEvent(30), { selector: (event) => event.id, maxLength: 12 }),
    estimatedDelivery: anyText(12),
    estimatedDeliveryWindow: fc.record({ from: anyText(12), to: anyText(12) }),
    deliveredAt: anyText(12),
    service: anyText(12),
    product: anyText(12),
    final: fc.boolean(),
  },
  { requiredKeys: ['carrier', 'trackingNumber', 'events'] },
)

describe('snapshotDigest', () => {
  it('is the same for the same events in any order, whatever else the events say', () => {
    fc.assert(
      fc.property(anySnapshot, fc.integer(), (snapshot, seed) => {
        const shuffled = [...snapshot.events].sort(() => (seed % 3) - 1)
        // Merging keeps a known event as first seen: what a known id says again changes nothing.
        const reworded = shuffled.map((event) => ({ ...event, description: `${event.description}!` }))
        expect(snapshotDigest({ ...snapshot, events: reworded })).toBe(snapshotDigest(snapshot))
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('changes with any event added or dropped, and with any field the tracking takes', () => {
    fc.assert(
      fc.property(anySnapshot, anyEvent(30), (snapshot, extra) => {
        const digest = snapshotDigest(snapshot)
        if (!snapshot.events.some((event) => event.id === extra.id))
          expect(snapshotDigest({ ...snapshot, events: [...snapshot.events, extra] })).not.toBe(digest)
        if (snapshot.events.length > 0)
          expect(snapshotDigest({ ...snapshot, events: snapshot.events.slice(1) })).not.toBe(digest)
        expect(snapshotDigest({ ...snapshot, final: !snapshot.final })).not.toBe(digest)
        for (const field of ['estimatedDelivery', 'deliveredAt', 'service', 'product'] as const)
          expect(snapshotDigest({ ...snapshot, [field]: `${snapshot[field] ?? ''}x` })).not.toBe(digest)
        const window = snapshot.estimatedDeliveryWindow ?? { from: '', to: '' }
        for (const end of ['from', 'to'] as const) {
          const moved = { ...window, [end]: `${window[end]}x` }
          expect(snapshotDigest({ ...snapshot, estimatedDeliveryWindow: moved })).not.toBe(digest)
        }
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('is the digest stored before windows existed for a snapshot without one', () => {
    fc.assert(
      fc.property(anySnapshot, (drawn) => {
        const { estimatedDeliveryWindow: _, ...snapshot } = drawn
        const { final, estimatedDelivery, deliveredAt, service, product } = snapshot
        const ids = snapshot.events.map((event) => event.id).sort()
        const before = JSON.stringify([final, estimatedDelivery, deliveredAt, service, product, ids])
        expect(snapshotDigest(snapshot)).toBe(hash('sha1', before, 'base64url'))
      }),
      { numRuns: propertyRuns(200) },
    )
  })
})
