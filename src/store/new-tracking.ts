import type { TrackingRecord } from '../domain/tracking.js'
import { createPageToken } from './page-token.js'
import { createId } from './record-ids.js'
import type { NewTracking } from './tracking-store.js'

/** A tracking as registration creates it, before any poll: every store starts from this record. */
export function newTrackingRecord(input: NewTracking, createdAt: string): TrackingRecord {
  return {
    id: createId('trk'),
    ...input,
    pageToken: createPageToken(),
    status: 'pending',
    createdAt,
    updatedAt: createdAt,
    lastNewEventAt: createdAt,
    nextCheckAt: createdAt,
    notFoundCount: 0,
    failureCount: 0,
    sequence: 0,
    alerts: [],
  }
}
