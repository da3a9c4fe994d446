import type { TrackingRecord } from '../../src/domain/tracking.js'
import { withEventId } from '../../src/domain/tracking-event.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'

export interface Scan {
  occurredAt: string
  status: EventStatus
}

export type Finish = 'delivered' | 'returned' | 'expired'

const CODE_OF: Record<EventStatus, string> = {
  info_received: 'PC',
  in_transit: 'ET',
  out_for_delivery: 'MD',
  failed_attempt: 'AV',
  available_for_pickup: 'RE',
  delivered: 'DI',
  returned_to_sender: 'RS',
  exception: 'AN',
  unknown: 'XX',
}

function finishedRecord(record: TrackingRecord, finish: Finish, scans: readonly Scan[]): TrackingRecord {
  switch (finish) {
    case 'delivered': {
      const delivery = scans.find((scan) => scan.status === 'delivered')
      if (!delivery) throw new Error('a delivered parcel needs a delivered scan')
      return { ...record, status: 'delivered', deliveredAt: delivery.occurredAt, stopped: 'terminal' }
    }
    case 'returned':
      return { ...record, status: 'returned_to_sender', final: true, stopped: 'terminal' }
    case 'expired':
      return { ...record, status: 'expired', stopped: 'expired' }
  }
}

/**
 * Writes a registered sandbox tracking's whole timeline and its end (delivered, returned to its sender
 * for good, or expired) in one save, as the poll that saw the end would have saved it.
 */
export async function markFinished(
  store: Pick<TrackingStore, 'loadForPoll' | 'save'>,
  id: string,
  finish: Finish,
  scans: readonly Scan[],
): Promise<void> {
  const [view] = await store.loadForPoll([id])
  if (!view) throw new Error(`tracking ${id} is not stored`)
  const events = scans.map((scan) =>
    withEventId('sandbox', view.record.trackingNumber, {
      occurredAt: scan.occurredAt,
      status: scan.status,
      code: CODE_OF[scan.status],
      description: scan.status,
    }),
  )
  const record = finishedRecord(view.record, finish, scans)
  const [outcome] = await store.save([{ before: view, record, events, nextPoll: undefined }])
  if (outcome !== 'saved') throw new Error(`tracking ${id} not saved: ${outcome}`)
}
