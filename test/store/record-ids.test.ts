import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createId,
  DELIVERY_ID,
  deliveryIdOf,
  TRACKING_ID,
  WEBHOOK_ENDPOINT_ID,
} from '../../src/store/record-ids.js'

/** The routes refuse any id outside these shapes: every id colis gives out must fit them. */
describe('record ids', () => {
  it('makes tracking and endpoint ids of the shapes the routes accept', () => {
    for (let round = 0; round < 500; round++) {
      expect(createId('trk')).toMatch(TRACKING_ID)
      expect(createId('whk')).toMatch(WEBHOOK_ENDPOINT_ID)
    }
  })

  it('makes delivery ids of the shape the routes accept, from any outbox entry id', () => {
    const endpointId = createId('whk')
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.nat(), (ms, sequence) => {
        expect(deliveryIdOf(`${ms}-${sequence}`, endpointId)).toMatch(DELIVERY_ID)
      }),
    )
  })

  it("makes delivery ids of the same shape with several shards, each shard's apart from the others'", () => {
    const endpointId = createId('whk')
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.nat(),
        fc.integer({ min: 0, max: 1023 }),
        fc.integer({ min: 0, max: 1023 }),
        (ms, sequence, shard, other) => {
          const id = deliveryIdOf(`${ms}-${sequence}`, endpointId, shard)
          expect(id).toMatch(DELIVERY_ID)
          expect(id === deliveryIdOf(`${ms}-${sequence}`, endpointId, other)).toBe(shard === other)
          expect(id).not.toBe(deliveryIdOf(`${ms}-${sequence}`, endpointId))
        },
      ),
    )
  })

  it('keeps the delivery ids of one shard as they always were', () => {
    expect(deliveryIdOf('1764950400000-0', 'whk_AAAAAAAAAAAAAAAAAAAA')).toBe(
      'dlv_1764950400000x0_whk_AAAAAAAAAAAAAAAAAAAA',
    )
  })

  it('refuses an id followed by another key name', () => {
    const trackingId = createId('trk')
    const endpointId = createId('whk')
    expect(`${trackingId}:subs`).not.toMatch(TRACKING_ID)
    expect(`${endpointId}:deliveries`).not.toMatch(WEBHOOK_ENDPOINT_ID)
    expect(`${deliveryIdOf('1-0', endpointId)}:x`).not.toMatch(DELIVERY_ID)
    expect(`${deliveryIdOf('1-0', endpointId, 7)}:x`).not.toMatch(DELIVERY_ID)
  })
})
