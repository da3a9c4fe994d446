import { describe, expect, it } from 'vitest'
import { createMemoryTrackingStore } from '../../src/store/memory/memory-tracking-store.js'
import { runTrackingStoreContract } from './tracking-store-contract.js'

runTrackingStoreContract('memory store', () => createMemoryTrackingStore())

describe('memory store: published notifications', () => {
  it('keeps the notifications of each saved change, in order, and none of a conflicting one', async () => {
    const store = createMemoryTrackingStore()
    const { record } = await store.register(
      { merchantId: 'shop-a', carrier: 'laposte', trackingNumber: '8K00009775862' },
      new Date('2026-03-27T10:00:00.000Z'),
    )
    const [view] = await store.loadForPoll([record.id])
    if (!view) throw new Error('setup')
    const notification = (sequence: number) => ({
      type: 'tracking.updated' as const,
      merchantId: 'shop-a',
      trackingId: record.id,
      sequence,
      timestamp: '2026-03-27T10:00:00.000Z',
      data: '{}',
    })
    expect(
      await store.save([{ before: view, record: view.record, notifications: [notification(1)] }]),
    ).toEqual(['saved'])
    expect(
      await store.save([{ before: view, record: view.record, notifications: [notification(2)] }]),
    ).toEqual(['conflict'])
    expect(store.published()).toEqual([notification(1)])
  })
})
