import { withEventId } from '../../src/domain/tracking-event.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'

/**
 * Writes a registered sandbox tracking as delivered at `occurredAt`, as a poll would have saved it, so
 * that a test reads a delivered parcel without playing a journey.
 */
export async function markDelivered(
  store: Pick<TrackingStore, 'loadForPoll' | 'save'>,
  id: string,
  occurredAt: string,
): Promise<void> {
  const [view] = await store.loadForPoll([id])
  if (!view) throw new Error(`tracking ${id} is not stored`)
  const delivery = withEventId('sandbox', view.record.trackingNumber, {
    occurredAt,
    status: 'delivered',
    code: 'DI',
    description: 'Colis livré',
  })
  const record = { ...view.record, status: 'delivered' as const, deliveredAt: delivery.occurredAt }
  const [outcome] = await store.save([{ before: view, record, events: [delivery], nextPoll: undefined }])
  if (outcome !== 'saved') throw new Error(`tracking ${id} not saved: ${outcome}`)
}
