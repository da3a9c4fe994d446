import type { TrackingRecord } from '../domain/tracking.js'
import { createPageToken } from './page-token.js'
import { createTrackingId } from './record-ids.js'
import { shardOfRegistration } from './shards.js'
import type { NewTracking } from './tracking-store.js'

/**
 * A tracking as registration creates it, before any poll: every store starts from this record. Its id
 * and page token fall in its registration's shard of `shards`.
 */
export function newTrackingRecord(input: NewTracking, createdAt: string, shards = 1): TrackingRecord {
  const shard = shardOfRegistration(input, shards)
  return {
    id: createTrackingId(shard, shards),
    ...input,
    pageToken: createPageToken(shard, shards),
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
